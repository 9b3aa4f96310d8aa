/**
 * When a holder counts as stalled: not "no byte for the stall window" — a holder dripping a byte a
 * second would never stall that way — but "less than the minimum speed's worth of bytes in a
 * whole stall window since its last real progress". Every time the bytes received since the last
 * checkpoint reach `minBytesPerSecond × windowMs`, a new checkpoint starts; a holder whose
 * checkpoint is a whole window old is stalled. Pure: the caller passes the time.
 *
 * @module
 */

import { formatBytes, formatSeconds } from "../../util/mod.ts";

/** The verdict on a holder: still going, or stalled with the words to say why. */
export type StallVerdict =
  | { readonly stalled: false }
  | { readonly stalled: true; readonly reason: string };

/**
 * Watches one connection's progress.
 *
 * @example
 * ```ts
 * import { StallWatch } from "./stall_watch.ts";
 * const watch = new StallWatch({ windowMs: 1000, minBytesPerSecond: 100 }, 0);
 * for (let t = 100; t <= 1000; t += 100) watch.add(1, t); // a byte every 100 ms: 10 B/s
 * console.assert(watch.check(1000).stalled);
 * const fine = new StallWatch({ windowMs: 1000, minBytesPerSecond: 100 }, 0);
 * for (let t = 100; t <= 3000; t += 100) fine.add(20, t); // 200 B/s
 * console.assert(!fine.check(3000).stalled);
 * ```
 */
export class StallWatch {
  readonly #windowMs: number;
  readonly #minBytesPerSecond: number;
  /** Bytes that must arrive within a window of the last checkpoint. */
  readonly #owed: number;
  #checkpoint: number;
  #sinceCheckpoint = 0;
  #lastByte: number;

  constructor(
    options: { readonly windowMs: number; readonly minBytesPerSecond: number },
    startMs: number,
  ) {
    this.#windowMs = options.windowMs;
    this.#minBytesPerSecond = Math.max(0, options.minBytesPerSecond);
    this.#owed = Math.max(1, Math.ceil(this.#minBytesPerSecond * options.windowMs / 1000));
    this.#checkpoint = startMs;
    this.#lastByte = startMs;
  }

  /** `bytes` arrived at `now`. */
  add(bytes: number, now: number): void {
    this.#sinceCheckpoint += bytes;
    if (bytes > 0) this.#lastByte = now;
    if (this.#sinceCheckpoint >= this.#owed) {
      this.#checkpoint = now;
      this.#sinceCheckpoint = 0;
    }
  }

  /** Whether the holder has made too little progress for a whole window, as of `now`. */
  check(now: number): StallVerdict {
    if (now - this.#checkpoint < this.#windowMs) return { stalled: false };
    const window = formatSeconds(this.#windowMs);
    // Silent for half the window or more: it stopped, whatever trickled in before.
    const silentMs = now - this.#lastByte;
    if (silentMs >= this.#windowMs / 2) {
      return { stalled: true, reason: `stopped sending (no data for ${formatSeconds(silentMs)})` };
    }
    return {
      stalled: true,
      reason: `too slow (${formatBytes(this.#sinceCheckpoint)} in ${window}, under ${
        formatBytes(this.#minBytesPerSecond)
      }/s)`,
    };
  }
}
