/**
 * Defences against strangers: a per-source flood limit, login throttling per (user, host) and per
 * host that no stranger can turn into a lockout of someone else, and a log throttle so a flood cannot flood the log too. Pure: time is injected, and
 * every table is bounded.
 *
 * @module
 */

import {
  CAP_LOG_INTERVAL_MS,
  FAILURE_MEMORY_MS,
  FREE_LOGIN_FAILURES,
  HOST_FREE_LOGIN_FAILURES,
  LOGIN_LOCKOUT_INITIAL_MS,
  LOGIN_LOCKOUT_MAX_MS,
  MAX_TRACKED_SOURCES,
  PRESSURED_LOCKOUT_INITIAL_MS,
  RATE_LIMIT_BURST,
  RATE_LIMIT_PER_SECOND,
  USER_PRESSURE_FAILURES,
  USER_PRESSURE_WINDOW_MS,
} from "./defaults.ts";
import { hostGroup } from "../protocol/mod.ts";

/** A map that forgets its least recently used entry when full. */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  // The oldest entry is found by one iterator kept from call to call: a new iterator per eviction
  // walks over every entry deleted from the front since the table was last compacted, which cost
  // ~15 µs a datagram once 100,000 sessions cycled through a table of 10,000 sources.
  #oldest: Iterator<K> | undefined;
  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The value, not marked as used (see {@linkcode BoundedMap.refresh}). */
  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** Stores `value` at `key` as the most recently used entry (without forgetting any). */
  refresh(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
  }

  /** The value, marked as most recently used. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) this.refresh(key, value);
    return value;
  }

  /** Stores a value; returns true when an old entry had to be forgotten for it. */
  set(key: K, value: V): boolean {
    this.refresh(key, value);
    if (this.#entries.size <= this.capacity) return false;
    // Every entry before the iterator's place is gone (entries are only added at the end), so
    // the next key it gives is the oldest; one that has run out is made again.
    let oldest = this.#oldest?.next();
    if (oldest === undefined || oldest.done) {
      this.#oldest = this.#entries.keys();
      oldest = this.#oldest.next();
    }
    this.#entries.delete(oldest.value as K);
    return true;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }
}

/** One source's tokens; a bucket kept outside the limiter's table is its owner's (a session). */
export interface RateBucket {
  tokens: number;
  updated: number;
  /** When the bucket was last marked as used in the bounded table. */
  marked: number;
}

/**
 * A busy source's bucket is marked as recently used at most this often: marking moves it in the
 * table (two map operations), and doing that per datagram cost the request path ~0.2 µs a limiter.
 * A source silent for longer than this is still forgotten before one that spoke since.
 */
const BUCKET_MARK_INTERVAL_MS = 1000;

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
  readonly #buckets: BoundedMap<string, RateBucket>;
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
    return this.#take(this.#lookUp(source, now), now);
  }

  /**
   * The table's bucket for `source`, for {@linkcode RateLimiter.take}: `known` (a bucket this
   * method returned for it before) while it was marked used within the last second, else the
   * table's, looked up — made, or marked used — again. A session keeps its host's bucket so, and
   * its datagrams skip the host lookup; the table still sees the host used once a second, as
   * with `allow` (evicting a bucket marked within the second takes more new sources within it
   * than the table holds).
   */
  bucketFor(source: string, known: RateBucket | undefined): RateBucket {
    if (known !== undefined && this.isKept(known)) return known;
    return this.#lookUp(source, this.#now());
  }

  /**
   * Whether `known` may still be used without a look-up ({@linkcode RateLimiter.bucketFor}
   * would return it), so a caller can skip building the source's key.
   */
  isKept(known: RateBucket): boolean {
    return this.#now() - known.marked < BUCKET_MARK_INTERVAL_MS;
  }

  #lookUp(source: string, now: number): RateBucket {
    const buckets = this.#buckets;
    let bucket = buckets.peek(source);
    if (bucket === undefined) {
      bucket = { tokens: this.#burst, updated: now, marked: now };
      buckets.set(source, bucket);
    } else if (now - bucket.marked >= BUCKET_MARK_INTERVAL_MS) {
      bucket.marked = now;
      buckets.refresh(source, bucket);
    }
    return bucket;
  }

  /**
   * A full bucket at this limiter's rate, kept by its owner instead of the table: a session
   * holds its address's, so its datagrams cost no lookup of a key string (issue 11).
   */
  bucket(): RateBucket {
    const now = this.#now();
    return { tokens: this.#burst, updated: now, marked: now };
  }

  /** Takes a token from a bucket {@linkcode RateLimiter.bucket} made; false when over the rate. */
  take(bucket: RateBucket): boolean {
    return this.#take(bucket, this.#now());
  }

  #take(bucket: RateBucket, now: number): boolean {
    bucket.tokens = Math.min(
      this.#burst,
      bucket.tokens + (now - bucket.updated) * this.#rate / 1000,
    );
    bucket.updated = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return allowed;
  }
}

interface Failures {
  count: number;
  lockedUntil: number;
  lastFailure: number;
}

/** What a {@linkcode LoginGuard} counts with; every field has a default in `defaults.ts`. */
export interface LoginGuardOptions {
  readonly now: () => number;
  /** Free failures per (user, source host) (default {@linkcode FREE_LOGIN_FAILURES}). */
  readonly freeFailures?: number;
  /** Free failures per source host, any user (default {@linkcode HOST_FREE_LOGIN_FAILURES}). */
  readonly hostFreeFailures?: number;
  /** Entries tracked per table; the least recently used is forgotten. */
  readonly capacity?: number;
}

/**
 * Failed logins, counted so that a stranger can slow guessing down but never lock a user out:
 *
 * - per (user, source host): {@linkcode FREE_LOGIN_FAILURES} free, then a lockout of 1 s doubling
 *   per failure up to 5 min — for that user from that host only;
 * - per source host, any user: {@linkcode HOST_FREE_LOGIN_FAILURES} free, then the same backoff
 *   for every user from that host (one host guessing many users' passwords);
 * - per user: slow-down only. While a user has more than {@linkcode USER_PRESSURE_FAILURES}
 *   failures in {@linkcode USER_PRESSURE_WINDOW_MS}, each (user, host) gets only one free failure
 *   and a first lockout of {@linkcode PRESSURED_LOCKOUT_INITIAL_MS}; a host with no failures for
 *   that user is never refused, so the right password from a clean host always gets in at once.
 *
 * A host is an address as {@linkcode hostGroup} groups it: an IPv6 address counts as its /64,
 * or one machine could guess from 2⁶⁴ clean hosts. A success forgives the (user, host); failures
 * older than {@linkcode FAILURE_MEMORY_MS} are forgotten. Pure: time is injected; every table is
 * bounded.
 *
 * @example
 * ```ts
 * import { LoginGuard } from "./guard.ts";
 * let now = 0;
 * const guard = new LoginGuard({ now: () => now, freeFailures: 1 });
 * guard.failed("alice", "10.0.0.1");
 * guard.failed("alice", "10.0.0.1");
 * console.assert(guard.lockedFor("alice", "10.0.0.1") === 1000);
 * console.assert(guard.lockedFor("alice", "10.0.0.2") === 0);
 * console.assert(guard.lockedFor("bob", "10.0.0.1") === 0);
 * ```
 */
export class LoginGuard {
  readonly #byUserHost: BoundedMap<string, Failures>;
  readonly #byHost: BoundedMap<string, Failures>;
  readonly #userPressure: BoundedMap<string, { windowStart: number; count: number }>;
  readonly #now: () => number;
  readonly #free: number;
  readonly #hostFree: number;

  constructor(options: LoginGuardOptions) {
    this.#now = options.now;
    this.#free = options.freeFailures ?? FREE_LOGIN_FAILURES;
    this.#hostFree = options.hostFreeFailures ?? HOST_FREE_LOGIN_FAILURES;
    const capacity = options.capacity ?? MAX_TRACKED_SOURCES;
    this.#byUserHost = new BoundedMap(capacity);
    this.#byHost = new BoundedMap(capacity);
    this.#userPressure = new BoundedMap(capacity);
  }

  /** Milliseconds until `user` may try again from the host of `address`; 0 when not locked. */
  lockedFor(user: string, address: string): number {
    const host = hostGroup(address);
    const now = this.#now();
    const until = Math.max(
      this.#byUserHost.get(userHostKey(user, host))?.lockedUntil ?? 0,
      this.#byHost.get(host)?.lockedUntil ?? 0,
    );
    return Math.max(0, until - now);
  }

  /** Records a failed login of `user` from the host of `address`. */
  failed(user: string, address: string): void {
    const host = hostGroup(address);
    const now = this.#now();
    const pressured = this.#pressure(user, now) > USER_PRESSURE_FAILURES;
    this.#count(this.#byUserHost, userHostKey(user, host), now, {
      free: pressured ? 1 : this.#free,
      initialMs: pressured ? PRESSURED_LOCKOUT_INITIAL_MS : LOGIN_LOCKOUT_INITIAL_MS,
    });
    this.#count(this.#byHost, host, now, {
      free: this.#hostFree,
      initialMs: LOGIN_LOCKOUT_INITIAL_MS,
    });
  }

  /** Records a successful login: this user's failures from the host of `address` are forgiven. */
  succeeded(user: string, address: string): void {
    this.#byUserHost.delete(userHostKey(user, hostGroup(address)));
  }

  #pressure(user: string, now: number): number {
    let pressure = this.#userPressure.get(user);
    if (pressure === undefined || now - pressure.windowStart > USER_PRESSURE_WINDOW_MS) {
      pressure = { windowStart: now, count: 0 };
    }
    pressure.count++;
    this.#userPressure.set(user, pressure);
    return pressure.count;
  }

  #count(
    table: BoundedMap<string, Failures>,
    key: string,
    now: number,
    rule: { free: number; initialMs: number },
  ): void {
    let failures = table.get(key);
    if (failures === undefined || now - failures.lastFailure > FAILURE_MEMORY_MS) {
      failures = { count: 0, lockedUntil: 0, lastFailure: now };
    }
    failures.count++;
    failures.lastFailure = now;
    const over = failures.count - rule.free;
    if (over > 0) {
      const lockout = Math.min(LOGIN_LOCKOUT_MAX_MS, rule.initialMs * 2 ** (over - 1));
      failures.lockedUntil = Math.max(failures.lockedUntil, now + lockout);
    }
    table.set(key, failures);
  }
}

function userHostKey(user: string, host: string): string {
  // A user name never contains a space (nor does a host literal), so this key is unambiguous.
  return `${user} ${host}`;
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
