/**
 * The minimum speed an upload must keep: after a grace period, a reader that took fewer than
 * `bytesPerSecond × windowMs` bytes over the last window is too slow and loses its slot — unless
 * the transfer has less than that left to send, so a transfer that is simply finishing is never
 * cut. Pure: the caller passes the time and the byte counts.
 *
 * What counts as taken is what the kernel accepted: a reader is seen only as the send buffer
 * drains, in steps that can reach a third of that buffer, so the window must be long enough for
 * an honest reader above the floor to show progress within it.
 *
 * @module
 */

/** A speed floor: how slow, measured over how long, after how long. */
export interface MinSpeed {
  /** The floor, in bytes per second; 0 turns the rule off. */
  readonly bytesPerSecond: number;
  /** The window the speed is averaged over. */
  readonly windowMs: number;
  /** How long a new transfer runs before the rule applies. */
  readonly graceMs: number;
}

/**
 * Watches one transfer against a {@linkcode MinSpeed}. Feed it the bytes sent so far at regular
 * intervals; it keeps only the samples the window needs.
 *
 * @example
 * ```ts
 * import { SpeedFloor } from "./speed_floor.ts";
 * const floor = new SpeedFloor({ bytesPerSecond: 100, windowMs: 1000, graceMs: 1000 }, 0);
 * console.assert(floor.check(500, 0, 10_000) === "ok"); // in its grace period
 * console.assert(floor.check(1500, 150, 10_000) === "ok"); // 150 bytes in the last second
 * console.assert(floor.check(2600, 160, 99) === "ok"); // slow, but less than a window's worth left
 * console.assert(floor.check(2700, 160, 10_000) === "slow"); // 10 bytes in over a second
 * ```
 */
export class SpeedFloor {
  /** `[time, bytes sent by then]`, oldest first; the first is at or before the window's start. */
  readonly #samples: [number, number][];

  constructor(readonly floor: MinSpeed, readonly startMs: number) {
    this.#samples = [[startMs, 0]];
  }

  /**
   * Records that `sent` bytes have gone by `now` and says whether the transfer is too slow, given
   * that `remaining` bytes are still to send.
   */
  check(now: number, sent: number, remaining: number): "ok" | "slow" {
    const { bytesPerSecond, windowMs, graceMs } = this.floor;
    this.#samples.push([now, sent]);
    const windowStart = now - windowMs;
    // Keep the last sample at or before the window's start: the bytes sent by then.
    while (this.#samples.length > 1 && this.#samples[1][0] <= windowStart) this.#samples.shift();
    if (bytesPerSecond <= 0 || now - this.startMs < graceMs) return "ok";
    // A window that reaches back before the start has not been watched for long enough.
    if (this.#samples[0][0] > windowStart) return "ok";
    const owed = bytesPerSecond * windowMs / 1000;
    if (remaining < owed) return "ok";
    return sent - this.#samples[0][1] < owed ? "slow" : "ok";
  }
}
