/**
 * Reading a line with echo off from a terminal in raw mode — a password — for the peer's login
 * and for `passwd`: a pure line editor over the bytes typed, and standard input in chunks with
 * room to push back what belongs to the next read.
 *
 * @module
 */

/** The user pressed Ctrl-C while the terminal was in raw mode (no SIGINT is raised then). */
export class InterruptedError extends Error {
  override name = "InterruptedError";
  constructor() {
    super("interrupted");
  }
}

const LF = 0x0a;
const CR = 0x0d;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = 0x08;
const CTRL_U = 0x15;
const ESCAPE = 0x1b;
const DELETE = 0x7f;

/** What typing one byte does to a hidden input line. */
export type SecretKey = "enter" | "interrupt" | "eof" | "erase" | "clear" | "ignore" | "keep";

/**
 * The line editor for hidden input, as a pure state machine over the raw bytes typed: only
 * Enter, Ctrl-C, Ctrl-D on an empty line, Backspace and Ctrl-U mean anything; escape sequences
 * (arrow keys …) and other control bytes are dropped.
 *
 * @example
 * ```ts
 * import { SecretEditor } from "./hidden_input.ts";
 * const editor = new SecretEditor();
 * for (const byte of new TextEncoder().encode("pw")) editor.feed(byte);
 * console.assert(editor.feed(0x0d) === "enter" && editor.text === "pw");
 * ```
 */
export class SecretEditor {
  #bytes: number[] = [];
  #escape: "none" | "start" | "sequence" = "none";

  /** Feeds one typed byte and says what it did. */
  feed(byte: number): SecretKey {
    if (this.#escape === "start") {
      this.#escape = byte === 0x5b || byte === 0x4f ? "sequence" : "none";
      return "ignore";
    }
    if (this.#escape === "sequence") {
      // A CSI/SS3 sequence ends with its final byte in 0x40–0x7E.
      if (byte >= 0x40 && byte <= 0x7e) this.#escape = "none";
      return "ignore";
    }
    switch (byte) {
      case CR:
      case LF:
        return "enter";
      case CTRL_C:
        return "interrupt";
      case CTRL_D:
        return this.#bytes.length === 0 ? "eof" : "ignore";
      case BACKSPACE:
      case DELETE:
        // Drop the UTF-8 continuation bytes, then the lead byte: one character.
        while (this.#bytes.length > 0 && (this.#bytes[this.#bytes.length - 1] & 0xc0) === 0x80) {
          this.#bytes.pop();
        }
        this.#bytes.pop();
        return "erase";
      case CTRL_U:
        this.#bytes = [];
        return "clear";
      case ESCAPE:
        this.#escape = "start";
        return "ignore";
    }
    if (byte < 0x20) return "ignore";
    this.#bytes.push(byte);
    return "keep";
  }

  /** The text typed so far. */
  get text(): string {
    return new TextDecoder().decode(new Uint8Array(this.#bytes));
  }
}

/**
 * Raw standard input in chunks, with room to push back what a reader took too much of (the rest
 * of a line after Enter belongs to the next read).
 */
export class StdinChunks {
  readonly #chunk: Uint8Array;
  #pending: Uint8Array = new Uint8Array(0);

  constructor(chunkBytes = 4096) {
    this.#chunk = new Uint8Array(chunkBytes);
  }

  /** The pushed-back bytes if any, else the next read; `null` at end of input. */
  async next(): Promise<Uint8Array | null> {
    if (this.#pending.length > 0) {
      const bytes = this.#pending;
      this.#pending = new Uint8Array(0);
      return bytes;
    }
    const read = await Deno.stdin.read(this.#chunk);
    return read === null ? null : this.#chunk.slice(0, read);
  }

  /** Makes `bytes` the start of the next {@linkcode StdinChunks.next}. */
  unread(bytes: Uint8Array): void {
    this.#pending = bytes;
  }

  /**
   * Reads one line typed with echo off (the caller has put the terminal in raw mode); `null` at
   * end of input. Bytes typed after Enter stay for the next read.
   *
   * @throws {InterruptedError} on Ctrl-C, which raw mode delivers as a byte, not a signal.
   */
  async readHiddenLine(): Promise<string | null> {
    const editor = new SecretEditor();
    for (;;) {
      const bytes = await this.next();
      if (bytes === null) return null;
      for (let index = 0; index < bytes.length; index++) {
        const key = editor.feed(bytes[index]);
        if (key === "interrupt") throw new InterruptedError();
        if (key === "eof") return null;
        if (key === "enter") {
          const rest = bytes.subarray(index + 1);
          this.unread(rest.slice(bytes[index] === CR && rest[0] === LF ? 1 : 0));
          return editor.text;
        }
      }
    }
  }
}
