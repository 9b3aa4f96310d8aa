/**
 * The peer's terminal when standard input is one. Kept as one piece, a little over 400 lines: raw
 * input, the type-ahead queue and what is on screen (the prompt, the status line, a login prompt
 * left open) are one state that every path changes. The login prompts read a cooked line and a
 * hidden one; from the first command on, standard input stays in raw mode and is read all the
 * time by {@linkcode TtyTerminal}, through the pure {@linkcode KeyDecoder} and
 * {@linkcode LineEditor}:
 * - lines typed or pasted while a command runs are queued and come out of `readCommand` in
 *   order, each shown after its prompt when its turn comes; nothing typed is echoed meanwhile,
 *   so it never lands inside a progress bar;
 * - Ctrl-C at the prompt clears the line (on an empty one, it cancels the background downloads
 *   when the session says there are some, else says how to leave); while a
 *   command runs it aborts {@linkcode TtyTerminal.commandSignal} and drops the queued lines, as a
 *   terminal's own interrupt flushes type-ahead; a second one while the command still runs calls
 *   `onForceStop` (raw mode turns Ctrl-C into a byte, so this is the way out of a stuck peer);
 * - once input ended (Ctrl-D), raw mode is left, so Ctrl-C is SIGINT again (`--stay`);
 * - lines printed while the prompt waits appear above it, and the prompt is drawn again; a status
 *   line (running downloads) is kept just above the prompt and redrawn in place;
 * - Up/Down walk the history (kept across runs in `historyFile`), Tab completes.
 *
 * On a terminal that understands no escape sequences (`TERM=dumb`: Emacs' shell buffer, a
 * serial console) none is ever written: commands are read as cooked lines, edited by the terminal
 * itself (no history, Tab or Ctrl-C of our own: Ctrl-C is SIGINT), a line printed while the
 * prompt waits is followed by the prompt again, the status line is printed as a line of its own
 * every {@linkcode PLAIN_STATUS_EVERY_MS}, and nothing is bold or red.
 *
 * @module
 */

import { InterruptedError, LineReader, StdinChunks } from "../../terminal/mod.ts";
import { displayText } from "../../protocol/display_text.ts";
import type { SyncWriter } from "../../util/mod.ts";
import type { Completer } from "./completion.ts";
import { History } from "./history.ts";
import { openHistoryFile } from "./history_file.ts";
import { KeyDecoder } from "./keys.ts";
import { type EditorEffect, LineEditor } from "./line_editor.ts";
import { Style, type Tone } from "./style.ts";
import { clusterColumns, columns, fitColumns } from "./text_columns.ts";
import { environmentVariable, terminalColumns } from "./terminal_env.ts";
import { writeText } from "./write_text.ts";

/** Said after Ctrl-C on an empty prompt. */
export const LEAVE_HINT = "(To leave, type xit or press Ctrl-D)";
/** How often a terminal without escape sequences prints the status line (as a line). */
export const PLAIN_STATUS_EVERY_MS = 10_000;
/** Tab lists at most this many candidates. */
const MAX_LISTED = 60;

/** A `readCommand` waiting for a line. */
interface Waiting {
  readonly prompt: string;
  readonly resolve: (line: string | null) => void;
}

/** Options of a {@linkcode TtyTerminal}. */
export interface TtyTerminalOptions {
  /** Where command history is kept across runs; in memory only without it. */
  readonly historyFile?: string;
  /** A second Ctrl-C while a cancelled command still runs: stop the peer. */
  readonly onForceStop?: () => void;
  /** The terminal understands no escape sequences (`TERM=dumb`): write none. */
  readonly plain?: boolean;
  /** The clock for the plain status line, in milliseconds. */
  readonly now?: () => number;
}

/** Standard input is a terminal. */
export class TtyTerminal {
  // Bytes read past the end of a login line are kept there for the next read.
  readonly #input = new StdinChunks();
  readonly #decoder = new KeyDecoder();
  readonly #editor: LineEditor;
  readonly #style: Style;
  readonly #errorStyle: Style;
  #raw = false;
  // A login prompt is on screen and its line not ended.
  #midLine = false;
  #editing = false;
  #waiting: Waiting | undefined;
  // Lines entered while a command ran, oldest first.
  #queue: string[] = [];
  // Ctrl-D (or the end of standard input) once the queue is done.
  #ended = false;
  #command = new AbortController();
  readonly #onForceStop: (() => void) | undefined;
  // Ctrl-C on an empty prompt: true when the session acted on it (cancelled downloads).
  #idleInterrupt: (() => boolean) | undefined;
  // The status line, and whether it is on screen just above the prompt.
  #status: string | undefined;
  #statusShown = false;
  readonly #plain: boolean;
  readonly #now: () => number;
  // A plain terminal: the command prompt waiting for its cooked line, and when a status line
  // was last printed.
  #plainPrompt: string | undefined;
  #plainStatusAt = -Infinity;

  constructor(options: TtyTerminalOptions = {}) {
    this.#onForceStop = options.onForceStop;
    this.#plain = options.plain === true;
    this.#now = options.now ?? (() => performance.now());
    const history = options.historyFile === undefined
      ? new History()
      : openHistoryFile(options.historyFile);
    this.#editor = new LineEditor(history);
    const colour = (isTerminal: boolean) =>
      !this.#plain && Style.allowed(isTerminal, environmentVariable);
    this.#style = new Style(colour(Deno.stdout.isTerminal()));
    this.#errorStyle = new Style(colour(Deno.stderr.isTerminal()));
  }

  async readLine(prompt: string): Promise<string | null> {
    this.#loginPrompt(prompt);
    // A cooked line: the terminal echoes and edits it; only its bytes are ours to split.
    const bytes: Uint8Array[] = [];
    for (;;) {
      const chunk = await this.#input.next();
      if (chunk === null) break;
      const newline = chunk.indexOf(0x0a);
      if (newline >= 0) {
        bytes.push(chunk.subarray(0, newline + 1));
        this.#input.unread(chunk.slice(newline + 1));
        break;
      }
      bytes.push(chunk);
    }
    if (bytes.length === 0) {
      this.#endLoginLine();
      return null;
    }
    // The terminal echoed the Enter key.
    this.#midLine = false;
    return await new LineReader(ReadableStream.from(bytes)).next();
  }

  async readSecret(prompt: string): Promise<string | null> {
    this.#loginPrompt(prompt);
    this.#enterRaw();
    try {
      return await this.#input.readHiddenLine();
    } finally {
      if (!this.#editing) this.#leaveRaw();
      // Nothing was echoed, not even the Enter key.
      this.#endLoginLine();
    }
  }

  readCommand(prompt: string): Promise<string | null> {
    if (this.#plain) return this.#readPlainCommand(prompt);
    this.#command = new AbortController();
    if (!this.#editing) this.#startEditing();
    const queued = this.#queue.shift();
    if (queued !== undefined) {
      // Shown now, after the output of the command it was typed during.
      writeText(Deno.stdout, `${this.#style.bold(prompt)}${displayText(queued)}\r\n`);
      this.#editor.history.add(queued);
      return Promise.resolve(queued);
    }
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#waiting = { prompt, resolve };
      this.#draw();
    });
  }

  commandSignal(): AbortSignal {
    return this.#command.signal;
  }

  setCompleter(completer: Completer | undefined): void {
    this.#editor.completer = completer;
  }

  setIdleInterrupt(handler: (() => boolean) | undefined): void {
    this.#idleInterrupt = handler;
  }

  /** Keeps `line` just above the prompt while the prompt waits (`undefined` removes it). */
  status(line: string | undefined): void {
    if (this.#plain) {
      if (line === undefined || this.#now() - this.#plainStatusAt < PLAIN_STATUS_EVERY_MS) return;
      this.#plainStatusAt = this.#now();
      this.print(line);
      return;
    }
    const shown = line === undefined ? undefined : displayText(line);
    if (shown === this.#status) return;
    this.#status = shown;
    if (this.#waiting === undefined) return;
    this.#clearBlock();
    this.#draw();
  }

  print(line: string, tone: Tone = "plain"): void {
    this.#say(Deno.stdout, this.#style.tone(displayText(line), tone));
  }

  error(line: string): void {
    this.#say(Deno.stderr, this.#errorStyle.tone(displayText(line), "failure"));
  }

  close(): void {
    if (this.#waiting !== undefined) writeText(Deno.stdout, "\r\n");
    this.#waiting = undefined;
    this.#leaveRaw();
    this.#endLoginLine();
  }

  async #readPlainCommand(prompt: string): Promise<string | null> {
    this.#plainPrompt = prompt;
    try {
      return await this.readLine(prompt);
    } finally {
      this.#plainPrompt = undefined;
    }
  }

  /** A line printed while the prompt waits takes the prompt's place; the prompt comes back. */
  #say(writer: SyncWriter, text: string): void {
    if (this.#plain) {
      this.#endLoginLine();
      writeText(writer, `${text}\n`);
      // What was typed so far is still in the terminal's own line buffer; only the prompt is new.
      if (this.#plainPrompt !== undefined) this.#loginPrompt(this.#plainPrompt);
      return;
    }
    this.#endLoginLine();
    if (this.#waiting !== undefined) this.#clearBlock();
    writeText(writer, `${text}\r\n`);
    this.#draw();
  }

  #loginPrompt(prompt: string): void {
    writeText(Deno.stdout, prompt);
    this.#midLine = true;
  }

  #endLoginLine(): void {
    if (!this.#midLine) return;
    this.#midLine = false;
    writeText(Deno.stdout, this.#plain ? "\n" : "\r\n");
  }

  #startEditing(): void {
    this.#editing = true;
    this.#enterRaw();
    void this.#pump();
  }

  /** Reads standard input until it ends, however busy the session is. */
  async #pump(): Promise<void> {
    for (;;) {
      let bytes: Uint8Array | null;
      try {
        bytes = await this.#input.next();
      } catch {
        // The terminal hung up.
        bytes = null;
      }
      if (bytes === null) {
        this.#onEffect({ kind: "eof" });
        return;
      }
      if (this.#ended) {
        // After Ctrl-D the terminal is cooked again: what is typed now is for no one.
        continue;
      }
      for (const key of this.#decoder.decode(bytes)) this.#onEffect(this.#editor.press(key));
    }
  }

  #onEffect(effect: EditorEffect): void {
    const waiting = this.#waiting;
    if (waiting === undefined) {
      this.#whileBusy(effect);
      return;
    }
    switch (effect.kind) {
      case "submit":
        this.#waiting = undefined;
        this.#editor.history.add(effect.line);
        this.#clearBlock();
        writeText(Deno.stdout, `\r${this.#style.bold(waiting.prompt)}${displayText(effect.line)}`);
        writeText(Deno.stdout, "\x1b[K\r\n");
        waiting.resolve(effect.line);
        return;
      case "eof":
        this.#waiting = undefined;
        this.#end();
        this.#clearBlock();
        writeText(Deno.stdout, `${this.#style.bold(waiting.prompt)}\r\n`);
        waiting.resolve(null);
        return;
      case "interrupt":
        this.#clearBlock();
        this.#moveToEnd(waiting.prompt, effect.text);
        writeText(Deno.stdout, "^C\r\n");
        if (effect.text === "" && this.#idleInterrupt?.() !== true) {
          writeText(Deno.stdout, `${LEAVE_HINT}\r\n`);
        }
        this.#draw();
        return;
      case "list": {
        const shown = effect.candidates.slice(0, MAX_LISTED);
        const more = effect.candidates.length - shown.length;
        this.print(`${shown.join("  ")}${more > 0 ? `  … and ${more} more` : ""}`);
        return;
      }
      case "redraw":
        this.#draw();
        return;
    }
  }

  /** A key while a command runs: nothing is drawn, so no output is mixed with typing. */
  #whileBusy(effect: EditorEffect): void {
    switch (effect.kind) {
      case "submit":
        if (effect.line.trim() !== "") this.#queue.push(effect.line);
        return;
      case "eof":
        this.#end();
        return;
      case "interrupt":
        this.#queue = [];
        if (this.#command.signal.aborted) this.#onForceStop?.();
        else this.#command.abort(new InterruptedError());
        return;
    }
  }

  /** No more commands: Ctrl-C is a signal again, as in any program that is not reading input. */
  #end(): void {
    this.#ended = true;
    this.#leaveRaw();
  }

  /** Ends the line at the end of what was typed (Ctrl-C leaves it visible, as shells do). */
  #moveToEnd(prompt: string, text: string): void {
    writeText(Deno.stdout, `\r${this.#style.bold(prompt)}${displayText(text)}\x1b[K`);
  }

  /**
   * Erases the prompt's line and the status line above it, if shown; the cursor ends at the
   * start of the first line erased, where the next output goes.
   */
  #clearBlock(): void {
    writeText(Deno.stdout, "\r\x1b[K");
    if (!this.#statusShown) return;
    this.#statusShown = false;
    writeText(Deno.stdout, "\x1b[1A\r\x1b[K");
  }

  /**
   * Draws the prompt and the line being edited, cursor in place, if the prompt waits; the status
   * line above it first when there is one and it is not yet on screen (cut to the terminal's
   * width, so it takes exactly one line).
   */
  #draw(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    if (this.#status !== undefined && !this.#statusShown) {
      const width = Math.max(8, terminalColumns() - 1);
      writeText(Deno.stdout, `\r${fitColumns(this.#status, width)}\x1b[K\r\n`);
      this.#statusShown = true;
    }
    // The editor's line holds nothing displayText would hide; laid out by columns, as a wide
    // character takes two and a combining accent none. Only what fits is measured: a pasted
    // line may be long.
    const { chars, cursor } = this.#editor;
    // A line wider than the terminal scrolls sideways: the cursor always stays in view, with
    // room for the character under it.
    const room = Math.max(8, terminalColumns() - columns(waiting.prompt) - 1);
    const under = clusterColumns(chars[cursor] ?? " ");
    let from = cursor;
    let left = 0;
    while (from > 0 && left + clusterColumns(chars[from - 1]) + under <= room) {
      left += clusterColumns(chars[--from]);
    }
    let to = from;
    let used = 0;
    while (to < chars.length && used + clusterColumns(chars[to]) <= room) {
      used += clusterColumns(chars[to++]);
    }
    const visible = chars.slice(from, to).join("");
    const back = used - left;
    writeText(
      Deno.stdout,
      `\r${this.#style.bold(waiting.prompt)}${visible}\x1b[K${back > 0 ? `\x1b[${back}D` : ""}`,
    );
  }

  #enterRaw(): void {
    if (this.#raw) return;
    Deno.stdin.setRaw(true);
    this.#raw = true;
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
}
