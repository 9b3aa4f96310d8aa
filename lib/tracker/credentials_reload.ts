/**
 * Reloading the credentials file while the tracker runs, on SIGHUP or when the file changes: a
 * good file replaces the users at once (new users can log in, removed users are logged out and
 * their publications withdrawn); a bad file changes nothing and says why in one line. The file is
 * watched through its directory, since `passwd` and most editors replace it by a rename.
 *
 * @module
 */

import { basename, dirname } from "node:path";
import type { Logger } from "../log.ts";
import { addressKey } from "./state.ts";
import { type Credential, CredentialsError, loadCredentials } from "./credentials.ts";
import type { RemovedUser } from "./datagram_router.ts";

/** What a {@linkcode CredentialsReloader} needs. */
export interface CredentialsReloaderOptions {
  readonly file: string;
  /** The users loaded at start. */
  readonly initial: ReadonlyMap<string, Credential>;
  /** Swaps the credentials in (`RunningTracker.replaceCredentials`). */
  readonly apply: (credentials: ReadonlyMap<string, Credential>) => readonly RemovedUser[];
  readonly logger: Logger;
  /** Reads and parses the file; {@linkcode loadCredentials} by default. */
  readonly load?: (file: string) => Promise<Map<string, Credential>>;
}

/**
 * Reloads the credentials file on request, one reload at a time.
 *
 * @example
 * ```ts
 * import { CredentialsReloader } from "./credentials_reload.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/users.txt`, "alice pw\nbob pw\n");
 * const lines: string[] = [];
 * const reloader = new CredentialsReloader({
 *   file: `${dir}/users.txt`,
 *   initial: new Map([["alice", { kind: "plain", password: "pw" }]]),
 *   apply: () => [],
 *   logger: { log: (event) => lines.push(event.message) },
 * });
 * await reloader.reload("SIGHUP");
 * console.assert(lines[0].includes("added bob"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class CredentialsReloader {
  readonly #options: CredentialsReloaderOptions;
  #users: ReadonlySet<string>;
  #running: Promise<void> | undefined;
  #again: string | undefined;

  constructor(options: CredentialsReloaderOptions) {
    this.#options = options;
    this.#users = new Set(options.initial.keys());
  }

  /**
   * Reloads the file; `cause` is named in the log. A reload asked for while one runs happens
   * once after it, so the last version of the file always wins.
   */
  reload(cause: string): Promise<void> {
    if (this.#running) {
      this.#again = cause;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        let next: string | undefined = cause;
        while (next !== undefined) {
          this.#again = undefined;
          await this.#reloadOnce(next);
          next = this.#again;
        }
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** Resolves once no reload runs (for a clean stop). */
  async settled(): Promise<void> {
    await this.#running?.catch(() => {});
  }

  async #reloadOnce(cause: string): Promise<void> {
    const { file, logger } = this.#options;
    let credentials: Map<string, Credential>;
    try {
      credentials = await (this.#options.load ?? loadCredentials)(file);
    } catch (error) {
      if (!(error instanceof CredentialsError)) throw error;
      logger.log({
        level: "warn",
        message: `Credentials not reloaded (${cause}): ${error.message}; ` +
          `keeping the ${plural(this.#users.size, "user")} loaded before`,
        fields: { event: "credentialsRefused", cause, problem: error.message },
      });
      return;
    }
    const added = [...credentials.keys()].filter((user) => !this.#users.has(user));
    const removed = this.#options.apply(credentials);
    this.#users = new Set(credentials.keys());
    const changes = [
      ...(added.length > 0 ? [`added ${added.join(", ")}`] : []),
      ...(removed.length > 0 ? [`removed ${removed.map((r) => r.user).join(", ")}`] : []),
    ];
    logger.log({
      message: `Credentials reloaded (${cause}) from ${file}: ${plural(credentials.size, "user")}` +
        (changes.length > 0 ? `; ${changes.join("; ")}` : "; no user added or removed"),
      fields: {
        event: "credentialsReloaded",
        cause,
        users: credentials.size,
        added: added.length,
        removed: removed.length,
      },
    });
    for (const { user, session, withdrawn } of removed) {
      logger.log({
        peer: session && addressKey(session.address),
        user,
        message: `User ${user} removed from the credentials: ` +
          `${session ? "logged out" : "was not logged in"}, ` +
          `${plural(withdrawn, "publication")} withdrawn`,
        fields: { event: "userRemoved", loggedOut: session !== undefined, withdrawn },
      });
    }
  }
}

/** A running watch of the credentials file. */
export interface CredentialsWatch {
  /** Stops watching and waits for the watch to end. */
  close(): Promise<void>;
}

/**
 * Calls `onChange` once things settle (`debounceMs` without another event) after the file at
 * `file` is written, replaced, created or deleted. Events of other files in its directory (the
 * tracker's own database beside it) are ignored.
 */
export function watchCredentialsFile(options: {
  readonly file: string;
  readonly onChange: () => void;
  readonly debounceMs?: number;
}): CredentialsWatch {
  const name = basename(options.file);
  const watcher = Deno.watchFs(dirname(options.file), { recursive: false });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = (async () => {
    try {
      for await (const event of watcher) {
        if (event.kind === "access" || !event.paths.some((path) => basename(path) === name)) {
          continue;
        }
        clearTimeout(timer);
        timer = setTimeout(() => {
          timer = undefined;
          options.onChange();
        }, options.debounceMs ?? 200);
      }
    } catch {
      // Closed, or the directory went away: reloads still work by SIGHUP.
    }
  })();
  return {
    async close() {
      clearTimeout(timer);
      try {
        watcher.close();
      } catch {
        // Already closed.
      }
      await loop;
    },
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
