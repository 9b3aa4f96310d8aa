/**
 * The datagram router: the whole tracker minus the socket. Each datagram passes the flood limits,
 * retires silent sessions, and goes to the v1 or the v2 handler; a table cap a handler reports
 * becomes a limit event for the log. One call per datagram, returning a value; pure apart from the
 * state it owns, with time and randomness injected.
 *
 * @module
 */

import { hostGroup, isSealedDatagram, isV2Datagram } from "../protocol/mod.ts";
import { Authenticator } from "./authenticator.ts";
import type { Credential } from "./credentials.ts";
import {
  HEARTBEATS_PER_SESSION_TIMEOUT,
  HOST_RATE_LIMIT_BURST,
  HOST_RATE_LIMIT_PER_SECOND,
  MAX_SESSIONS,
  MAX_TRACKED_SOURCES,
  MIN_HEARTBEAT_INTERVAL_MS,
} from "./defaults.ts";
import { LoginGuard, RateLimiter } from "./guard.ts";
import type { HandlerOutcome, TableLimit } from "./outcome.ts";
import { type Address, addressKey, type Session, TrackerState } from "./state.ts";
import { V1Handler } from "./v1_handler.ts";
import { V2Handler } from "./v2_handler.ts";
import { type ProtocolVersion, TrafficCounters } from "./status/traffic.ts";

/** What happened to one datagram. */
export interface RouterOutcome {
  /** The user of the session (or login attempt), else the source address. */
  readonly peer: string;
  /** The command word (`AUTH`, `LOGIN`, `LAP` …) or `INVALID`; absent for a dropped datagram. */
  readonly command?: string;
  readonly reply?: Uint8Array;
  /** A short text of the reply for the log. */
  readonly summary?: string;
  readonly note?: string;
  /** Sessions found expired while handling this datagram. */
  readonly expired: readonly Session[];
  /** A limit was hit: the event to log, throttled. */
  readonly capHit?: string;
  /** Set when the reply waits for work off the loop; send and log it when it settles. */
  readonly pending?: Promise<RouterOutcome>;
}

/** What a {@linkcode DatagramRouter} needs. */
export interface DatagramRouterOptions {
  readonly credentials: ReadonlyMap<string, Credential>;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** Secret for derived salts; random by default (a restart changes plaintext users' salts). */
  readonly secret?: Uint8Array;
  readonly allowPlaintext?: boolean;
  readonly randomBytes?: (length: number) => Uint8Array;
  /** Per-source limit (datagrams per second and burst). */
  readonly rate?: { readonly perSecond: number; readonly burst: number };
  /** Per-host limit, any port (default 2000/s, bursts of 4000); benchmarks raise it. */
  readonly hostRate?: { readonly perSecond: number; readonly burst: number };
  readonly iterations?: number;
  /** How long a silent v2 session lives; its peers are told to beat 3 times as often. */
  readonly v2SessionTimeoutMs?: number;
  /** Whether v2 requests after login may still come unsealed (see `ACCEPT_UNSEALED_REQUESTS`). */
  readonly acceptUnsealed?: boolean;
  /** True lets `TCP` register a host other than the sender's (`--allow-foreign-tcp-address`). */
  readonly allowForeignTcpAddress?: boolean;
  /** The state to serve from, e.g. with publications loaded from a store; a new one by default. */
  readonly state?: TrackerState;
  /** Caps of a state made here (a given `state` has its own). */
  readonly maxSessions?: number;
  readonly maxPublicationsPerUser?: number;
  /** The most work one search may do (`--max-search-steps`), for a state made here. */
  readonly maxSearchSteps?: number;
}

/** A user dropped by a credentials reload. */
export interface RemovedUser {
  readonly user: string;
  /** The session that was ended, if the user was logged in. */
  readonly session?: Session;
  /** How many publications were withdrawn. */
  readonly withdrawn: number;
}

/** What the router has counted since it started, for operators. */
export interface RouterCounters {
  /** Sealed datagrams dropped: forged, altered, replayed, from the wrong address, malformed. */
  readonly forged: number;
}

/** The log's words for each table cap. */
const LIMIT_EVENTS: Readonly<Record<TableLimit, string>> = {
  sessions: "session table full",
  publications: "a user reached the publication limit",
  challenges: "pending challenge table full",
  handshakeReplies: "handshake reply cache full",
  verifications: "password verifications in flight at the cap",
  searchCost: "search too broad",
};

/**
 * Routes datagrams to the v1 or v2 rules after the flood limits.
 *
 * @example
 * ```ts
 * import { DatagramRouter } from "./datagram_router.ts";
 * const router = new DatagramRouter({ credentials: new Map(), now: () => 0 });
 * const outcome = router.handle(new TextEncoder().encode("lap"), { hostname: "127.0.0.1", port: 9 });
 * console.assert(new TextDecoder().decode(outcome.reply) === "ERR");
 * ```
 */
export class DatagramRouter {
  readonly state: TrackerState;
  readonly #sourceLimiter: RateLimiter;
  readonly #hostLimiter: RateLimiter;
  readonly #v1: V1Handler;
  readonly #v2: V2Handler;
  /** Requests, errors, drops and caps by kind, for `/metrics` (`status/traffic.ts`). */
  readonly traffic: TrafficCounters = new TrafficCounters();
  readonly #authenticator: Authenticator;

  constructor(options: DatagramRouterOptions) {
    const { now } = options;
    this.state = options.state ?? new TrackerState({
      now,
      maxSessions: options.maxSessions,
      maxPublicationsPerUser: options.maxPublicationsPerUser,
      maxSearchSteps: options.maxSearchSteps,
    });
    const authenticator = this.#authenticator = new Authenticator({
      credentials: options.credentials,
      secret: options.secret,
      iterations: options.iterations,
    });
    // v2 failures (a PROOF answering a CHALLENGE that reached the source) prove their source
    // address; a v1 `auth` proves nothing, and anyone can send one from a victim's address. So
    // v1 failures are counted apart and slow only v1, never the victim's v2 logins; v1 still
    // honours the lockouts v2 failures earned.
    const guard = new LoginGuard({ now });
    const plaintextGuard = new LoginGuard({ now });
    this.#sourceLimiter = new RateLimiter({
      now,
      rate: options.rate?.perSecond,
      burst: options.rate?.burst,
      // Every session's address, and as many strangers as the default table holds.
      capacity: MAX_TRACKED_SOURCES + (options.maxSessions ?? MAX_SESSIONS),
    });
    this.#hostLimiter = new RateLimiter({
      now,
      rate: options.hostRate?.perSecond ?? HOST_RATE_LIMIT_PER_SECOND,
      burst: options.hostRate?.burst ?? HOST_RATE_LIMIT_BURST,
    });
    this.#v1 = new V1Handler({
      state: this.state,
      authenticator,
      guard: plaintextGuard,
      verifiedGuard: guard,
      allowPlaintext: options.allowPlaintext,
      allowForeignTcpAddress: options.allowForeignTcpAddress,
    });
    this.#v2 = new V2Handler({
      state: this.state,
      authenticator,
      guard,
      now,
      randomBytes: options.randomBytes,
      sessionTimeoutMs: options.v2SessionTimeoutMs,
      acceptUnsealed: options.acceptUnsealed,
      allowForeignTcpAddress: options.allowForeignTcpAddress,
      heartbeatMs: options.v2SessionTimeoutMs === undefined ? undefined : Math.max(
        MIN_HEARTBEAT_INTERVAL_MS,
        Math.floor(options.v2SessionTimeoutMs / HEARTBEATS_PER_SESSION_TIMEOUT),
      ),
    });
  }

  /** What the router has counted, read from its traffic counters. */
  get counters(): RouterCounters {
    return { forged: this.traffic.drops.forgedSealed };
  }

  /** Handles one datagram from `from`. */
  handle(datagram: Uint8Array, from: Address): RouterOutcome {
    const traffic = this.traffic;
    traffic.received(datagram.length);
    const expired = this.state.expire();
    // The session at this address holds its flood bucket and its host's: one lookup finds all
    // three, and only a stranger's datagram builds a key string for the limiter's table. (A
    // session's own bucket starts full at login; a login needs the password, and the host limit
    // still holds.)
    const session = this.state.sessionAt(from);
    const hosts = this.#hostLimiter;
    const known = session?.hostFlood;
    // A host is an address as `hostGroup` groups it (an IPv6 address by its /64, or one machine
    // would have 2^64 fresh buckets); grouped only when the table is asked, not for a session's
    // kept bucket.
    const hostBucket = known !== undefined && hosts.isKept(known)
      ? known
      : hosts.bucketFor(hostGroup(from.hostname), known);
    // Written only when it changed (once a second at most): a store of an object is a write
    // barrier, and the session's line would be dirtied for nothing.
    if (session !== undefined && session.hostFlood !== hostBucket) session.hostFlood = hostBucket;
    if (!hosts.take(hostBucket)) {
      traffic.dropped("hostRate");
      const capHit = `flood from host ${hostGroup(from.hostname)} dropped`;
      return { peer: addressKey(from), expired, capHit };
    }
    const limiter = this.#sourceLimiter;
    if (
      session === undefined
        ? !limiter.allow(addressKey(from))
        : !limiter.take(session.flood ??= limiter.bucket())
    ) {
      traffic.dropped("sourceRate");
      const source = addressKey(from);
      return { peer: source, expired, capHit: `flood from ${source} dropped` };
    }
    if (isSealedDatagram(datagram)) {
      const outcome = this.#v2.handleSealed(datagram, from);
      if ("dropped" in outcome) {
        traffic.dropped("forgedSealed");
        return {
          peer: outcome.peer,
          expired,
          note: outcome.dropped,
          capHit: "forged sealed datagram dropped",
        };
      }
      return routed(outcome, expired, traffic, 2);
    }
    if (isV2Datagram(datagram)) return routed(this.#v2.handle(datagram, from), expired, traffic, 2);
    return routed(this.#v1.handleFrom(datagram, from, session), expired, traffic, 1);
  }

  /**
   * Swaps in reloaded credentials: new users can log in at once; users no longer in them are
   * logged out and their publications withdrawn.
   */
  replaceCredentials(credentials: ReadonlyMap<string, Credential>): RemovedUser[] {
    return this.#authenticator.replaceCredentials(credentials)
      .map((user) => ({ user, ...this.state.removeUser(user) }));
  }

  /** Retires silent sessions (for the periodic sweep). */
  expire(): Session[] {
    return this.state.expire();
  }
}

/**
 * A handler's outcome as the router reports it: a table cap as a log event, pending work too;
 * counted in `traffic` (a pending answer when it settles).
 */
function routed(
  outcome: HandlerOutcome,
  expired: readonly Session[],
  traffic: TrafficCounters,
  version: ProtocolVersion,
): RouterOutcome {
  traffic.handled(version, outcome);
  return reported(outcome, expired, traffic, version);
}

function reported(
  outcome: HandlerOutcome,
  expired: readonly Session[],
  traffic: TrafficCounters,
  version: ProtocolVersion,
): RouterOutcome {
  const { limit, pending } = outcome;
  // Field by field, not by spreading: this runs per datagram, and each spread was an object more.
  return {
    peer: outcome.peer,
    command: outcome.command,
    reply: outcome.reply,
    summary: outcome.summary,
    note: outcome.note,
    expired,
    capHit: limit ? LIMIT_EVENTS[limit] : undefined,
    pending: pending?.then((later) => {
      traffic.answered(version, later);
      return reported(later, [], traffic, version);
    }),
  };
}
