/**
 * The interactive session's own commands, wired: `help`, `jobs`, `cancel`, and `get` in the
 * background (on a terminal, or with `--background`) through a {@linkcode JobRunner}; the status
 * line of running downloads; and what leaving does while downloads run (`xit` waits for them, a
 * second `xit` cancels them; end of input waits for them). The session's command loop hands
 * each line here first; {@linkcode shellJobsFor} builds it from a session's parts.
 *
 * @module
 */

import { parseCommand } from "./commands.ts";
import { JobRunner, type StartDownload } from "./job_runner.ts";
import { statusLine } from "./job_table.ts";
import { helpLines, parseLocalCommand } from "./local_commands.ts";
import { listPartFiles, partFileLines, partOwner } from "./part_files.ts";
import { runCommand } from "./run_command.ts";
import type { LoggedIn } from "./session_parts.ts";
import type { Terminal } from "./terminal.ts";

/**
 * A terminal that can keep one status line above the prompt, redrawn in place. The terminal of
 * this tree offers only `print`, so without it the status line is printed as a line of its own
 * every `statusEveryMs`.
 */
export interface StatusLineTerminal {
  /** Shows `line` above the prompt in place of the last one; `undefined` removes it. */
  status(line: string | undefined): void;
}

function hasStatusLine(terminal: object): terminal is StatusLineTerminal {
  return typeof (terminal as Partial<StatusLineTerminal>).status === "function";
}

/** What a line came to, when this module handled it. */
export interface Handled {
  /** False when the command failed (for `--exit-on-error`). */
  readonly ok: boolean;
}

/** What {@linkcode ShellJobs.ended} resolves with: told apart from a line read meanwhile. */
export const DOWNLOADS_ENDED: unique symbol = Symbol("downloads ended");

/** How often a status-line terminal is redrawn. */
const STATUS_REDRAW_MS = 500;

/** What {@linkcode ShellJobs} needs from the session. */
export interface ShellJobsOptions {
  /** Where lines go; a terminal with `status` also gets the status line drawn in place. */
  readonly terminal: Pick<Terminal, "print" | "error"> & Partial<StatusLineTerminal>;
  /** Whether `get` runs in the background; without it only `help` and `jobs` answer here. */
  readonly background: boolean;
  /** Downloads one job's file (`get` with the job's signal and progress). */
  readonly download: StartDownload;
  /** The share folder, for the part files `jobs` lists. */
  readonly dir: string;
  /** Names this session knows besides its jobs', to name part files by (its publications). */
  readonly known: Iterable<string>;
  /** Background downloads running at once. */
  readonly maxJobs?: number;
  /** How often the status line is printed as a line of its own (a terminal without `status`). */
  readonly statusEveryMs?: number;
}

/** The session's own commands and its background downloads. */
export class ShellJobs {
  readonly runner: JobRunner | undefined;
  readonly #options: ShellJobsOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #leaving = false;
  #failuresSeen = 0;

  constructor(options: ShellJobsOptions) {
    this.#options = options;
    const { terminal } = options;
    if (!options.background) return;
    this.runner = new JobRunner({
      maxRunning: options.maxJobs,
      print: (line) => terminal.print(line),
      notify: (line) => terminal.error(line),
      download: options.download,
    });
    const every = hasStatusLine(terminal) ? STATUS_REDRAW_MS : options.statusEveryMs;
    if (every !== undefined && every > 0) {
      this.#timer = setInterval(() => this.#drawStatus(), every);
    }
  }

  /**
   * Carries out `line` when it is `help`, `jobs`, `cancel`, or a `get` to run in the background;
   * `undefined` for any other line.
   */
  async handle(line: string): Promise<Handled | undefined> {
    const { terminal } = this.#options;
    const parsed = parseCommand(line);
    // Said by the session, like any line that is not a command.
    if (!parsed.ok && parsed.problem.kind === "lineTooLong") return undefined;
    const local = parseLocalCommand(line);
    if (local !== undefined) {
      if (!local.ok) {
        terminal.print(local.message);
        return { ok: false };
      }
      const { command } = local;
      switch (command.kind) {
        case "help": {
          const help = helpLines(command.topic);
          for (const text of help.lines) terminal.print(text);
          return { ok: help.ok };
        }
        case "jobs":
          for (const text of await this.#jobLines()) terminal.print(text);
          return { ok: true };
        case "cancel":
          if (this.runner === undefined) {
            terminal.print("No background downloads: get runs in the foreground here");
            return { ok: false };
          }
          for (const text of this.runner.cancel(command.ref)) terminal.print(text);
          return { ok: true };
      }
    }
    if (this.runner === undefined) return undefined;
    if (!parsed.ok || parsed.command.kind !== "get") return undefined;
    terminal.print(this.runner.get(parsed.command.file));
    return { ok: true };
  }

  /**
   * Cancels every queued and running download (their part files kept), e.g. for Ctrl-C at the
   * prompt; returns how many there were. Each ends with its own line, as after `cancel`.
   */
  cancelAll(): number {
    return this.runner?.cancelAll() ?? 0;
  }

  /** Whether a background download failed since the last call (for `--exit-on-error`). */
  newFailure(): boolean {
    const failures = this.runner?.failures ?? 0;
    const fresh = failures > this.#failuresSeen;
    this.#failuresSeen = failures;
    return fresh;
  }

  /**
   * `xit`: with downloads active, the first `xit` waits for them (the session leaves when they
   * end, so `get` then `xit` still downloads, as it did in the foreground); a second one cancels
   * them (their part files kept) and leaves now. True when the session may leave now.
   */
  mayLeave(): boolean {
    const active = this.runner?.table.active().length ?? 0;
    if (active === 0 || this.#leaving) return true;
    this.#leaving = true;
    this.#options.terminal.print(
      `Leaving when ${active === 1 ? "the download ends" : `the ${active} downloads end`}; ` +
        `xit again cancels ${active === 1 ? "it" : "them"} (part files are kept, get resumes them)`,
    );
    return false;
  }

  /** Whether `xit` was typed while downloads were active, and the session waits for them. */
  get leaving(): boolean {
    return this.#leaving;
  }

  /** Resolves with {@linkcode DOWNLOADS_ENDED} once no download is active. */
  async ended(): Promise<typeof DOWNLOADS_ENDED> {
    await this.runner?.idle();
    return DOWNLOADS_ENDED;
  }

  /** End of input: waits for every download to end, saying so. */
  async finish(): Promise<void> {
    const active = this.runner?.table.active().length ?? 0;
    if (active === 0) return;
    this.#options.terminal.error(
      `peersync-peer: end of input; waiting for ${active} download${
        active === 1 ? "" : "s"
      } to finish`,
    );
    await this.runner?.idle();
  }

  /** Cancels what is still active and waits until it unwound (part files written and kept). */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.runner?.cancelAll();
    await this.runner?.idle();
    const { terminal } = this.#options;
    if (hasStatusLine(terminal)) terminal.status(undefined);
  }

  #drawStatus(): void {
    const { terminal } = this.#options;
    const line = this.runner === undefined ? undefined : statusLine(this.runner.table.list());
    if (hasStatusLine(terminal)) terminal.status(line);
    else if (line !== undefined) terminal.print(line);
  }

  async #jobLines(): Promise<string[]> {
    const lines = this.runner?.lines() ?? ["No background downloads: get runs in the foreground"];
    const active = new Set(this.runner?.table.active().map((job) => job.file) ?? []);
    const known = new Set([
      ...(this.runner?.table.list().map((job) => job.file) ?? []),
      ...this.#options.known,
    ]);
    // A part file an active job is filling is that job's line already.
    const parts = (await listPartFiles(this.#options.dir)).filter((part) =>
      partOwner(part.name, active) === undefined
    );
    return [...lines, ...partFileLines(parts, known)];
  }
}

/**
 * The {@linkcode ShellJobs} of a logged-in session: background `get`s (when its options ask for
 * them) run the session's own `get`, each job's notices prefixed with its number.
 */
export function shellJobsFor(parts: LoggedIn): ShellJobs {
  const { terminal, backgroundGets, maxJobs, statusEveryMs, dir } = parts.options;
  return new ShellJobs({
    terminal,
    background: backgroundGets ?? false,
    dir,
    known: parts.published,
    ...(maxJobs === undefined ? {} : { maxJobs }),
    ...(statusEveryMs === undefined ? {} : { statusEveryMs }),
    download: (job, signal, onProgress) =>
      runCommand(parts, { kind: "get", file: job.file }, {
        notice: (line) => terminal.print(`[${job.id}] ${line}`),
        cancel: signal,
        onProgress,
      }),
  });
}
