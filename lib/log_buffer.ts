/**
 * Log lines written in batches, so a line per datagram costs the loop a copy into a byte buffer
 * rather than a write system call: lines wait in memory and are written together on a short
 * timer, and all of them when the program stops cleanly. The memory is bounded: when output
 * cannot keep up (a stalled pipe, a slow disk), further lines are dropped and counted, and the
 * count is written as a line of its own once output moves again.
 *
 * A line is encoded into the batch's bytes as it is pushed, not kept as a string until the batch
 * is written: strings that wait 50 ms outlive the young generation and were promoted to the old
 * one, whose collection (on V8's helper threads) cost the logging tracker more CPU per line than
 * building the line did (measured in docs/operations.md).
 *
 * @module
 */

import { concat } from "./util/mod.ts";

/** How often waiting lines are written, at most. */
export const LOG_FLUSH_INTERVAL_MS = 50;

/** Lines kept waiting at most; past it lines are dropped and counted. */
export const MAX_BUFFERED_LOG_LINES = 20_000;

/** Bytes of one piece of a batch: a batch of 50 ms at ~20k lines/s is ~100 KiB. */
const PIECE_BYTES = 64 * 1024;

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
  // The batch: full pieces, then the piece being filled (`#piece`, `#used` bytes of it).
  #pieces: Uint8Array[] = [];
  #piece: Uint8Array | undefined;
  #used = 0;
  #lineCount = 0;
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
    if (this.#lineCount >= this.#maxLines) {
      this.#dropped++;
      this.droppedTotal++;
      return;
    }
    this.#append(line);
    this.#schedule();
  }

  /** Encodes `line` and a newline at the end of the batch. */
  #append(line: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8, plus the newline.
    const most = line.length * 3 + 1;
    let piece = this.#piece;
    if (piece === undefined || this.#used + most > piece.length) {
      if (piece !== undefined && this.#used > 0) this.#pieces.push(piece.subarray(0, this.#used));
      piece = this.#piece = new Uint8Array(Math.max(PIECE_BYTES, most));
      this.#used = 0;
    }
    this.#used += encoder.encodeInto(line, piece.subarray(this.#used)).written;
    piece[this.#used++] = 0x0a;
    this.#lineCount++;
  }

  /** Starts the timer for the next batch, unless one is due or being written already. */
  #schedule(): void {
    if (this.#timer !== undefined || this.#writing !== undefined || this.#closed) return;
    if (this.#lineCount === 0 && this.#dropped === 0) return;
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
    while (this.#lineCount > 0 || this.#dropped > 0 || this.#writing) await this.flush();
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

  /** The batch's bytes (the dropped count last), leaving an empty batch. */
  #take(): Uint8Array | undefined {
    if (this.#dropped > 0) {
      this.#append(this.#options.droppedLine(this.#dropped));
      this.#dropped = 0;
    }
    if (this.#lineCount === 0) return undefined;
    const pieces = this.#pieces;
    if (this.#piece !== undefined && this.#used > 0) {
      pieces.push(this.#piece.subarray(0, this.#used));
    }
    // The piece is handed to the writer whole: the next line starts a new one.
    this.#piece = undefined;
    this.#used = 0;
    this.#pieces = [];
    this.#lineCount = 0;
    return pieces.length === 1 ? pieces[0] : concat(pieces);
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
