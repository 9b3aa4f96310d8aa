/**
 * The publication store's typed errors. Each carries the file it is about and a `reason` callers
 * branch on; its message is one line an operator can act on, so the tracker prints it as is and
 * never a stack trace.
 *
 * @module
 */

/** Why a store file holds nothing this tracker may use. */
export type StoreCorruptReason =
  /** Not an SQLite database at all (random bytes, a text file). */
  | "notDatabase"
  /** An SQLite database whose pages are damaged (a truncated or overwritten file). */
  | "malformed"
  /** A schema version newer than this tracker knows: written by a later PeerSync. */
  | "newerSchema"
  /** A healthy SQLite database of some other program. */
  | "foreign";

/**
 * The store file exists but cannot be trusted; the tracker refuses to start rather than start
 * empty and overwrite what may be the only copy of users' publications.
 *
 * @example
 * ```ts
 * import { StoreCorruptError } from "./errors.ts";
 * const error = new StoreCorruptError("tracker.db", "notDatabase", "not an SQLite database");
 * console.assert(error.message === "tracker.db: not an SQLite database");
 * ```
 */
export class StoreCorruptError extends Error {
  constructor(readonly file: string, readonly reason: StoreCorruptReason, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "StoreCorruptError";
  }
}

/** Why a store file cannot be opened for writing. */
export type StoreUnavailableReason =
  /** Another process (another tracker) holds the file's lock. */
  | "locked"
  /** The file or its directory cannot be written. */
  | "readOnly"
  /** The operating system or Deno's permissions refuse access. */
  | "permission"
  /** The directory the file should be in does not exist. */
  | "notFound"
  /** Anything else that stops the file from opening. */
  | "cannotOpen";

/**
 * The store file cannot be opened, locked or written at start.
 *
 * @example
 * ```ts
 * import { StoreUnavailableError } from "./errors.ts";
 * const error = new StoreUnavailableError("tracker.db", "locked", "in use by another process");
 * console.assert(error.reason === "locked");
 * ```
 */
export class StoreUnavailableError extends Error {
  constructor(readonly file: string, readonly reason: StoreUnavailableReason, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "StoreUnavailableError";
  }
}

/** Why a batch of changes could not be written while running. */
export type StoreWriteReason =
  /** The disk (or the configured size cap) is full. */
  | "full"
  /** The operating system reported an I/O error. */
  | "io"
  /** The file became read-only. */
  | "readOnly"
  /** Another program holds the database's write lock (e.g. an `sqlite3` shell). */
  | "busy"
  /** The database turned out damaged. */
  | "corrupt"
  /** The file was deleted, moved or replaced under the running tracker. */
  | "gone"
  | "other";

/**
 * A batch of changes was not written. While running, the changes stay queued in memory and are
 * retried; the store says so through `onError` each time and through `onRecover` once writes
 * succeed again. From `close()`, they are lost (`lost` is true).
 *
 * @example
 * ```ts
 * import { StoreWriteError } from "./errors.ts";
 * const error = new StoreWriteError("tracker.db", "full", 12, "database or disk is full");
 * console.assert(error.pending === 12 && !error.lost);
 * ```
 */
export class StoreWriteError extends Error {
  constructor(
    readonly file: string,
    readonly reason: StoreWriteReason,
    /** Changes waiting to be written when the attempt failed. */
    readonly pending: number,
    /** What went wrong, as SQLite or the system said it. */
    readonly problem: string,
    readonly lost = false,
  ) {
    super(
      `${file}: cannot write ${plural(pending, "change")} (${problem}); ` +
        (lost ? "they are lost" : "keeping them in memory and retrying"),
    );
    this.name = "StoreWriteError";
  }
}

/**
 * Writes have failed for so long that the in-memory queue reached its cap: changes to keys not
 * already queued are now being lost, and the database will miss them.
 *
 * @example
 * ```ts
 * import { StoreOverflowError } from "./errors.ts";
 * const error = new StoreOverflowError("tracker.db", 1000);
 * console.assert(error.limit === 1000);
 * ```
 */
export class StoreOverflowError extends Error {
  constructor(readonly file: string, readonly limit: number) {
    super(
      `${file}: ${plural(limit, "change")} wait to be written, the most kept in memory; ` +
        "further changes are lost until writes succeed",
    );
    this.name = "StoreOverflowError";
  }
}

/** What `onError` receives. */
export type StoreRuntimeError = StoreWriteError | StoreOverflowError;

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
