/**
 * The tracker's side of protocol v2: SCRAM login, tokens bound to the login address, replies
 * remembered per session so a retransmission is answered again and never applied twice, paged
 * lists. Pure apart from the state it is given; time and randomness are injected.
 *
 * @module
 */

import {
  decodeV2Request,
  DEFAULT_SCRAM_ITERATIONS,
  encodeV2Reply,
  type Holder,
  holderWireText,
  pageLength,
  utf8Length,
  type V2ErrorCode,
  type V2ReplyBody,
  type V2Request,
  type V2RequestBody,
} from "../protocol/mod.ts";
import {
  MAX_HANDSHAKE_REPLIES,
  MAX_PENDING_CHALLENGES,
  V2_CHALLENGE_TTL_MS,
  V2_HEARTBEAT_INTERVAL_MS,
  V2_MAX_HOLDERS_PER_PAGE,
  V2_REPLY_CACHE_SIZE,
  V2_SESSION_TIMEOUT_MS,
} from "./defaults.ts";
import {
  authMessage,
  constantTimeEqual,
  decodeBase64,
  deriveClientKeysSync,
  encodeBase64,
  type ScramVerifier,
  secretSalt,
  serverSignature,
  verifyClientProof,
} from "../protocol/scram.ts";
import { BoundedMap, type LoginGuard } from "./guard.ts";
import { type Address, addressKey, type Session, type TrackerState } from "./state.ts";

/** What happened to one v2 datagram, for the reply and the log. */
export interface V2Outcome {
  readonly peer: string;
  readonly command: string;
  readonly reply?: Uint8Array;
  readonly summary?: string;
  readonly note?: string;
  /** A bounded table was full: the event to log (throttled by the caller). */
  readonly capHit?: string;
}

/** What {@linkcode V2Handler} needs. */
export interface V2HandlerOptions {
  readonly state: TrackerState;
  readonly guard: LoginGuard;
  readonly now: () => number;
  /** The tracker's secret: salts for plaintext and unknown users derive from it. */
  readonly secret: Uint8Array;
  /** Random bytes (tokens, nonces); defaults to the CSPRNG. */
  readonly randomBytes?: (length: number) => Uint8Array;
  readonly iterations?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatMs?: number;
}

interface Challenge {
  readonly sourceKey: string;
  readonly user: string;
  readonly clientNonce: string;
  readonly nonce: string;
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly verifier?: ScramVerifier;
  readonly expiresAt: number;
}

interface ReplyCache {
  highestId: number;
  readonly replies: Map<number, { bytes: Uint8Array; summary: string }>;
}

/** The longest client nonce accepted, leaving room for the tracker's half. */
const MAX_CLIENT_NONCE_CHARS = 64;

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Handles v2 datagrams.
 *
 * @example
 * ```ts ignore
 * const handler = new V2Handler({ state, guard, now, secret });
 * const outcome = handler.handle(datagram, { hostname: "127.0.0.1", port: 5000 });
 * ```
 */
export class V2Handler {
  readonly #state: TrackerState;
  readonly #guard: LoginGuard;
  readonly #now: () => number;
  readonly #secret: Uint8Array;
  readonly #randomBytes: (length: number) => Uint8Array;
  readonly #iterations: number;
  readonly #timeoutMs: number;
  readonly #heartbeatMs: number;
  readonly #challenges = new BoundedMap<string, Challenge>(MAX_PENDING_CHALLENGES);
  readonly #handshakeReplies = new BoundedMap<string, { bytes: Uint8Array; summary: string }>(
    MAX_HANDSHAKE_REPLIES,
  );
  readonly #replyCaches = new WeakMap<Session, ReplyCache>();
  readonly #plainVerifiers = new Map<string, ScramVerifier>();

  constructor(options: V2HandlerOptions) {
    this.#state = options.state;
    this.#guard = options.guard;
    this.#now = options.now;
    this.#secret = options.secret;
    this.#randomBytes = options.randomBytes ??
      ((length) => crypto.getRandomValues(new Uint8Array(length)));
    this.#iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
    this.#timeoutMs = options.sessionTimeoutMs ?? V2_SESSION_TIMEOUT_MS;
    this.#heartbeatMs = options.heartbeatMs ?? V2_HEARTBEAT_INTERVAL_MS;
  }

  /** Handles one datagram that starts with `PS2 `. */
  handle(datagram: Uint8Array, from: Address): V2Outcome {
    const session = this.#state.sessionAt(from);
    const sourceKey = addressKey(from);
    const decoded = decodeV2Request(datagram);
    if (!decoded.ok) {
      const peer = session?.user ?? sourceKey;
      if (decoded.id === undefined) return { peer, command: "INVALID", note: decoded.reason };
      return {
        peer,
        command: "INVALID",
        note: decoded.reason,
        ...this.#refusal(decoded.id, "malformed", datagram.length, session !== undefined),
      };
    }
    const request = decoded.request;
    const command = request.body.verb;
    if (request.token === undefined) {
      return { command, ...this.#handshake(request, from, sourceKey, datagram.length) };
    }
    if (
      session === undefined || session.version !== 2 || session.token === undefined ||
      !constantTimeEqual(
        new TextEncoder().encode(session.token),
        new TextEncoder().encode(request.token),
      )
    ) {
      // A wrong, stale or roaming token changes nothing and learns nothing.
      return {
        peer: sourceKey,
        command,
        note: session ? "wrong token" : "no session for this address",
        ...this.#refusal(request.id, "token", datagram.length, false),
      };
    }
    const cache = this.#cacheOf(session);
    const cached = cache.replies.get(request.id);
    if (cached) {
      this.#state.touch(session);
      return {
        peer: session.user,
        command,
        reply: cached.bytes,
        summary: cached.summary,
        note: "retransmission",
      };
    }
    if (request.id <= cache.highestId - V2_REPLY_CACHE_SIZE) {
      return {
        peer: session.user,
        command,
        note: "stale id",
        ...this.#reply(request.id, { status: "ERR", code: "stale" }),
      };
    }
    this.#state.touch(session);
    const body = this.#answer(session, request.body);
    const reply = this.#reply(request.id, body);
    cache.highestId = Math.max(cache.highestId, request.id);
    cache.replies.set(request.id, { bytes: reply.reply, summary: reply.summary });
    if (cache.replies.size > V2_REPLY_CACHE_SIZE) {
      for (const id of cache.replies.keys()) {
        if (cache.replies.size <= V2_REPLY_CACHE_SIZE) break;
        cache.replies.delete(id);
      }
    }
    return { peer: session.user, command, ...reply };
  }

  #cacheOf(session: Session): ReplyCache {
    let cache = this.#replyCaches.get(session);
    if (cache === undefined) {
      cache = { highestId: 0, replies: new Map() };
      this.#replyCaches.set(session, cache);
    }
    return cache;
  }

  #reply(id: number, body: V2ReplyBody): { reply: Uint8Array; summary: string } {
    const reply = encodeV2Reply({ id, body });
    const summary = body.status === "ERR" ? `ERR ${body.code}` : body.status;
    return { reply, summary };
  }

  /** An error reply, unless it would be larger than what a stranger sent. */
  #refusal(
    id: number,
    code: V2ErrorCode,
    requestBytes: number,
    hasSession: boolean,
  ): { reply?: Uint8Array; summary?: string } {
    const reply = this.#reply(id, { status: "ERR", code });
    return hasSession || reply.reply.length <= requestBytes ? reply : {};
  }

  #handshake(
    request: V2Request,
    from: Address,
    sourceKey: string,
    requestBytes: number,
  ): Omit<V2Outcome, "command"> {
    const replyKey = `${sourceKey}#${request.id}`;
    const previous = this.#handshakeReplies.get(replyKey);
    const body = request.body;
    const user = body.verb === "LOGIN" ? body.user : undefined;
    if (previous) {
      return {
        peer: user ?? sourceKey,
        reply: previous.bytes,
        summary: previous.summary,
        note: "retransmission",
      };
    }
    let outcome: { peer: string; body: V2ReplyBody; note?: string; capHit?: string };
    if (body.verb === "LOGIN") outcome = this.#login(body, from, sourceKey);
    else if (body.verb === "PROOF") outcome = this.#proof(body, from, sourceKey);
    else {return {
        peer: sourceKey,
        note: "token required",
        ...this.#refusal(request.id, "token", requestBytes, false),
      };}
    const reply = this.#reply(request.id, outcome.body);
    if (reply.reply.length > requestBytes) {
      return { peer: outcome.peer, note: "reply would be larger than the request" };
    }
    if (this.#handshakeReplies.set(replyKey, { bytes: reply.reply, summary: reply.summary })) {
      outcome.capHit ??= "handshake reply cache full";
    }
    return { peer: outcome.peer, note: outcome.note, capHit: outcome.capHit, ...reply };
  }

  #login(
    body: Extract<V2RequestBody, { verb: "LOGIN" }>,
    from: Address,
    sourceKey: string,
  ): { peer: string; body: V2ReplyBody; note?: string; capHit?: string } {
    const peer = body.user;
    if (body.clientNonce.length > MAX_CLIENT_NONCE_CHARS) {
      return { peer, body: { status: "ERR", code: "malformed" }, note: "client nonce too long" };
    }
    if (this.#guard.lockedFor(body.user, from.hostname) > 0) {
      return { peer, body: { status: "ERR", code: "locked" }, note: "locked out after failures" };
    }
    const verifier = this.#verifierOf(body.user);
    // An unknown user gets a challenge that looks real, so user names cannot be probed.
    const salt = verifier?.salt ?? secretSalt(this.#secret, body.user);
    const iterations = verifier?.iterations ?? this.#iterations;
    const nonce = body.clientNonce + encodeBase64(this.#randomBytes(18));
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
    const evicted = this.#challenges.set(nonce, challenge);
    return {
      peer,
      body: { status: "CHALLENGE", nonce, salt: encodeBase64(salt), iterations },
      capHit: evicted ? "pending challenge table full" : undefined,
    };
  }

  #proof(
    body: Extract<V2RequestBody, { verb: "PROOF" }>,
    from: Address,
    sourceKey: string,
  ): { peer: string; body: V2ReplyBody; note?: string } {
    const challenge = this.#challenges.get(body.nonce);
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
    this.#challenges.delete(body.nonce);
    const peer = challenge.user;
    if (this.#guard.lockedFor(peer, from.hostname) > 0) {
      return { peer, body: { status: "ERR", code: "locked" }, note: "locked out after failures" };
    }
    const message = authMessage({
      user: challenge.user,
      clientNonce: challenge.clientNonce,
      nonce: challenge.nonce,
      salt: challenge.salt,
      iterations: challenge.iterations,
    });
    const proof = decodeBase64(body.proof);
    if (
      challenge.verifier === undefined || proof === undefined ||
      !verifyClientProof(challenge.verifier, message, proof)
    ) {
      this.#guard.failed(peer, from.hostname);
      return { peer, body: { status: "ERR", code: "auth" }, note: "wrong proof or unknown user" };
    }
    const token = hex(this.#randomBytes(16));
    const opened = this.#state.openSession(from, peer, {
      version: 2,
      token,
      timeoutMs: this.#timeoutMs,
    });
    if (!opened.ok) {
      const code: V2ErrorCode = opened.reason === "already logged in" ? "live" : "busy";
      return { peer, body: { status: "ERR", code }, note: opened.reason };
    }
    this.#guard.succeeded(peer);
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

  #verifierOf(user: string): ScramVerifier | undefined {
    const credential = this.#state.credential(user);
    if (credential === undefined) return undefined;
    if (credential.kind === "scram") return credential.verifier;
    let verifier = this.#plainVerifiers.get(user);
    if (verifier === undefined) {
      // Derived once per plaintext user (bounded by the credentials file), then cached.
      const salt = secretSalt(this.#secret, user);
      const keys = deriveClientKeysSync(credential.password, salt, this.#iterations);
      verifier = {
        iterations: this.#iterations,
        salt,
        storedKey: keys.storedKey,
        serverKey: keys.serverKey,
      };
      this.#plainVerifiers.set(user, verifier);
    }
    return verifier;
  }

  #answer(session: Session, body: V2RequestBody): V2ReplyBody {
    const state = this.#state;
    const user = session.user;
    switch (body.verb) {
      case "LOGIN":
      case "PROOF":
        return { status: "ERR", code: "malformed" };
      case "TCP":
        session.downloadAddress = { hostname: body.host, port: body.port };
        return { status: "OK" };
      case "HBT":
        return { status: "OK" };
      case "BYE":
        state.end(session);
        return { status: "OK" };
      case "LAP":
        return listPage(state.activeUsers(user), body.offset);
      case "LPF":
        return listPage(state.publishedBy(user), body.offset);
      case "SCH":
        return listPage(state.search(body.text, user), body.offset);
      case "PUB":
        return state.publish(user, body.file, { size: body.size, sha256: body.sha256 })
          ? { status: "OK" }
          : { status: "ERR", code: "limit" };
      case "UNP":
        return state.unpublish(user, body.file)
          ? { status: "OK" }
          : { status: "ERR", code: "notpublished" };
      case "GET": {
        if (!state.isPublished(body.file)) return { status: "ERR", code: "notfound" };
        const holders = state.holders(body.file, user).map(({ session: holder, meta }) =>
          holderOf(holder, meta)
        );
        if (holders.length === 0) return { status: "ERR", code: "inactive" };
        return holdersPage(holders, body.offset);
      }
    }
  }
}

function holderOf(session: Session, meta?: { size: number; sha256: string }): Holder {
  const claimed = session.downloadAddress as Address;
  const observed = session.address.hostname;
  return {
    user: session.user,
    host: observed,
    port: claimed.port,
    ...(meta ? { size: meta.size, sha256: meta.sha256 } : {}),
    ...(claimed.hostname !== observed
      ? { claimed: { host: claimed.hostname, port: claimed.port } }
      : {}),
  };
}

// Room for `PS2 <id> LIST <total> <offset>` with every number at its widest.
const PAGE_HEADER_BYTES = utf8Length("PS2 4294967295 HOLDERS 9007199254740991 9007199254740991");

function listPage(names: readonly string[], offset: number): V2ReplyBody {
  const count = pageLength(names, offset, PAGE_HEADER_BYTES);
  return {
    status: "LIST",
    total: names.length,
    offset,
    names: names.slice(offset, offset + count),
  };
}

function holdersPage(holders: readonly Holder[], offset: number): V2ReplyBody {
  const texts = holders.map(holderWireText);
  const count = Math.min(V2_MAX_HOLDERS_PER_PAGE, pageLength(texts, offset, PAGE_HEADER_BYTES));
  return {
    status: "HOLDERS",
    total: holders.length,
    offset,
    holders: holders.slice(offset, offset + count),
  };
}
