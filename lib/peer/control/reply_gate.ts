/**
 * Which datagrams the v2 client listens to. Only the tracker's exact address (IP and port,
 * compared as normalised literals) is heard; before the session is open only clear v2 replies
 * and v1's bare `ERR` (for fall-back detection) count, and once it is sealed only sealed replies
 * that open under the session's reply key, pass its replay window and decode — save the clear
 * `PS2 * <own token> gone`, which says the tracker no longer knows the session. Everything else is
 * dropped, silently. Pure: no socket, no clock.
 *
 * @module
 */

import {
  decodeUtf8,
  decodeV2Reply,
  isV2Datagram,
  ReplyText,
  type V2ReplyBody,
} from "../../protocol/mod.ts";
import {
  ReplayWindow,
  SEALED_PREFIX,
  SealingKey,
  type SessionKeys,
} from "../../protocol/sealed.ts";

/** A reply body, with the wait an `ERR live <s>` or `ERR locked <s>` may carry. */
export type V2Answer = V2ReplyBody & { readonly waitSeconds?: number };

/** What one received datagram means to the client. */
export type GateOutcome =
  | { readonly kind: "reply"; readonly id: number; readonly answer: V2Answer }
  | { readonly kind: "v1Error" }
  | { readonly kind: "gone" }
  | { readonly kind: "drop" };

/** `ip` as one canonical literal (`::FFFF:1.2.3.4` and `::ffff:102:304` compare equal). */
export function normaliseIp(ip: string): string {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  try {
    return bare.includes(":")
      ? new URL(`http://[${bare}]/`).hostname
      : new URL(`http://${bare}/`).hostname;
  } catch {
    return bare.toLowerCase();
  }
}

const ERR_DETAIL = /^(PS2 \d{1,10} ERR [a-z]{1,16}) (\d{1,9})$/;
const encoder = new TextEncoder();

/**
 * Decodes a v2 reply, also in the form `ERR <code> <seconds>` (the number is optional, and an
 * older tracker leaves it out), or `undefined` when it is no v2 reply. Never throws.
 *
 * @example
 * ```ts
 * import { decodeAnswer } from "./reply_gate.ts";
 * const decoded = decodeAnswer(new TextEncoder().encode("PS2 4 ERR live 12"));
 * console.assert(decoded?.id === 4 && decoded.answer.waitSeconds === 12);
 * ```
 */
export function decodeAnswer(
  datagram: Uint8Array,
): { readonly id: number; readonly answer: V2Answer } | undefined {
  const text = decodeUtf8(datagram);
  const detail = text === undefined ? null : ERR_DETAIL.exec(text);
  const decoded = decodeV2Reply(detail ? encoder.encode(detail[1]) : datagram);
  if (!decoded.ok) return undefined;
  const { id, body } = decoded.reply;
  if (detail && body.status === "ERR") {
    return { id, answer: { ...body, waitSeconds: Number(detail[2]) } };
  }
  return { id, answer: body };
}

/** The sealing half of a session: its keys, the sender's counter and the replay window. */
export class SealedSession {
  #counter = 0;
  readonly #window = new ReplayWindow();
  readonly #gone: string;
  // Made once per login: the header and nonce bytes are not rebuilt per datagram.
  readonly #requests: SealingKey;
  readonly #replies: SealingKey;

  constructor(readonly token: string, readonly keys: SessionKeys) {
    this.#gone = `${SEALED_PREFIX} ${token} gone`;
    this.#requests = new SealingKey(keys.request, "request", token);
    this.#replies = new SealingKey(keys.reply, "reply", token);
  }

  /** Seals one request datagram, with a counter never used before. */
  seal(plaintext: Uint8Array): Uint8Array {
    return this.#requests.seal(this.#counter++, plaintext);
  }

  /** What a datagram from the tracker's address means in this session. */
  receive(datagram: Uint8Array): GateOutcome {
    if (datagram.length === this.#gone.length && decodeUtf8(datagram) === this.#gone) {
      return { kind: "gone" };
    }
    const opened = this.#replies.open(datagram);
    // The window moves only for a datagram whose tag verified, so a forger cannot move it.
    if (!opened.ok || !this.#window.accept(opened.counter)) return { kind: "drop" };
    const decoded = decodeAnswer(opened.plaintext);
    return decoded ? { kind: "reply", ...decoded } : { kind: "drop" };
  }
}

/** Where the tracker is, and what the client has become. */
export interface GateState {
  /** The tracker's IP literal, as {@linkcode normaliseIp} gives it, and its port. */
  readonly trackerIp: string;
  readonly trackerPort: number;
  /** The sealed session, once logged in with sealing. */
  readonly sealed?: SealedSession;
}

/**
 * What the datagram `datagram` from `from` means.
 *
 * @example
 * ```ts
 * import { classifyDatagram } from "./reply_gate.ts";
 * const reply = new TextEncoder().encode("PS2 1 OK");
 * const state = { trackerIp: "127.0.0.1", trackerPort: 9000 };
 * console.assert(classifyDatagram(reply, { hostname: "127.0.0.1", port: 9000 }, state).kind === "reply");
 * console.assert(classifyDatagram(reply, { hostname: "127.0.0.2", port: 9000 }, state).kind === "drop");
 * ```
 */
export function classifyDatagram(
  datagram: Uint8Array,
  from: { readonly hostname: string; readonly port: number },
  state: GateState,
): GateOutcome {
  if (from.port !== state.trackerPort) return { kind: "drop" };
  if (from.hostname !== state.trackerIp && normaliseIp(from.hostname) !== state.trackerIp) {
    return { kind: "drop" };
  }
  if (state.sealed) return state.sealed.receive(datagram);
  if (!isV2Datagram(datagram)) {
    // A v1 tracker answers anything it does not know with a bare ERR.
    return decodeUtf8(datagram) === ReplyText.error ? { kind: "v1Error" } : { kind: "drop" };
  }
  const decoded = decodeAnswer(datagram);
  return decoded ? { kind: "reply", ...decoded } : { kind: "drop" };
}
