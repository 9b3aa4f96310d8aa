/**
 * How a download looks to the user: a terminal progress bar (bytes, speed, time left; at most ten
 * redraws a second, on standard error so standard output stays scriptable) and the summary lines
 * of a finished download. What is measured comes from the download (`TransferProgress`).
 *
 * @module
 */

import { displayText } from "../../protocol/display_text.ts";
import { formatBytes, formatDuration, writeAllSync } from "../../util/mod.ts";
import type { TransferProgress } from "../download/mod.ts";
import { terminalColumns } from "./terminal_env.ts";
import { columns as columnsOf, fitColumns } from "./text_columns.ts";

/**
 * The line printed after `<file> downloaded successfully` (which stays a line of its own, exactly
 * as v1 prints it, for scripts that look for it): size, time and average speed. The speed counts
 * only the bytes that crossed the network in this run: a resumed prefix was already here, and
 * counting it made a resumed download look faster than its link.
 *
 * @example
 * ```ts
 * import { formatTransferStats } from "./progress.ts";
 * console.assert(formatTransferStats(5 * 1024 * 1024, 400) === "5.0 MiB in 0.4 s, 12.5 MiB/s");
 * // 4 MiB of it resumed: 1 MiB in 0.4 s.
 * console.assert(
 *   formatTransferStats(5 * 1024 * 1024, 400, 4 * 1024 * 1024) === "5.0 MiB in 0.4 s, 2.5 MiB/s",
 * );
 * ```
 */
export function formatTransferStats(bytes: number, ms: number, resumedFrom = 0): string {
  const speed = Math.max(0, bytes - resumedFrom) / (Math.max(ms, 1) / 1000);
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
 * `movie.bin [#########.......] 37%  380.0 MiB / 1.0 GiB  95.2 MiB/s  6.8 s left`.
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
    const line = `${displayText(this.#options.file)} [${"#".repeat(filled)}${
      ".".repeat(BAR_WIDTH - filled)
    }] ${Math.floor(fraction * 100)}%  ${formatBytes(received)} / ${formatBytes(total)}  ${
      formatBytes(bytesPerSecond)
    }/s  ${left}`;
    const columns = this.#options.columns ?? terminalColumns();
    // By column: a wide (CJK) name cut by code units still wrapped, and each redraw left a line.
    return columnsOf(line) < columns ? line : fitColumns(line, Math.max(0, columns - 1));
  }

  #draw(progress: TransferProgress): void {
    this.#write(`\r${this.render(progress)}\x1b[K`);
    this.#drawn = true;
  }

  #write(text: string): void {
    try {
      writeAllSync(this.#output!, new TextEncoder().encode(text));
    } catch {
      // A closed terminal must not fail the download.
    }
  }
}
