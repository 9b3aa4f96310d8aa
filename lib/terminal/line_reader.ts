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
  #buffered = "";
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** The next line without its ending, or `null` at the end of the stream. */
  async next(): Promise<string | null> {
    for (;;) {
      const newline = this.#buffered.indexOf("\n");
      if (newline >= 0) {
        const line = this.#buffered.slice(0, newline);
        this.#buffered = this.#buffered.slice(newline + 1);
        return line.endsWith("\r") ? line.slice(0, -1) : line;
      }
      if (this.#done) {
        if (this.#buffered === "") return null;
        const last = this.#buffered;
        this.#buffered = "";
        return last;
      }
      const { value, done } = await this.#reader.read();
      if (done) {
        this.#done = true;
        this.#buffered += this.#decoder.decode();
      } else {
        this.#buffered += this.#decoder.decode(value, { stream: true });
      }
    }
  }

  /** Stops reading and releases the stream. */
  async cancel(): Promise<void> {
    this.#done = true;
    await this.#reader.cancel().catch(() => {});
  }
}
