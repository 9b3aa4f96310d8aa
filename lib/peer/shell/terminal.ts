/**
 * The peer's terminal: prompts on standard output, lines from standard input. When standard input
 * is a terminal the password is read with echo off and commands get a line editor
 * (`tty_terminal.ts`: type-ahead, Ctrl-C, Tab completion, history across runs); when it is a
 * pipe or a file the same lines are read from it so the peer can be scripted. (The pieces
 * `passwd` shares — lines from a stream, hidden input — are `lib/terminal/`.)
 *
 * @module
 */

import { LineReader } from "../../terminal/mod.ts";
import { displayText } from "../../protocol/display_text.ts";
import type { Completer } from "./completion.ts";
import type { Tone } from "./style.ts";
import { environmentVariable } from "./terminal_env.ts";
import { TtyTerminal, type TtyTerminalOptions } from "./tty_terminal.ts";
import { writeText } from "./write_text.ts";

/** How the session talks to the user. `null` from a read means end of input. */
export interface Terminal {
  /** Prints `prompt` (no newline) and reads one line. */
  readLine(prompt: string): Promise<string | null>;
  /** Like {@linkcode Terminal.readLine}, never echoing what is typed. */
  readSecret(prompt: string): Promise<string | null>;
  /**
   * Like {@linkcode Terminal.readLine}, for commands. On a terminal: with line editing, history
   * and completion, and lines typed while the previous command ran come out here in order.
   * Reading a command starts the next one: see {@linkcode Terminal.commandSignal}.
   */
  readCommand(prompt: string): Promise<string | null>;
  /**
   * The cancel request of the command last read: on a terminal it aborts (with an
   * `InterruptedError` reason) when the user presses Ctrl-C before the next
   * {@linkcode Terminal.readCommand}. From a pipe it never aborts (Ctrl-C there is SIGINT, which
   * stops the whole session).
   */
  commandSignal(): AbortSignal;
  /** What Tab completes at the command prompt (on a terminal; a pipe ignores it). */
  setCompleter(completer: Completer | undefined): void;
  /**
   * What Ctrl-C on an empty command prompt does (on a terminal): the handler returns true when
   * it acted (cancelled background downloads); otherwise the terminal says how to leave.
   */
  setIdleInterrupt(handler: (() => boolean) | undefined): void;
  /**
   * Prints one line on standard output; while the command prompt waits, above it (the prompt and
   * what was typed so far are drawn again below). Every line is cleaned ({@linkcode displayText})
   * here, the one edge where text reaches the user, since almost every line carries something a
   * stranger chose: a file or user name, a tracker's or an uploader's words. A `failure` line is
   * red where colours are allowed.
   */
  print(line: string, tone?: Tone): void;
  /** Prints one line on standard error, cleaned the same way (red where colours are allowed). */
  error(line: string): void;
  /** Restores the terminal and releases standard input. */
  close(): void;
}

/** Standard input is a pipe or a file: every read is a plain line. */
class PipeTerminal implements Terminal {
  readonly #lines = new LineReader(Deno.stdin.readable);
  // Never aborted: a pipe has no Ctrl-C of its own.
  readonly #never = new AbortController().signal;

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

  commandSignal(): AbortSignal {
    return this.#never;
  }

  setCompleter(): void {}

  setIdleInterrupt(): void {}

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

/** Options of {@linkcode openTerminal}; they matter only when standard input is a terminal. */
export type OpenTerminalOptions = TtyTerminalOptions;

/**
 * The terminal for this process: interactive when standard input is a terminal, scripted
 * otherwise.
 */
export function openTerminal(options: OpenTerminalOptions = {}): Terminal {
  if (!Deno.stdin.isTerminal()) return new PipeTerminal();
  // A terminal that obeys no escape sequence would show them as text.
  return new TtyTerminal({ plain: environmentVariable("TERM") === "dumb", ...options });
}
