/**
 * What a download reports as it goes: bytes in place, the file's size and the recent speed, at
 * most ten times a second and once at the end. Drawing it is the shell's job.
 *
 * @module
 */

/** What a download reports as it goes. */
export interface TransferProgress {
  /** Bytes of the file in place so far, a resumed prefix included. */
  readonly received: number;
  /** The file's size. */
  readonly total: number;
  /** Recent speed of new bytes (over the last few seconds). */
  readonly bytesPerSecond: number;
}

/**
 * Measures speed over a sliding window of recent samples.
 *
 * @example
 * ```ts
 * import { SpeedMeter } from "./progress.ts";
 * let clock = 0;
 * const meter = new SpeedMeter(() => clock);
 * meter.add(0);
 * clock = 1000;
 * meter.add(2_000_000);
 * console.assert(meter.bytesPerSecond() === 2_000_000);
 * ```
 */
export class SpeedMeter {
  readonly #now: () => number;
  readonly #windowMs: number;
  #samples: { at: number; total: number }[] = [];
  #total = 0;

  constructor(now: () => number = () => performance.now(), windowMs = 3000) {
    this.#now = now;
    this.#windowMs = windowMs;
    this.#samples.push({ at: now(), total: 0 });
  }

  /** Counts `bytes` new bytes. */
  add(bytes: number): void {
    this.#total += bytes;
    const at = this.#now();
    const last = this.#samples[this.#samples.length - 1];
    // One sample per 100 ms is plenty for a speed over seconds.
    if (at - last.at >= 100 || this.#samples.length === 1) {
      this.#samples.push({ at, total: this.#total });
    } else {
      last.total = this.#total;
    }
    while (this.#samples.length > 2 && at - this.#samples[1].at > this.#windowMs) {
      this.#samples.shift();
    }
  }

  /** Bytes per second over the window (0 before any time has passed). */
  bytesPerSecond(): number {
    const first = this.#samples[0];
    const elapsed = this.#now() - first.at;
    return elapsed > 0 ? (this.#total - first.total) / (elapsed / 1000) : 0;
  }
}

const PROGRESS_INTERVAL_MS = 100;

/**
 * Counts a download's bytes and reports them to `onProgress`, at most every 100 ms. With no size
 * known (a v1 stream) nothing is reported until {@linkcode ProgressReporter.finish}.
 *
 * @example
 * ```ts
 * import { ProgressReporter, type TransferProgress } from "./progress.ts";
 * const seen: TransferProgress[] = [];
 * const reporter = new ProgressReporter((progress) => seen.push(progress), 10, 4);
 * reporter.add(6);
 * reporter.finish();
 * console.assert(seen.at(-1)?.received === 10);
 * ```
 */
export class ProgressReporter {
  readonly #meter = new SpeedMeter();
  #lastReport = -Infinity;

  constructor(
    readonly onProgress: ((progress: TransferProgress) => void) | undefined,
    /** The file's size, when known. */
    readonly total: number | undefined,
    /** Bytes already in place (a resumed prefix). */
    public received = 0,
  ) {}

  /** Counts `bytes` more (fewer when negative: discarded), reporting when it is time. */
  add(bytes: number): void {
    this.received += bytes;
    if (bytes > 0) this.#meter.add(bytes);
    if (this.onProgress === undefined || this.total === undefined) return;
    const now = performance.now();
    if (now - this.#lastReport < PROGRESS_INTERVAL_MS) return;
    this.#lastReport = now;
    this.#report(this.total);
  }

  /** Reports once more, now; an unknown size is then what arrived. */
  finish(): void {
    this.#report(this.total ?? this.received);
  }

  #report(total: number): void {
    this.onProgress?.({
      received: this.received,
      total,
      bytesPerSecond: this.#meter.bytesPerSecond(),
    });
  }
}
