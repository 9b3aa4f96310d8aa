/**
 * The one thing a tracker says in clear about a session after login: `PS2 * <token> gone`, its
 * answer to a sealed datagram whose token names no session (the tracker restarted, or the session
 * expired). 43 bytes, always shorter than the sealed datagram it answers (at least 61), so it
 * never amplifies. A peer treats it like a lost session and logs in again; a forged one costs at
 * most that re-login. Pure.
 *
 * @module
 */

import { SEALED_PREFIX } from "./sealed.ts";
import { isToken } from "./v2_fields.ts";

const SUFFIX = " gone";
// Unlike a sealed header, the notice has a space after the `*`: `PS2 * <token> gone`.
const HEAD = `${SEALED_PREFIX} `;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Length of every gone notice: prefix, token and `" gone"`. */
export const GONE_NOTICE_BYTES = HEAD.length + 32 + SUFFIX.length;

/**
 * The gone notice for `token` (32 lowercase hex digits).
 *
 * @example
 * ```ts
 * import { encodeGoneNotice } from "./gone_notice.ts";
 * const notice = encodeGoneNotice("0123456789abcdef0123456789abcdef");
 * console.assert(new TextDecoder().decode(notice) === "PS2 * 0123456789abcdef0123456789abcdef gone");
 * ```
 */
export function encodeGoneNotice(token: string): Uint8Array {
  return encoder.encode(`${HEAD}${token}${SUFFIX}`);
}

/**
 * The token a gone notice names, or `undefined` when `datagram` is not exactly one. Never throws.
 *
 * @example
 * ```ts
 * import { encodeGoneNotice, goneNoticeToken } from "./gone_notice.ts";
 * const token = "0123456789abcdef0123456789abcdef";
 * console.assert(goneNoticeToken(encodeGoneNotice(token)) === token);
 * console.assert(goneNoticeToken(new TextEncoder().encode("PS2 1 OK")) === undefined);
 * ```
 */
export function goneNoticeToken(datagram: Uint8Array): string | undefined {
  if (datagram.length !== GONE_NOTICE_BYTES) return undefined;
  const text = decoder.decode(datagram);
  if (!text.startsWith(HEAD) || !text.endsWith(SUFFIX)) return undefined;
  const token = text.slice(HEAD.length, HEAD.length + 32);
  return isToken(token) ? token : undefined;
}
