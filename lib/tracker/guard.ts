/**
 * Defences against strangers: a per-source flood limit, a login lockout that grows with each
 * failure, and a log throttle so a flood cannot flood the log too. Pure: time is injected, and
 * every table is bounded.
 *
 * @module
 */

import {
  CAP_LOG_INTERVAL_MS,
  FREE_LOGIN_FAILURES,
  LOGIN_LOCKOUT_INITIAL_MS,
  LOGIN_LOCKOUT_MAX_MS,
  MAX_TRACKED_SOURCES,
  RATE_LIMIT_BURST,
  RATE_LIMIT_PER_SECOND,
} from "./defaults.ts";

/** A map that forgets its least recently used entry when full. */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The value, marked as most recently used. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Stores a value; returns true when an old entry had to be forgotten for it. */
  set(key: K, value: V): boolean {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size <= this.capacity) return false;
    const oldest = this.#entries.keys().next().value as K;
    this.#entries.delete(oldest);
    return true;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }
}

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * A token bucket per source address: `rate` datagrams per second with bursts up to `burst`.
 *
 * @example
 * ```ts
 * import { RateLimiter } from "./guard.ts";
 * const limiter = new RateLimiter({ now: () => 0, rate: 1, burst: 2 });
 * console.assert(limiter.allow("10.0.0.1") && limiter.allow("10.0.0.1"));
 * console.assert(!limiter.allow("10.0.0.1"));
 * ```
 */
export class RateLimiter {
  readonly #buckets: BoundedMap<string, Bucket>;
  readonly #now: () => number;
  readonly #rate: number;
  readonly #burst: number;

  constructor(options: { now: () => number; rate?: number; burst?: number; capacity?: number }) {
    this.#now = options.now;
    this.#rate = options.rate ?? RATE_LIMIT_PER_SECOND;
    this.#burst = options.burst ?? RATE_LIMIT_BURST;
    this.#buckets = new BoundedMap(options.capacity ?? MAX_TRACKED_SOURCES);
  }

  /** Sources currently tracked (bounded). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes a token for `source`; false when the source is over its rate. */
  allow(source: string): boolean {
    const now = this.#now();
    const bucket = this.#buckets.get(source) ?? { tokens: this.#burst, updated: now };
    bucket.tokens = Math.min(
      this.#burst,
      bucket.tokens + (now - bucket.updated) * this.#rate / 1000,
    );
    bucket.updated = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.set(source, bucket);
    return allowed;
  }
}

interface Failures {
  count: number;
  lockedUntil: number;
}

/**
 * Failed logins per user and per source host: a few are free, then each failure locks the user
 * and the source out for twice as long as the last, up to a cap. A success clears the user.
 *
 * @example
 * ```ts
 * import { LoginGuard } from "./guard.ts";
 * let now = 0;
 * const guard = new LoginGuard({ now: () => now, freeFailures: 1 });
 * guard.failed("alice", "10.0.0.1");
 * guard.failed("alice", "10.0.0.1");
 * console.assert(guard.lockedFor("alice", "10.0.0.2") === 1000);
 * ```
 */
export class LoginGuard {
  readonly #byUser: BoundedMap<string, Failures>;
  readonly #bySource: BoundedMap<string, Failures>;
  readonly #now: () => number;
  readonly #free: number;

  constructor(options: { now: () => number; freeFailures?: number; capacity?: number }) {
    this.#now = options.now;
    this.#free = options.freeFailures ?? FREE_LOGIN_FAILURES;
    const capacity = options.capacity ?? MAX_TRACKED_SOURCES;
    this.#byUser = new BoundedMap(capacity);
    this.#bySource = new BoundedMap(capacity);
  }

  /** Milliseconds until `user` may try again from `source`; 0 when not locked. */
  lockedFor(user: string, source: string): number {
    const now = this.#now();
    const until = Math.max(
      this.#byUser.get(user)?.lockedUntil ?? 0,
      this.#bySource.get(source)?.lockedUntil ?? 0,
    );
    return Math.max(0, until - now);
  }

  /** Records a failed login. */
  failed(user: string, source: string): void {
    for (const [table, key] of [[this.#byUser, user], [this.#bySource, source]] as const) {
      const failures = table.get(key) ?? { count: 0, lockedUntil: 0 };
      failures.count++;
      const over = failures.count - this.#free;
      if (over > 0) {
        const lockout = Math.min(LOGIN_LOCKOUT_MAX_MS, LOGIN_LOCKOUT_INITIAL_MS * 2 ** (over - 1));
        failures.lockedUntil = this.#now() + lockout;
      }
      table.set(key, failures);
    }
  }

  /** Records a successful login: the user's failures are forgiven. */
  succeeded(user: string): void {
    this.#byUser.delete(user);
  }
}

/**
 * Decides whether a repeated event (a cap hit, a dropped flood) is logged now: the first time, and
 * then once per interval with the number suppressed meanwhile.
 *
 * @example
 * ```ts
 * import { EventThrottle } from "./guard.ts";
 * let now = 0;
 * const throttle = new EventThrottle({ now: () => now });
 * console.assert(throttle.record("flood") === 0);
 * console.assert(throttle.record("flood") === undefined);
 * now = 10_000;
 * console.assert(throttle.record("flood") === 1);
 * ```
 */
export class EventThrottle {
  readonly #last = new BoundedMap<string, { at: number; suppressed: number }>(1024);
  readonly #now: () => number;
  readonly #intervalMs: number;

  constructor(options: { now: () => number; intervalMs?: number }) {
    this.#now = options.now;
    this.#intervalMs = options.intervalMs ?? CAP_LOG_INTERVAL_MS;
  }

  /**
   * Records one occurrence of `event`. Returns the number of occurrences suppressed since the
   * last logged one when this one should be logged, else `undefined`.
   */
  record(event: string): number | undefined {
    const now = this.#now();
    const last = this.#last.get(event);
    if (last === undefined || now - last.at >= this.#intervalMs) {
      this.#last.set(event, { at: now, suppressed: 0 });
      return last?.suppressed ?? 0;
    }
    last.suppressed++;
    return undefined;
  }
}
