/**
 * The peer's terminal: prompts on standard output, lines from standard input. When standard input
 * is a terminal the password is read with echo off and commands get line editing and history;
 * when it is a pipe or a file the same lines are read from it so the peer can be scripted. (The
 * pieces `passwd` shares — lines from a stream, hidden input — are `lib/terminal/`.)
 *
 * @module
 */

import { createInterface, type Interface } from "node:readline";
import process from "node:process";
import { InterruptedError, LineReader, StdinChunks } from "../../terminal/mod.ts";
import { displayText } from "../../protocol/display_text.ts";
import { concat, type SyncWriter, writeAllSync } from "../../util/mod.ts";

/** How the session talks to the user. `null` from a read means end of input. */
export interface Terminal {
  /** Prints `prompt` (no newline) and reads one line. */
  readLine(prompt: string): Promise<string | null>;
  /** Like {@linkcode Terminal.readLine}, never echoing what is typed. */
  readSecret(prompt: string): Promise<string | null>;
  /** Like {@linkcode Terminal.readLine}, with line editing and history on a terminal. */
  readCommand(prompt: string): Promise<string | null>;
  /**
   * Prints one line on standard output. Every line is cleaned ({@linkcode displayText}) here, the
   * one edge where text reaches the user, since almost every line carries something a stranger
   * chose: a file or user name, a tracker's or an uploader's words.
   */
  print(line: string): void;
  /** Prints one line on standard error, cleaned the same way. */
  error(line: string): void;
  /** Restores the terminal and releases standard input. */
  close(): void;
}

const encoder = new TextEncoder();
const LF = 0x0a;

/** Writes `text`, ignoring a reader that went away: there is no one left to tell. */
function writeText(writer: SyncWriter, text: string): void {
  try {
    writeAllSync(writer, encoder.encode(text));
  } catch {
    // Closed pipe: the output has nowhere to go.
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
    writeText(Deno.stdout, `${displayText(line)}\n`);
  }

  error(line: string): void {
    writeText(Deno.stderr, `${displayText(line)}\n`);
  }

  close(): void {
    void this.#lines.cancel();
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
  #say(writer: SyncWriter, text: string): void {
    const line = displayText(text);
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

/**
 * The terminal for this process: interactive when standard input is a terminal, scripted
 * otherwise.
 */
export function openTerminal(): Terminal {
  return Deno.stdin.isTerminal() ? new TtyTerminal() : new PipeTerminal();
}
