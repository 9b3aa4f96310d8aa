/**
 * The whole tracker minus the socket: flood limits, v1 and v2 routing, reply encoding. One call
 * per datagram; pure apart from the state it owns, with time and randomness injected.
 *
 * @module
 */

import { encodeReply, isV2Datagram, replyText } from "../protocol/mod.ts";
import type { Credential } from "./credentials.ts";
import {
  HEARTBEATS_PER_SESSION_TIMEOUT,
  HOST_RATE_LIMIT_BURST,
  HOST_RATE_LIMIT_PER_SECOND,
  MIN_HEARTBEAT_INTERVAL_MS,
} from "./defaults.ts";
import { handleDatagram } from "./dispatch.ts";
import { LoginGuard, RateLimiter } from "./guard.ts";
import { type Address, addressKey, type Session, TrackerState } from "./state.ts";
import { V2Handler } from "./v2_handler.ts";

/** What happened to one datagram. */
export interface CoreOutcome {
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
}

/** What a {@linkcode TrackerCore} needs. */
export interface TrackerCoreOptions {
  readonly credentials: ReadonlyMap<string, Credential>;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** Secret for derived salts; random by default (a restart changes plaintext users' salts). */
  readonly secret?: Uint8Array;
  readonly allowPlaintext?: boolean;
  readonly randomBytes?: (length: number) => Uint8Array;
  /** Per-source limit (datagrams per second and burst). */
  readonly rate?: { readonly perSecond: number; readonly burst: number };
  readonly iterations?: number;
  /** How long a silent v2 session lives; its peers are told to beat 15 times as often. */
  readonly v2SessionTimeoutMs?: number;
}

const MAX_LOGGED_REPLY_CHARS = 80;

/** The limit event behind a refusal, when a table's cap caused it. */
function tableCapHit(note?: string, summary?: string): string | undefined {
  if (note === "tracker full") return "session table full";
  if (note === "publication limit reached" || summary === "ERR limit") {
    return "a user reached the publication limit";
  }
  return undefined;
}

/**
 * Routes datagrams to the v1 or v2 rules after the flood limits.
 *
 * @example
 * ```ts
 * import { TrackerCore } from "./core.ts";
 * const core = new TrackerCore({ credentials: new Map(), now: () => 0 });
 * const outcome = core.handle(new TextEncoder().encode("lap"), { hostname: "127.0.0.1", port: 9 });
 * console.assert(new TextDecoder().decode(outcome.reply) === "ERR");
 * ```
 */
export class TrackerCore {
  readonly state: TrackerState;
  readonly #guard: LoginGuard;
  readonly #sourceLimiter: RateLimiter;
  readonly #hostLimiter: RateLimiter;
  readonly #v2: V2Handler;
  readonly #allowPlaintext: boolean;

  constructor(options: TrackerCoreOptions) {
    this.state = new TrackerState({ credentials: options.credentials, now: options.now });
    this.#guard = new LoginGuard({ now: options.now });
    this.#sourceLimiter = new RateLimiter({
      now: options.now,
      rate: options.rate?.perSecond,
      burst: options.rate?.burst,
    });
    this.#hostLimiter = new RateLimiter({
      now: options.now,
      rate: HOST_RATE_LIMIT_PER_SECOND,
      burst: HOST_RATE_LIMIT_BURST,
    });
    this.#allowPlaintext = options.allowPlaintext ?? true;
    this.#v2 = new V2Handler({
      state: this.state,
      guard: this.#guard,
      now: options.now,
      secret: options.secret ?? crypto.getRandomValues(new Uint8Array(32)),
      randomBytes: options.randomBytes,
      iterations: options.iterations,
      sessionTimeoutMs: options.v2SessionTimeoutMs,
      heartbeatMs: options.v2SessionTimeoutMs === undefined ? undefined : Math.max(
        MIN_HEARTBEAT_INTERVAL_MS,
        Math.floor(options.v2SessionTimeoutMs / HEARTBEATS_PER_SESSION_TIMEOUT),
      ),
    });
  }

  /** Handles one datagram from `from`. */
  handle(datagram: Uint8Array, from: Address): CoreOutcome {
    const source = addressKey(from);
    if (!this.#hostLimiter.allow(from.hostname)) {
      return { peer: source, expired: [], capHit: `flood from host ${from.hostname} dropped` };
    }
    if (!this.#sourceLimiter.allow(source)) {
      return { peer: source, expired: [], capHit: `flood from ${source} dropped` };
    }
    const expired = this.state.expire();
    if (isV2Datagram(datagram)) {
      const outcome = this.#v2.handle(datagram, from);
      const capHit = outcome.capHit ?? tableCapHit(outcome.note, outcome.summary);
      return { expired, ...outcome, ...(capHit ? { capHit } : {}) };
    }
    const outcome = handleDatagram(this.state, datagram, from, {
      guard: this.#guard,
      allowPlaintext: this.#allowPlaintext,
    });
    const capHit = tableCapHit(outcome.note);
    const base = {
      peer: outcome.peer,
      command: outcome.command,
      note: outcome.note,
      expired: [...expired, ...outcome.expired],
      ...(capHit ? { capHit } : {}),
    };
    if (outcome.reply === undefined) return base;
    const text = replyText(outcome.reply);
    const summary = text.length > MAX_LOGGED_REPLY_CHARS
      ? `${text.slice(0, MAX_LOGGED_REPLY_CHARS)}\u2026`
      : text;
    return { ...base, reply: encodeReply(outcome.reply), summary };
  }

  /** Retires silent sessions (for the periodic sweep). */
  expire(): Session[] {
    return this.state.expire();
  }
}
