/**
 * What a protocol handler makes of one datagram — the reply to send and what the operator's log
 * says about it — in the one shape both versions return, with the table cap behind a refusal as a
 * typed kind. Also how a v2 reply body becomes such a reply. Pure.
 *
 * @module
 */

import { encodeV2Reply, type V2ErrorCode, type V2ReplyBody } from "../protocol/mod.ts";

/**
 * A bounded table whose cap refused a request or displaced an entry: `sessions` (a login past
 * the session cap), `publications` (a user at the publication cap), `challenges` (a pending login
 * challenge forgotten), `handshakeReplies` (a remembered handshake reply forgotten),
 * `verifications` (a v1 `auth` refused while the most password checks already run), `searchCost`
 * (a search whose count would walk past the step cap: v2 `ERR broad`, v1 a bound for N).
 */
export type TableLimit =
  | "sessions"
  | "publications"
  | "challenges"
  | "handshakeReplies"
  | "verifications"
  | "searchCost";

/** What happened to one datagram, for the reply and the log. */
export interface HandlerOutcome {
  /** The user of the session (or of the login attempt), else the source address. */
  readonly peer: string;
  /** The command word (`AUTH`, `LOGIN`, `LAP` …) or `INVALID`. */
  readonly command: string;
  /** The datagram to send back; absent where nothing is sent. */
  readonly reply?: Uint8Array;
  /** A short text of the reply for the log. */
  readonly summary?: string;
  /** Why a request was refused or ignored. */
  readonly note?: string;
  /** The table cap that caused a refusal or forgot an entry, for a throttled log line. */
  readonly limit?: TableLimit;
  /**
   * Set when the answer waits for work off the loop (a v1 `auth` against a verifier): the
   * outcome to send and log when it is ready. This outcome itself then has no reply.
   */
  readonly pending?: Promise<HandlerOutcome>;
}

/** An encoded v2 reply and its text for the log. */
export interface EncodedV2Reply {
  readonly reply: Uint8Array;
  readonly summary: string;
}

/**
 * Encodes a v2 reply to request `id`, with its log text (the status, and the code of an error).
 *
 * @example
 * ```ts
 * import { v2Reply } from "./outcome.ts";
 * console.assert(v2Reply(7, { status: "ERR", code: "limit" }).summary === "ERR limit");
 * ```
 */
export function v2Reply(id: number, body: V2ReplyBody): EncodedV2Reply {
  const reply = encodeV2Reply({ id, body });
  const summary = body.status === "ERR" ? `ERR ${body.code}` : body.status;
  return { reply, summary };
}

/**
 * An error reply to request `id`, unless it would be larger than what a sender without a session
 * sent (`requestBytes`): then nothing, so a reply never amplifies a stranger's datagram.
 *
 * @example
 * ```ts
 * import { v2Refusal } from "./outcome.ts";
 * console.assert(v2Refusal(1, "token", 5, false).reply === undefined);
 * console.assert(v2Refusal(1, "token", 5, true).summary === "ERR token");
 * ```
 */
export function v2Refusal(
  id: number,
  code: V2ErrorCode,
  requestBytes: number,
  hasSession: boolean,
): Partial<EncodedV2Reply> {
  const reply = v2Reply(id, { status: "ERR", code });
  return hasSession || reply.reply.length <= requestBytes ? reply : {};
}
