/**
 * The tracker's half of sealed v2 datagrams (docs/protocol.md, "Sealed datagrams"): the keys,
 * replay window and send counter of each v2 session, opening a sealed request into an ordinary v2
 * request for the session that sent it, and sealing the reply. Pure apart from the state it is
 * given: the crypto is `lib/protocol/sealed.ts`.
 *
 * @module
 */

import {
  decodeV2Request,
  encodeGoneNotice,
  MAX_SEALED_COUNTER,
  ReplayWindow,
  sealedToken,
  SealingKey,
  type SessionKeys,
  type V2Request,
} from "../protocol/mod.ts";
import type { Address, Session, TrackerState } from "./state.ts";

/** What a session seals and opens with, made once at login. */
interface SealState {
  /** Opens the session's requests. */
  readonly requests: SealingKey;
  /** Seals the tracker's replies. */
  readonly replies: SealingKey;
  readonly replayWindow: ReplayWindow;
  /** The tracker's next counter for this session's replies. */
  sendCounter: number;
}

/** Why a sealed datagram was dropped without a word. */
export type SealedDropReason =
  | "malformed"
  | "wrong address"
  | "not a v2 session"
  | "forged"
  | "replayed"
  | "undecodable plaintext"
  | "token mismatch";

/** What became of a sealed datagram. */
export type SealedOpening =
  /** Authentic: the request, to be handled as usual for `session`. */
  | { readonly kind: "request"; readonly session: Session; readonly request: V2Request }
  /** No session has the token: answer with the gone notice, in clear. */
  | { readonly kind: "gone"; readonly notice: Uint8Array }
  /** Dropped silently; counted as `forged`. */
  | { readonly kind: "dropped"; readonly reason: SealedDropReason };

/**
 * Keys and counters per v2 session, held beside the session (a WeakMap, so an ended session's
 * keys go with it).
 *
 * @example
 * ```ts ignore
 * const seals = new SessionSeals();
 * seals.attach(session, deriveSessionKeys(verifier.storedKey, message));
 * const opening = seals.open(datagram, from, state);
 * if (opening.kind === "request") send(seals.seal(opening.session, encodedReply));
 * ```
 */
export class SessionSeals {
  readonly #bySession = new WeakMap<Session, SealState>();

  /** Gives a new v2 session (which has its token) its keys, at a successful `PROOF`. */
  attach(session: Session, keys: SessionKeys): void {
    if (session.token === undefined) return;
    this.#bySession.set(session, {
      requests: new SealingKey(keys.request, "request", session.token),
      replies: new SealingKey(keys.reply, "reply", session.token),
      replayWindow: new ReplayWindow(),
      sendCounter: 0,
    });
  }

  /**
   * Opens a datagram that starts with `PS2 *`, in the order the spec fixes: the session by token,
   * its exact address, the tag, then the replay window (only after the tag verified, so a forger
   * cannot move it), then the plaintext's own token. Changes nothing but the replay window.
   */
  open(datagram: Uint8Array, from: Address, state: TrackerState): SealedOpening {
    const token = sealedToken(datagram);
    if (token === undefined) return { kind: "dropped", reason: "malformed" };
    const session = state.sessionWithToken(token);
    if (session === undefined) return { kind: "gone", notice: encodeGoneNotice(token) };
    return this.openFor(session, datagram, from, token);
  }

  /**
   * The checks of {@linkcode open} after the session is found (also for a session that just ended
   * with `BYE`, whose keys are still known, so its repeated `BYE` can be told from a forgery).
   */
  openFor(session: Session, datagram: Uint8Array, from: Address, token: string): SealedOpening {
    // The same test as comparing `addressKey`s, without building two strings per datagram.
    if (session.address.hostname !== from.hostname || session.address.port !== from.port) {
      return { kind: "dropped", reason: "wrong address" };
    }
    const seal = this.#bySession.get(session);
    if (session.version !== 2 || seal === undefined) {
      return { kind: "dropped", reason: "not a v2 session" };
    }
    const opened = seal.requests.open(datagram);
    if (!opened.ok) {
      return { kind: "dropped", reason: opened.reason === "forged" ? "forged" : "malformed" };
    }
    if (!seal.replayWindow.accept(opened.counter)) return { kind: "dropped", reason: "replayed" };
    const decoded = decodeV2Request(opened.plaintext);
    if (!decoded.ok) return { kind: "dropped", reason: "undecodable plaintext" };
    if (decoded.request.token !== token) return { kind: "dropped", reason: "token mismatch" };
    return { kind: "request", session, request: decoded.request };
  }

  /**
   * Seals `plaintext` (an encoded v2 reply) for `session` under its reply key and next counter,
   * or `undefined` when the session has no keys or has used up its counters (it must log in
   * again; 2^53 replies are centuries away).
   */
  seal(session: Session, plaintext: Uint8Array): Uint8Array | undefined {
    const seal = this.#bySession.get(session);
    if (seal === undefined || seal.sendCounter > MAX_SEALED_COUNTER) return undefined;
    return seal.replies.seal(seal.sendCounter++, plaintext);
  }
}
