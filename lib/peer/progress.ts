/**
 * Transfer progress: a speed meter, a terminal progress bar (bytes, speed, time left; at most
 * ten redraws a second, on standard error so standard output stays scriptable) and the summary
 * line of a finished download.
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

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/**
 * Bytes in binary units with one decimal (`0 B`, `1023 B`, `1.5 KiB`, `5.0 MiB`).
 *
 * @example
 * ```ts
 * import { formatBytes } from "./progress.ts";
 * console.assert(formatBytes(1023) === "1023 B");
 * console.assert(formatBytes(5 * 1024 * 1024) === "5.0 MiB");
 * ```
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * A duration as `0.4 s`, `12 s`, `3:05` or `1:02:03`.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * console.assert(formatDuration(400) === "0.4 s");
 * console.assert(formatDuration(185_000) === "3:05");
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const pad = (value: number) => String(value).padStart(2, "0");
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor(seconds / 60) % 60;
  return hours > 0
    ? `${hours}:${pad(minutes)}:${pad(seconds % 60)}`
    : `${minutes}:${pad(seconds % 60)}`;
}

/**
 * The line printed after `<file> downloaded successfully` (which stays a line of its own, exactly
 * as v1 prints it, for scripts that look for it): size, time and average speed.
 *
 * @example
 * ```ts
 * import { formatTransferStats } from "./progress.ts";
 * console.assert(formatTransferStats(5 * 1024 * 1024, 400) === "5.0 MiB in 0.4 s, 12.5 MiB/s");
 * ```
 */
export function formatTransferStats(bytes: number, ms: number): string {
  const speed = bytes / (Math.max(ms, 1) / 1000);
  return `${formatBytes(bytes)} in ${formatDuration(ms)}, ${formatBytes(speed)}/s`;
}

/**
 * Where the bytes came from, for the line after a download: `, from alice`, or with several
 * holders `, from alice 40.0 MiB, bob 24.0 MiB`, and `, resumed after 3.0 MiB` when part of the
 * file was already here.
 */
export function formatSources(result: {
  readonly sources: readonly { readonly user: string; readonly bytes: number }[];
  readonly fromHolders: readonly string[];
  readonly resumedFrom: number;
}): string {
  const delivered = result.sources.filter((source) => source.bytes > 0);
  const from = delivered.length > 1
    ? `, from ${
      delivered.map((source) => `${source.user} ${formatBytes(source.bytes)}`).join(", ")
    }`
    : delivered.length === 1
    ? `, from ${delivered[0].user}`
    : result.fromHolders.length > 0
    ? `, from ${result.fromHolders[0]}`
    : "";
  const resumed = result.resumedFrom > 0
    ? `, resumed after ${formatBytes(result.resumedFrom)}`
    : "";
  return `${from}${resumed}`;
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

/** Where a {@linkcode ProgressDisplay} draws. */
export interface ProgressOutput {
  writeSync(bytes: Uint8Array): number;
  isTerminal(): boolean;
}

/** Options of a {@linkcode ProgressDisplay}. */
export interface ProgressDisplayOptions {
  /** The file's name, shown left of the bar. */
  readonly file: string;
  /** Where to draw; standard error by default. Nothing is drawn unless it is a terminal. */
  readonly output?: ProgressOutput;
  /** Terminal width; `Deno.consoleSize()` or 80 by default. */
  readonly columns?: number;
  /** The clock, in milliseconds. */
  readonly now?: () => number;
  /** Least time between two redraws; 100 ms by default. */
  readonly intervalMs?: number;
}

const BAR_WIDTH = 24;

/**
 * A one-line progress bar, redrawn in place at most ten times a second:
 * `movie.bin [#########.......] 37%  380.0 MiB / 1.0 GiB  95.2 MiB/s  0:07 left`.
 * When the output is not a terminal, it draws nothing.
 *
 * @example
 * ```ts
 * import { ProgressDisplay } from "./progress.ts";
 * const display = new ProgressDisplay({ file: "a.bin" });
 * display.update({ received: 512, total: 1024, bytesPerSecond: 100 });
 * display.finish();
 * ```
 */
export class ProgressDisplay {
  readonly #options: ProgressDisplayOptions;
  readonly #output: ProgressOutput | undefined;
  readonly #now: () => number;
  #lastDraw = -Infinity;
  #drawn = false;

  constructor(options: ProgressDisplayOptions) {
    this.#options = options;
    const output = options.output ?? Deno.stderr;
    this.#output = output.isTerminal() ? output : undefined;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Whether anything will be drawn. */
  get enabled(): boolean {
    return this.#output !== undefined;
  }

  /** Shows `progress` (now, or at the next allowed redraw). Use as `onProgress`. */
  update(progress: TransferProgress): void {
    if (this.#output === undefined) return;
    const now = this.#now();
    if (now - this.#lastDraw < (this.#options.intervalMs ?? 100)) return;
    this.#lastDraw = now;
    this.#draw(progress);
  }

  /** Clears the bar's line, so the summary can be printed in its place. */
  finish(): void {
    if (this.#output === undefined || !this.#drawn) return;
    this.#write("\r\x1b[K");
    this.#drawn = false;
  }

  /** The bar's text for `progress`, without control characters. Pure. */
  render(progress: TransferProgress): string {
    const { received, total, bytesPerSecond } = progress;
    const fraction = total > 0 ? Math.min(1, received / total) : 1;
    const filled = Math.round(fraction * BAR_WIDTH);
    const left = bytesPerSecond > 0
      ? `${formatDuration((total - received) / bytesPerSecond * 1000)} left`
      : "--:-- left";
    const line = `${this.#options.file} [${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${
      Math.floor(fraction * 100)
    }%  ${formatBytes(received)} / ${formatBytes(total)}  ${
      formatBytes(bytesPerSecond)
    }/s  ${left}`;
    const columns = this.#options.columns ?? terminalColumns();
    return line.length < columns ? line : line.slice(0, Math.max(0, columns - 1));
  }

  #draw(progress: TransferProgress): void {
    this.#write(`\r${this.render(progress)}\x1b[K`);
    this.#drawn = true;
  }

  #write(text: string): void {
    const bytes = new TextEncoder().encode(text);
    let written = 0;
    try {
      while (written < bytes.length) written += this.#output!.writeSync(bytes.subarray(written));
    } catch {
      // A closed terminal must not fail the download.
    }
  }
}

function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}
