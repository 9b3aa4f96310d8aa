/**
 * The framing both directions of v2 share: the `PS2 ` prefix, the request id, the session token,
 * SCRAM nonces and base64 fields. {@linkcode readV2Head} is the first step of every v2 decoder.
 * Pure; nothing here throws on hostile input.
 *
 * @module
 */

import {
  MAX_DATAGRAM_BYTES,
  V2_MAX_NONCE_CHARS,
  V2_MAX_REQUEST_ID,
  V2_PREFIX,
  V2_TOKEN_BYTES,
} from "./limits.ts";
import { decodeUtf8, parseDecimal } from "./text.ts";

/** A datagram that is not a valid v2 message; `id` is set when it could be read. */
export interface V2DecodeFailure {
  readonly ok: false;
  readonly id?: number;
  readonly reason: string;
}

const TOKEN = new RegExp(`^[0-9a-f]{${2 * V2_TOKEN_BYTES}}$`);
// SCRAM nonces are printable ASCII without commas; base64 fits.
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Whether a datagram is meant as v2 (starts with `PS2 `).
 *
 * @example
 * ```ts
 * import { isV2Datagram } from "./v2_fields.ts";
 * console.assert(isV2Datagram(new TextEncoder().encode("PS2 1 - HBT")));
 * console.assert(!isV2Datagram(new TextEncoder().encode("lap")));
 * ```
 */
export function isV2Datagram(datagram: Uint8Array): boolean {
  return datagram.length >= 4 && datagram[0] === 0x50 && datagram[1] === 0x53 &&
    datagram[2] === 0x32 && datagram[3] === 0x20;
}

/**
 * Whether `token` has the form of a session token (32 lowercase hex digits).
 *
 * @example
 * ```ts
 * import { isToken } from "./v2_fields.ts";
 * console.assert(isToken("0123456789abcdef0123456789abcdef"));
 * ```
 */
export function isToken(token: string): boolean {
  return TOKEN.test(token);
}

/** A request id (decimal 1–{@linkcode V2_MAX_REQUEST_ID}), or `undefined`. */
function parseV2Id(text: string): number | undefined {
  const id = parseDecimal(text);
  return id !== undefined && id >= 1 && id <= V2_MAX_REQUEST_ID ? id : undefined;
}

/** Whether `nonce` is a SCRAM nonce this protocol accepts. */
export function isNonce(nonce: string): boolean {
  return nonce.length <= V2_MAX_NONCE_CHARS && NONCE.test(nonce);
}

/** Whether `text` is padded base64 of at most `maxChars` characters. */
export function isBase64(text: string, maxChars: number): boolean {
  return text.length <= maxChars && text.length % 4 === 0 && BASE64.test(text);
}

/** A v2 datagram cut into its space-separated fields (`fields[0]` is `PS2`), with its id read. */
export type V2Head =
  | { readonly ok: true; readonly fields: readonly string[]; readonly id: number }
  | V2DecodeFailure;

/**
 * The first step of every v2 decoder: the datagram's fields, at least `minFields` of them, and the
 * id in the second. A failure when the datagram is too large, not UTF-8, not v2, has an empty field
 * (a doubled or trailing space), too few fields or an invalid id.
 *
 * @example
 * ```ts
 * import { readV2Head } from "./v2_fields.ts";
 * const head = readV2Head(new TextEncoder().encode("PS2 7 OK"), 3, "reply");
 * console.assert(head.ok && head.id === 7 && head.fields[2] === "OK");
 * ```
 */
export function readV2Head(
  datagram: Uint8Array,
  minFields: number,
  what: "request" | "reply",
): V2Head {
  const fields = splitFields(datagram);
  if (fields === undefined || fields.length < minFields) {
    return { ok: false, reason: `not a v2 ${what}` };
  }
  const id = parseV2Id(fields[1]);
  if (id === undefined) return { ok: false, reason: "invalid id" };
  return { ok: true, fields, id };
}

function splitFields(datagram: Uint8Array): string[] | undefined {
  if (datagram.length > MAX_DATAGRAM_BYTES) return undefined;
  const text = decodeUtf8(datagram);
  if (text === undefined || !text.startsWith(V2_PREFIX)) return undefined;
  const fields = text.split(" ");
  return fields.some((field) => field.length === 0) ? undefined : fields;
}
