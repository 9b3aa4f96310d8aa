/**
 * The default publication store: one SQLite file (`node:sqlite`), in WAL mode with
 * `synchronous=NORMAL`, written behind the tracker's back in batches (see `write_behind.ts`) by a
 * worker with a connection of its own (`sqlite_writer.ts`), so the datagram loop never waits on
 * the disk: the tracker's connection only checks, migrates and loads the file.
 *
 * A committed batch survives the process being killed (it is in the WAL, which the OS holds);
 * only a power cut may lose the batches since the last WAL checkpoint. The file is locked
 * (`flock`) for as long as the store is open, so a second tracker on the same file refuses to
 * start instead of splitting publications between two processes; readers such as
 * `sqlite3 file ".backup copy.db"` are not locked out.
 *
 * Deno permissions: `--allow-read` and `--allow-write` for the file's path are enough (SQLite
 * creates its `-wal` and `-shm` siblings itself); no `--allow-ffi`.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { resolve } from "node:path";
import { StoreUnavailableError, StoreWriteError } from "./errors.ts";
import { corruptFailure, openFailure, writeFailure } from "./sqlite_errors.ts";
import { checkSchema, migrate } from "./sqlite_schema.ts";
import {
  checkMeta,
  LOAD_STEPS_PER_TURN,
  type LoadAllOptions,
  type PublicationMeta,
  type PublicationStore,
  type PublicationVisitor,
  type StoreStats,
} from "./store.ts";
import { WriteBehind, type WriteBehindTuning } from "./write_behind.ts";
import type { WriteQueue } from "./write_queue.ts";
import { batchFrom } from "./sqlite_batch.ts";
import { SqliteWriter } from "./sqlite_writer.ts";
import { errorText, TurnTaker } from "../../util/mod.ts";
import { holdFileSizeSignal } from "./file_size_signal.ts";

/** How a {@linkcode SqliteStore} is opened. */
export interface SqliteStoreOptions extends WriteBehindTuning {
  /**
   * Largest the database may grow, in bytes (SQLite's `max_page_count`); a batch that would
   * grow it further fails like one on a full disk. No cap by default.
   */
  readonly maxBytes?: number;
}

// Paths open in this process. The file lock alone would also refuse a second open here, but
// closing the refused descriptor would drop SQLite's own POSIX locks on the file (POSIX drops
// all of a process's locks on a file when any descriptor of it closes), so refuse first.
const openHere = new Set<string>();

// A child process that another thread of this process spawns holds a copy of every descriptor
// from its fork until its exec closes them (close-on-exec), and with it the `flock` of a file
// this process has just closed: for that moment the file reads as locked (seen in the parallel
// test run, on a close and reopen). A tracker that really holds the file holds it for good, so a
// short wait tells the two apart; it only delays the refusal of a real second tracker.
const LOCK_WAIT_MS = 500;

function tryLockFor(lock: Deno.FsFile, waitMs: number): boolean {
  const deadline = performance.now() + waitMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    if (lock.tryLockSync(true)) return true;
    if (performance.now() >= deadline) return false;
    // Opening is synchronous (the tracker opens its store before it answers anything).
    Atomics.wait(pause, 0, 0, 10);
  }
}

interface Statements {
  readonly firstPage: StatementSync;
  readonly nextPage: StatementSync;
}

interface UserRow {
  readonly user: string;
  readonly names: string;
  readonly sizes: string;
  readonly digests: string;
}

const LOADED_USERS_PER_PAGE = 1_000;

/**
 * Publications in an SQLite file.
 *
 * @example
 * ```ts
 * import { SqliteStore } from "./sqlite_store.ts";
 * const dir = await Deno.makeTempDir();
 * const store = SqliteStore.open(`${dir}/tracker.db`);
 * store.publish("alice", "a.txt", { size: 3, sha256: "ab".repeat(32) });
 * await store.close();
 * const again = SqliteStore.open(`${dir}/tracker.db`);
 * console.assert((await again.loadAll(() => {})) === 1);
 * await again.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class SqliteStore implements PublicationStore, AsyncDisposable {
  /** The path as given, which every message names. */
  readonly file: string;
  readonly #key: string;
  readonly #lock: Deno.FsFile;
  readonly #db: DatabaseSync;
  readonly #statements: Statements;
  readonly #behind: WriteBehind;
  readonly #writer: SqliteWriter;
  readonly #releaseSignal = holdFileSizeSignal();
  #closed = false;

  /**
   * Opens (creating if needed) and locks the database at `file`, and brings its schema up to
   * date. Throws {@linkcode StoreCorruptError} or {@linkcode StoreUnavailableError}.
   */
  static open(file: string, options: SqliteStoreOptions = {}): SqliteStore {
    const key = resolve(file);
    if (openHere.has(key)) {
      throw new StoreUnavailableError(file, "locked", "already open in this process");
    }
    let lock: Deno.FsFile;
    try {
      lock = Deno.openSync(file, { read: true, write: true, create: true });
    } catch (error) {
      throw openFailure(file, error);
    }
    let db: DatabaseSync | undefined;
    try {
      if (!tryLockFor(lock, LOCK_WAIT_MS)) {
        throw new StoreUnavailableError(
          file,
          "locked",
          "in use by another tracker process (it holds the file's lock); " +
            "two trackers on one file would split its publications",
        );
      }
      // timeout 0: a batch that meets another program's write lock fails and is retried later,
      // instead of stalling the tracker's loop while it waits.
      db = new DatabaseSync(file, { timeout: 0 });
      const version = checkSchema(db, file);
      const mode = db.prepare("PRAGMA journal_mode = WAL").get()?.journal_mode;
      if (mode !== "wal") {
        throw new StoreUnavailableError(file, "cannotOpen", `cannot use WAL mode (got ${mode})`);
      }
      db.exec("PRAGMA synchronous = NORMAL");
      migrate(db, version);
      if (options.maxBytes !== undefined) {
        const pageSize = Number(db.prepare("PRAGMA page_size").get()?.page_size);
        db.exec(`PRAGMA max_page_count = ${Math.max(1, Math.floor(options.maxBytes / pageSize))}`);
      }
      const store = new SqliteStore(file, key, lock, db, prepareStatements(db), options);
      openHere.add(key);
      return store;
    } catch (error) {
      try {
        db?.close();
      } finally {
        lock.close();
      }
      throw openFailure(file, error);
    }
  }

  private constructor(
    file: string,
    key: string,
    lock: Deno.FsFile,
    db: DatabaseSync,
    statements: Statements,
    options: SqliteStoreOptions,
  ) {
    this.file = file;
    this.#key = key;
    this.#lock = lock;
    this.#db = db;
    this.#statements = statements;
    this.#writer = new SqliteWriter({ file: key, maxBytes: options.maxBytes });
    this.#behind = new WriteBehind({ ...options, file, write: (batch) => this.#write(batch) });
  }

  get stats(): StoreStats {
    return this.#behind.stats;
  }

  async loadAll(visit: PublicationVisitor, options: LoadAllOptions = {}): Promise<number> {
    await this.#behind.flush();
    const turns = new TurnTaker({ every: LOAD_STEPS_PER_TURN, ...options });
    let count = 0;
    let page = this.#readPage(undefined);
    while (page.length > 0) {
      for (const row of page) {
        const names = JSON.parse(row.names) as string[];
        const sizes = JSON.parse(row.sizes) as (number | null)[];
        const digests = JSON.parse(row.digests) as (string | null)[];
        for (let index = 0; index < names.length; index++) {
          const size = sizes[index];
          const digest = digests[index];
          visit(
            row.user,
            names[index],
            size === null || digest === null ? undefined : { size, sha256: digest },
          );
          if (turns.due()) await turns.turn();
        }
        count += names.length;
      }
      page = this.#readPage(page[page.length - 1].user);
    }
    return count;
  }

  // `all()` and not `iterate()`: Deno 2.9.6's iterator ends quietly when SQLite fails mid-scan
  // (a damaged page), which would start the tracker on part of its publications.
  #readPage(after: string | undefined): UserRow[] {
    try {
      const { firstPage, nextPage } = this.#statements;
      return (after === undefined ? firstPage.all() : nextPage.all(after)) as unknown as UserRow[];
    } catch (error) {
      throw corruptFailure(this.file, error) ??
        new StoreUnavailableError(this.file, "cannotOpen", `cannot read (${String(error)})`);
    }
  }

  publish(user: string, name: string, meta?: PublicationMeta): void {
    checkMeta(meta);
    this.#behind.publish(user, name, meta);
  }

  unpublish(user: string, name: string): void {
    this.#behind.unpublish(user, name);
  }

  removeUser(user: string): void {
    this.#behind.removeUser(user);
  }

  flush(): Promise<void> {
    return this.#behind.flush();
  }

  /** Writes what is queued, then closes the database (checkpointing its WAL) and unlocks it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#behind.close();
    } finally {
      try {
        await this.#writer.close();
        // The last connection closed checkpoints the WAL into the file.
        this.#db.close();
      } finally {
        this.#lock.close();
        openHere.delete(this.#key);
        this.#releaseSignal();
      }
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #write(batch: WriteQueue): Promise<void> {
    this.#checkStillThere(batch.size);
    try {
      await this.#writer.write(batchFrom(batch));
    } catch (error) {
      throw writeFailure(this.file, batch.size, error);
    }
  }

  // Writing into a file that was deleted or replaced would look like success and be lost at
  // the next start: refuse, and keep the changes queued, until the path holds our file again.
  #checkStillThere(pending: number): void {
    let found: Deno.FileInfo;
    try {
      found = Deno.statSync(this.file);
    } catch (error) {
      const problem = error instanceof Deno.errors.NotFound
        ? "the database file was deleted or moved away"
        : `cannot check the database file (${errorText(error)})`;
      throw new StoreWriteError(this.file, "gone", pending, problem);
    }
    const held = this.#lock.statSync();
    if (found.ino !== held.ino || found.dev !== held.dev) {
      throw new StoreWriteError(this.file, "gone", pending, "the database file was replaced");
    }
  }
}

function prepareStatements(db: DatabaseSync): Statements {
  // A row per user with its names, sizes and digests as JSON arrays (aligned: the three
  // aggregates see the rows in one order): crossing from SQLite into JavaScript costs more per
  // row than JSON.parse per byte, so this loads about 3× faster than a row per publication.
  // Pages of LOADED_USERS_PER_PAGE users, by key, bound the memory a load holds at once.
  const selectByUser = (where: string) =>
    db.prepare(
      `SELECT user, json_group_array(name) AS names, json_group_array(size) AS sizes,
              json_group_array(sha256) AS digests
         FROM publication ${where} GROUP BY user ORDER BY user LIMIT ${LOADED_USERS_PER_PAGE}`,
    );
  return {
    firstPage: selectByUser(""),
    nextPage: selectByUser("WHERE user > ?"),
  };
}
