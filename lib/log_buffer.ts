/**
 * Log lines written in batches, so a line per datagram costs the loop a string push rather than a
 * write system call: lines wait in memory and are written together on a short timer, and all of
 * them when the program stops cleanly. The memory is bounded: when output cannot keep up (a
 * stalled pipe, a slow disk), further lines are dropped and counted, and the count is written as
 * a line of its own once output moves again.
 *
 * @module
 */

/** How often waiting lines are written, at most. */
export const LOG_FLUSH_INTERVAL_MS = 50;

/** Lines kept waiting at most; past it lines are dropped and counted. */
export const MAX_BUFFERED_LOG_LINES = 20_000;

/** Options for {@linkcode LineBuffer}. */
export interface LineBufferOptions {
  /** Writes some of `bytes`, returning how many (as `Deno.stdout.write`). */
  readonly write: (bytes: Uint8Array) => Promise<number>;
  /** The line that reports `count` dropped lines (formatted like every other line). */
  readonly droppedLine: (count: number) => string;
  readonly flushIntervalMs?: number;
  readonly maxLines?: number;
}

const encoder = new TextEncoder();

/**
 * Lines waiting to be written.
 *
 * @example
 * ```ts
 * import { LineBuffer } from "./log_buffer.ts";
 * const written: string[] = [];
 * const buffer = new LineBuffer({
 *   write: (bytes) => (written.push(new TextDecoder().decode(bytes)), Promise.resolve(bytes.length)),
 *   droppedLine: (count) => `${count} lines dropped`,
 * });
 * buffer.push("one");
 * buffer.push("two");
 * await buffer.close();
 * console.assert(written.join("") === "one\ntwo\n");
 * ```
 */
export class LineBuffer {
  readonly #options: LineBufferOptions;
  readonly #maxLines: number;
  #lines: string[] = [];
  #dropped = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> | undefined;
  #closed = false;

  constructor(options: LineBufferOptions) {
    this.#options = options;
    this.#maxLines = options.maxLines ?? MAX_BUFFERED_LOG_LINES;
  }

  /** Lines dropped so far because the buffer was full. */
  droppedTotal = 0;

  /** Queues one line (without its newline). */
  push(line: string): void {
    if (this.#lines.length >= this.#maxLines) {
      this.#dropped++;
      this.droppedTotal++;
      return;
    }
    this.#lines.push(line);
    this.#schedule();
  }

  /** Starts the timer for the next batch, unless one is due or being written already. */
  #schedule(): void {
    if (this.#timer !== undefined || this.#writing !== undefined || this.#closed) return;
    if (this.#lines.length === 0 && this.#dropped === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#options.flushIntervalMs ?? LOG_FLUSH_INTERVAL_MS);
  }

  /** Writes every waiting line; resolves when they are written (or the write failed). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#writing) await this.#writing;
    const bytes = this.#take();
    if (bytes === undefined) return;
    this.#writing = this.#writeAll(bytes).finally(() => {
      this.#writing = undefined;
      // Lines that came while writing wait for the next turn of the timer.
      this.#schedule();
    });
    await this.#writing;
  }

  /** Writes what is left and stops the timer; later lines are written at the next flush. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#lines.length > 0 || this.#dropped > 0 || this.#writing) await this.flush();
  }

  /**
   * Writes what is waiting at once, blocking (for a process that exits without `close`, e.g. from
   * an `unload` listener). A write in flight is not waited for: its lines may follow these.
   */
  flushSync(writeSync: (bytes: Uint8Array) => number): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const bytes = this.#take();
    for (let offset = 0; bytes !== undefined && offset < bytes.length;) {
      offset += writeSync(bytes.subarray(offset));
    }
  }

  #take(): Uint8Array | undefined {
    if (this.#dropped > 0) {
      this.#lines.push(this.#options.droppedLine(this.#dropped));
      this.#dropped = 0;
    }
    if (this.#lines.length === 0) return undefined;
    const text = this.#lines.join("\n") + "\n";
    this.#lines = [];
    return encoder.encode(text);
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    try {
      for (let offset = 0; offset < bytes.length;) {
        offset += await this.#options.write(bytes.subarray(offset));
      }
    } catch {
      // Output is gone (a closed pipe): nothing better to do with a log line than lose it.
    }
  }
}
