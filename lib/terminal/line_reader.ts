/**
 * Lines out of a byte stream (standard input when it is a pipe or a file), for programs that are
 * scripted as well as typed at.
 *
 * @module
 */

/**
 * Splits a byte stream into lines: `\n` or `\r\n` ends a line, a last line without an ending is
 * still a line, and `null` means the stream is over.
 *
 * @example
 * ```ts
 * import { LineReader } from "./line_reader.ts";
 * const reader = new LineReader(ReadableStream.from([new TextEncoder().encode("a\r\nb")]));
 * console.assert(await reader.next() === "a");
 * console.assert(await reader.next() === "b");
 * console.assert(await reader.next() === null);
 * ```
 */
export class LineReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  // The line being read, in the pieces it came in: joined once when its end comes, so a long line
  // costs time and memory in proportion to its length, not to its length times its pieces.
  #pieces: string[] = [];
  // Decoded text not yet looked at for a line ending.
  #rest = "";
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** The next line without its ending, or `null` at the end of the stream. */
  async next(): Promise<string | null> {
    for (;;) {
      const newline = this.#rest.indexOf("\n");
      if (newline >= 0) {
        const line = this.#take(this.#rest.slice(0, newline));
        this.#rest = this.#rest.slice(newline + 1);
        return line.endsWith("\r") ? line.slice(0, -1) : line;
      }
      if (this.#rest !== "") this.#pieces.push(this.#rest);
      this.#rest = "";
      if (this.#done) return this.#pieces.length === 0 ? null : this.#take("");
      const { value, done } = await this.#reader.read();
      if (done) {
        this.#done = true;
        this.#rest = this.#decoder.decode();
      } else {
        this.#rest = this.#decoder.decode(value, { stream: true });
      }
    }
  }

  /** The pieces read so far and `last`, as one line; the next line starts empty. */
  #take(last: string): string {
    if (this.#pieces.length === 0) return last;
    this.#pieces.push(last);
    const line = this.#pieces.join("");
    this.#pieces = [];
    return line;
  }

  /** Stops reading and releases the stream. */
  async cancel(): Promise<void> {
    this.#done = true;
    await this.#reader.cancel().catch(() => {});
  }
}
