/**
 * A token bucket for transfer rate limits in bytes per second, shared by every transfer it
 * throttles (every upload together; every download together). Unset limits cost nothing:
 * callers skip the bucket entirely.
 *
 * @module
 */

import { delay } from "./async.ts";

/** Options of a {@linkcode TokenBucket}. */
export interface TokenBucketOptions {
  /** Sustained rate. */
  readonly bytesPerSecond: number;
  /**
   * Bytes that may go at once after a pause, or to catch up after a late timer; defaults to a
   * twentieth of a second's worth (≥ 16 KiB, one read). The bucket starts empty, so a transfer
   * never begins with a free burst: a quarter second's worth there made capped transfers of a
   * few seconds run 5–15 % over their cap.
   */
  readonly burstBytes?: number;
  /** The clock, in milliseconds; injected by tests. */
  readonly now?: () => number;
  /** How to wait; injected by tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const MIN_CHUNK_BYTES = 16 * 1024;

/**
 * Hands out bytes at a fixed rate. A taker that asks for more than is available goes into debt
 * and waits until the debt is repaid, so concurrent takers share the rate.
 *
 * @example
 * ```ts
 * import { TokenBucket } from "./token_bucket.ts";
 * let clock = 0;
 * const waits: number[] = [];
 * const bucket = new TokenBucket({
 *   bytesPerSecond: 1000,
 *   burstBytes: 100,
 *   now: () => clock,
 *   sleep: (ms) => { waits.push(ms); clock += ms; return Promise.resolve(); },
 * });
 * await bucket.take(500); // half a second's worth: it starts empty
 * clock += 1000; // a pause refills the burst, and no more
 * await bucket.take(100);
 * console.assert(waits.length === 1 && waits[0] === 500);
 * ```
 */
export class TokenBucket {
  readonly bytesPerSecond: number;
  readonly burstBytes: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #tokens: number;
  #updated: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.bytesPerSecond > 0)) throw new RangeError("bytesPerSecond must be positive");
    this.bytesPerSecond = options.bytesPerSecond;
    this.burstBytes = options.burstBytes ??
      Math.max(MIN_CHUNK_BYTES, Math.floor(options.bytesPerSecond / 20));
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? ((ms) => delay(ms));
    this.#tokens = 0;
    this.#updated = this.#now();
  }

  /**
   * A good read size under this limit: about a twentieth of a second's worth, between 16 KiB
   * and `max`, so one chunk never makes a transfer look stalled.
   */
  chunkBytes(max: number): number {
    return Math.min(max, Math.max(MIN_CHUNK_BYTES, Math.floor(this.bytesPerSecond / 20)));
  }

  /** Waits until `bytes` may be sent (or have been received). */
  async take(bytes: number): Promise<void> {
    const now = this.#now();
    this.#tokens = Math.min(
      this.burstBytes,
      this.#tokens + (now - this.#updated) * this.bytesPerSecond / 1000,
    );
    this.#updated = now;
    this.#tokens -= bytes;
    if (this.#tokens >= 0) return;
    await this.#sleep(-this.#tokens / this.bytesPerSecond * 1000);
  }
}
