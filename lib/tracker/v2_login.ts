/**
 * The v2 login, the tracker's side of SCRAM-SHA-256: `LOGIN` gets a challenge, `PROOF` is checked
 * against the user's verifier and opens a session with a fresh token. Challenges are single use
 * and expire; replies to both are remembered per source and id, so a retransmission gets the same
 * reply without a second challenge or session. Pure apart from the state it is given; time and
 * randomness are injected.
 *
 * @module
 */

import {
  deriveSessionKeys,
  encodeHex,
  hostGroup,
  SCRAM_NONCE_BYTES,
  V2_TOKEN_BYTES,
  type V2ErrorCode,
  type V2ReplyBody,
  type V2RequestBody,
} from "../protocol/mod.ts";
import { createHash } from "node:crypto";
import {
  authMessage,
  type AuthMessageParts,
  decodeBase64,
  encodeBase64,
  type ScramVerifier,
  serverSignature,
  verifyClientProof,
} from "../protocol/scram.ts";
import type { Authenticator } from "./authenticator.ts";
import { ChallengeTable } from "./challenge_table.ts";
import {
  HANDSHAKE_REPLY_TTL_MS,
  MAX_HANDSHAKE_REPLIES,
  MAX_PENDING_CHALLENGES,
  MAX_PENDING_CHALLENGES_PER_HOST,
  V2_CHALLENGE_TTL_MS,
} from "./defaults.ts";
import { BoundedMap, type LoginGuard } from "./guard.ts";
import { type EncodedV2Reply, type HandlerOutcome, type TableLimit, v2Reply } from "./outcome.ts";
import type { SessionSeals } from "./session_seals.ts";
import type { Address, TrackerState } from "./state.ts";

/** The two requests a peer sends without a token. */
export type V2LoginBody = Extract<V2RequestBody, { verb: "LOGIN" | "PROOF" }>;

/** What a {@linkcode V2Login} needs. */
export interface V2LoginOptions {
  readonly state: TrackerState;
  readonly authenticator: Authenticator;
  readonly guard: LoginGuard;
  /** Where a new session's sealing keys go. */
  readonly seals: SessionSeals;
  readonly now: () => number;
  readonly randomBytes: (length: number) => Uint8Array;
  /** Announced in `WELCOME`; the session opened lives this long after its last sign of life. */
  readonly sessionTimeoutMs: number;
  /** Announced in `WELCOME`. */
  readonly heartbeatMs: number;
}

interface Challenge extends AuthMessageParts {
  readonly sourceKey: string;
  readonly verifier?: ScramVerifier;
  readonly expiresAt: number;
}

interface Decision {
  readonly peer: string;
  readonly body: V2ReplyBody;
  readonly note?: string;
  readonly limit?: TableLimit;
}

/** A remembered handshake reply and when it stops answering retransmissions. */
interface RememberedReply extends EncodedV2Reply {
  readonly expiresAt: number;
}

/** The longest client nonce accepted, leaving room for the tracker's half. */
const MAX_CLIENT_NONCE_CHARS = 64;

/**
 * Answers `LOGIN` and `PROOF`.
 *
 * @example
 * ```ts ignore
 * const login = new V2Login({ state, authenticator, guard, now, randomBytes, sessionTimeoutMs, heartbeatMs });
 * const outcome = login.handle(1, { verb: "LOGIN", user: "alice", clientNonce }, from, 256);
 * ```
 */
export class V2Login {
  readonly #state: TrackerState;
  readonly #authenticator: Authenticator;
  readonly #guard: LoginGuard;
  readonly #seals: SessionSeals;
  readonly #now: () => number;
  readonly #randomBytes: (length: number) => Uint8Array;
  readonly #timeoutMs: number;
  readonly #heartbeatMs: number;
  readonly #challenges = new ChallengeTable<Challenge>({
    capacity: MAX_PENDING_CHALLENGES,
    perHost: MAX_PENDING_CHALLENGES_PER_HOST,
  });
  readonly #replies = new BoundedMap<string, RememberedReply>(MAX_HANDSHAKE_REPLIES);

  constructor(options: V2LoginOptions) {
    this.#state = options.state;
    this.#authenticator = options.authenticator;
    this.#guard = options.guard;
    this.#seals = options.seals;
    this.#now = options.now;
    this.#randomBytes = options.randomBytes;
    this.#timeoutMs = options.sessionTimeoutMs;
    this.#heartbeatMs = options.heartbeatMs;
  }

  /**
   * Handles request `id` from `from`, whose bytes are `datagram` (a reply is never longer: the
   * sender has no session yet).
   */
  handle(
    id: number,
    body: V2LoginBody,
    from: Address,
    sourceKey: string,
    datagram: Uint8Array,
  ): Omit<HandlerOutcome, "command"> {
    const requestBytes = datagram.length;
    // Only a byte-identical retransmission from the same address, within seconds, gets the same
    // reply: a reused port or a reused id with other bytes is a new request (issue 10, defect 2).
    const replyKey = `${sourceKey} ${createHash("sha256").update(datagram).digest("base64")}`;
    const previous = this.#replies.get(replyKey);
    // An expired entry is simply overwritten below.
    if (previous && previous.expiresAt >= this.#now()) {
      return {
        peer: body.verb === "LOGIN" ? body.user : sourceKey,
        reply: previous.reply,
        summary: previous.summary,
        note: "retransmission",
      };
    }
    const decision = body.verb === "LOGIN"
      ? this.#login(body, from, sourceKey)
      : this.#proof(body, from, sourceKey);
    const reply = v2Reply(id, decision.body);
    if (reply.reply.length > requestBytes) {
      return { peer: decision.peer, note: "reply would be larger than the request" };
    }
    const expiresAt = this.#now() + HANDSHAKE_REPLY_TTL_MS;
    const limit = this.#replies.set(replyKey, { ...reply, expiresAt })
      ? decision.limit ?? "handshakeReplies"
      : decision.limit;
    return { peer: decision.peer, note: decision.note, ...(limit ? { limit } : {}), ...reply };
  }

  #login(
    body: Extract<V2LoginBody, { verb: "LOGIN" }>,
    from: Address,
    sourceKey: string,
  ): Decision {
    const peer = body.user;
    if (body.clientNonce.length > MAX_CLIENT_NONCE_CHARS) {
      return { peer, body: { status: "ERR", code: "malformed" }, note: "client nonce too long" };
    }
    const lockedMs = this.#guard.lockedFor(body.user, from.hostname);
    if (lockedMs > 0) return lockedOut(peer, lockedMs);
    // An unknown user gets a challenge that looks real, so user names cannot be probed.
    const { salt, iterations, verifier } = this.#authenticator.challengeFor(body.user);
    const nonce = body.clientNonce + encodeBase64(this.#randomBytes(SCRAM_NONCE_BYTES));
    const challenge: Challenge = {
      sourceKey,
      user: body.user,
      clientNonce: body.clientNonce,
      nonce,
      salt,
      iterations,
      verifier,
      expiresAt: this.#now() + V2_CHALLENGE_TTL_MS,
    };
    const evicted = this.#challenges.add(hostGroup(from.hostname), nonce, challenge);
    return {
      peer,
      body: { status: "CHALLENGE", nonce, salt: encodeBase64(salt), iterations },
      ...(evicted ? { limit: "challenges" } : {}),
    };
  }

  #proof(
    body: Extract<V2LoginBody, { verb: "PROOF" }>,
    from: Address,
    sourceKey: string,
  ): Decision {
    const challenge = this.#challenges.peek(body.nonce);
    if (
      challenge === undefined || challenge.sourceKey !== sourceKey ||
      challenge.expiresAt < this.#now()
    ) {
      return {
        peer: sourceKey,
        body: { status: "ERR", code: "expired" },
        note: "no such challenge",
      };
    }
    // Single use: a replayed proof finds nothing.
    this.#challenges.take(body.nonce);
    const peer = challenge.user;
    const lockedMs = this.#guard.lockedFor(peer, from.hostname);
    if (lockedMs > 0) return lockedOut(peer, lockedMs);
    const message = authMessage(challenge);
    const proof = decodeBase64(body.proof);
    if (
      challenge.verifier === undefined || proof === undefined ||
      !verifyClientProof(challenge.verifier, message, proof)
    ) {
      this.#guard.failed(peer, from.hostname);
      return { peer, body: { status: "ERR", code: "auth" }, note: "wrong proof or unknown user" };
    }
    if (!this.#authenticator.stillAccepts(peer, challenge.verifier)) {
      return {
        peer,
        body: { status: "ERR", code: "auth" },
        note: "credentials changed during the login",
      };
    }
    const token = encodeHex(this.#randomBytes(V2_TOKEN_BYTES));
    const opened = this.#state.openSession(from, peer, {
      version: 2,
      token,
      timeoutMs: this.#timeoutMs,
      replaceAtSameAddress: true,
    });
    if (!opened.ok) {
      const code: V2ErrorCode = opened.reason === "already logged in" ? "live" : "busy";
      const seconds = code === "live" ? wholeSeconds(this.#state.msUntilExpiry(peer)) : undefined;
      return {
        peer,
        body: { status: "ERR", code, ...(seconds === undefined ? {} : { seconds }) },
        note: opened.reason,
        ...(opened.reason === "tracker full" ? { limit: "sessions" } : {}),
      };
    }
    this.#guard.succeeded(peer, from.hostname);
    this.#seals.attach(
      opened.session,
      deriveSessionKeys(challenge.verifier.storedKey, message),
    );
    return {
      peer,
      body: {
        status: "WELCOME",
        token,
        serverSignature: encodeBase64(serverSignature(challenge.verifier.serverKey, message)),
        heartbeatMs: this.#heartbeatMs,
        timeoutMs: this.#timeoutMs,
      },
    };
  }
}

/** Whole seconds to wait (ceil), at least 1, for `ERR live` and `ERR locked`. */
function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function lockedOut(peer: string, lockedMs: number): Decision {
  return {
    peer,
    body: { status: "ERR", code: "locked", seconds: wholeSeconds(lockedMs) },
    note: "locked out after failures",
  };
}
