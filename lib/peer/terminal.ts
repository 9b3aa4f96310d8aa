/**
 * The peer's terminal: prompts on standard output, lines from standard input. When standard input
 * is a terminal the password is read with echo off and commands get line editing and history;
 * when it is a pipe or a file the same lines are read from it so the peer can be scripted.
 *
 * @module
 */

import { createInterface, type Interface } from "node:readline";
import process from "node:process";
import { type SyncWriter, writeAllSync } from "./write_all.ts";

/** The user pressed Ctrl-C while the terminal was in raw mode (no SIGINT is raised then). */
export class InterruptedError extends Error {
  override name = "InterruptedError";
  constructor() {
    super("interrupted");
  }
}

/** How the session talks to the user. `null` from a read means end of input. */
export interface Terminal {
  /** Prints `prompt` (no newline) and reads one line. */
  readLine(prompt: string): Promise<string | null>;
  /** Like {@linkcode Terminal.readLine}, never echoing what is typed. */
  readSecret(prompt: string): Promise<string | null>;
  /** Like {@linkcode Terminal.readLine}, with line editing and history on a terminal. */
  readCommand(prompt: string): Promise<string | null>;
  /** Prints one line on standard output. */
  print(line: string): void;
  /** Prints one line on standard error. */
  error(line: string): void;
  /** Restores the terminal and releases standard input. */
  close(): void;
}

const encoder = new TextEncoder();
const LF = 0x0a;
const CR = 0x0d;

/** Writes `text`, ignoring a reader that went away: there is no one left to tell. */
function writeText(writer: SyncWriter, text: string): void {
  try {
    writeAllSync(writer, encoder.encode(text));
  } catch {
    // Closed pipe: the output has nowhere to go.
  }
}

/**
 * Splits a byte stream into lines: `\n` or `\r\n` ends a line, a last line without an ending is
 * still a line, and `null` means the stream is over.
 *
 * @example
 * ```ts
 * import { LineReader } from "./terminal.ts";
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

/** Standard input is a pipe or a file: every read is a plain line. */
class PipeTerminal implements Terminal {
  readonly #lines = new LineReader(Deno.stdin.readable);

  readLine(prompt: string): Promise<string | null> {
    writeText(Deno.stdout, prompt);
    return this.#lines.next();
  }

  readSecret(prompt: string): Promise<string | null> {
    return this.readLine(prompt);
  }

  readCommand(prompt: string): Promise<string | null> {
    return this.readLine(prompt);
  }

  print(line: string): void {
    writeText(Deno.stdout, `${line}\n`);
  }

  error(line: string): void {
    writeText(Deno.stderr, `${line}\n`);
  }

  close(): void {
    void this.#lines.cancel();
  }
}

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

/** Standard input is a terminal: cooked lines, a raw-mode hidden line, readline for commands. */
class TtyTerminal implements Terminal {
  // Bytes read past the end of a line are kept there for the next read.
  readonly #input = new StdinChunks();
  #raw = false;
  #readline: Interface | undefined;
  #readlineClosed = false;
  // A prompt is on screen and its line not ended: whatever is printed now starts a new line.
  #midLine = false;
  // The command prompt (readline) is waiting for a line.
  #asking = false;

  #prompt(prompt: string): void {
    writeText(Deno.stdout, prompt);
    this.#midLine = true;
  }

  #endLine(): void {
    if (!this.#midLine) return;
    this.#midLine = false;
    writeText(Deno.stdout, "\n");
  }

  async readLine(prompt: string): Promise<string | null> {
    this.#prompt(prompt);
    const parts: Uint8Array[] = [];
    for (;;) {
      const bytes = await this.#input.next();
      if (bytes === null) {
        if (parts.length === 0) {
          this.#endLine();
          return null;
        }
        break;
      }
      const newline = bytes.indexOf(LF);
      if (newline >= 0) {
        parts.push(bytes.subarray(0, newline));
        this.#input.unread(bytes.slice(newline + 1));
        break;
      }
      parts.push(bytes);
    }
    // The terminal echoed the Enter key.
    this.#midLine = false;
    const line = new TextDecoder().decode(concat(parts));
    return line.endsWith("\r") ? line.slice(0, -1) : line;
  }

  async readSecret(prompt: string): Promise<string | null> {
    this.#prompt(prompt);
    Deno.stdin.setRaw(true);
    this.#raw = true;
    try {
      return await this.#input.readHiddenLine();
    } finally {
      this.#leaveRaw();
      // Nothing was echoed, not even the Enter key.
      this.#endLine();
    }
  }

  readCommand(prompt: string): Promise<string | null> {
    if (this.#readlineClosed) return Promise.resolve(null);
    const readline = this.#readline ??= this.#openReadline();
    return new Promise((resolve, reject) => {
      const onClose = () => {
        cleanup();
        this.#endLine();
        resolve(null);
      };
      const onInterrupt = () => {
        cleanup();
        this.#endLine();
        reject(new InterruptedError());
      };
      const cleanup = () => {
        this.#asking = false;
        readline.off("close", onClose);
        readline.off("SIGINT", onInterrupt);
      };
      readline.once("close", onClose);
      readline.once("SIGINT", onInterrupt);
      this.#midLine = true;
      this.#asking = true;
      readline.question(prompt, (answer) => {
        this.#midLine = false;
        cleanup();
        resolve(answer);
      });
    });
  }

  #openReadline(): Interface {
    const readline = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: true,
      historySize: 1000,
      removeHistoryDuplicates: true,
    });
    readline.once("close", () => this.#readlineClosed = true);
    return readline;
  }

  print(line: string): void {
    this.#say(Deno.stdout, line);
  }

  error(line: string): void {
    this.#say(Deno.stderr, line);
  }

  /**
   * A line printed while the command prompt waits (a notice from the background) takes the
   * prompt's place, and the prompt is drawn again below it with what was typed so far.
   */
  #say(writer: SyncWriter, line: string): void {
    if (this.#asking && this.#readline !== undefined) {
      writeText(Deno.stdout, "\r\x1b[2K");
      writeText(writer, `${line}\n`);
      this.#readline.prompt(true);
      return;
    }
    this.#endLine();
    writeText(writer, `${line}\n`);
  }

  #leaveRaw(): void {
    if (!this.#raw) return;
    this.#raw = false;
    try {
      Deno.stdin.setRaw(false);
    } catch {
      // Standard input is already gone.
    }
  }

  close(): void {
    this.#leaveRaw();
    if (this.#readline && !this.#readlineClosed) this.#readline.close();
    this.#endLine();
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}

/**
 * The terminal for this process: interactive when standard input is a terminal, scripted
 * otherwise.
 */
export function openTerminal(): Terminal {
  return Deno.stdin.isTerminal() ? new TtyTerminal() : new PipeTerminal();
}
