/**
 * The tracker's side of its publication store: opening the kind the command line chose (with
 * write failures reported to the log), saying what was loaded, and closing it at stop. The
 * store itself is `store/mod.ts`; loading into the state is `load_publications.ts`.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { MAX_PUBLICATIONS_PER_USER } from "./defaults.ts";
import type { LoadSummary } from "./load_publications.ts";
import { StoreHealthLog } from "./store_health.ts";
import {
  MemoryStore,
  type PublicationStore,
  SqliteStore,
  StoreCorruptError,
  StoreUnavailableError,
} from "./store/mod.ts";
import { errorText } from "../util/mod.ts";

/** Where publications are kept: `--store sqlite|memory`. */
export type StoreKind = "sqlite" | "memory";

/** A store opened for the tracker. */
export interface OpenedStore {
  readonly kind: StoreKind;
  /** The database file (sqlite only). */
  readonly file?: string;
  readonly store: PublicationStore;
}

/** Why the tracker cannot start on its store: print the message, exit 1. */
export type StartupStoreError = StoreCorruptError | StoreUnavailableError;

/** Whether `error` is one the tracker reports as one line and refuses to start on. */
export function isStartupStoreError(error: unknown): error is StartupStoreError {
  return error instanceof StoreCorruptError || error instanceof StoreUnavailableError;
}

/** What {@linkcode openPublicationStore} needs. */
export interface OpenPublicationStoreOptions {
  readonly kind: StoreKind;
  /** The database file, for `sqlite`. */
  readonly file: string;
  readonly logger: Logger;
  /** Monotonic milliseconds, for throttling failure lines. */
  readonly now: () => number;
}

/**
 * Opens the chosen store. Throws a {@linkcode StartupStoreError} when the file cannot be used.
 *
 * @example
 * ```ts
 * import { openPublicationStore } from "./publication_store.ts";
 * const opened = openPublicationStore({
 *   kind: "memory",
 *   file: "unused.db",
 *   logger: { log: () => {} },
 *   now: () => performance.now(),
 * });
 * console.assert(opened.file === undefined);
 * await opened.store.close();
 * ```
 */
export function openPublicationStore(options: OpenPublicationStoreOptions): OpenedStore {
  if (options.kind === "memory") return { kind: "memory", store: new MemoryStore() };
  const health = new StoreHealthLog({ logger: options.logger, now: options.now });
  const store = SqliteStore.open(options.file, {
    onError: (error) => health.failed(error),
    onRecover: (info) => health.recovered(info),
  });
  return { kind: "sqlite", file: options.file, store };
}

/** Logs what was loaded at start, and each user whose publications were cut to the cap. */
export function logLoaded(
  logger: Logger,
  opened: OpenedStore,
  summary: LoadSummary,
  maxPublicationsPerUser = MAX_PUBLICATIONS_PER_USER,
): void {
  if (opened.kind === "memory") {
    logger.log({
      message: "Publications are kept in memory only (--store memory): " +
        "they are forgotten when the tracker stops",
      fields: { event: "loaded", store: "memory" },
    });
    return;
  }
  logger.log({
    message:
      `Loaded ${plural(summary.loaded, "publication")} of ${plural(summary.users, "user")} ` +
      `from ${opened.file} in ${Math.round(summary.elapsedMs)} ms`,
    fields: {
      event: "loaded",
      store: "sqlite",
      file: opened.file,
      publications: summary.loaded,
      users: summary.users,
      ms: Math.round(summary.elapsedMs),
    },
  });
  if (summary.unknown.length > 0) {
    const kept = summary.unknown.reduce((sum, { kept }) => sum + kept, 0);
    const named = summary.unknown.slice(0, 5).map(({ user }) => user).join(", ");
    const more = summary.unknown.length > 5 ? ` and ${summary.unknown.length - 5} more` : "";
    logger.log({
      level: "warn",
      message: `${plural(kept, "stored publication")} of ` +
        `${plural(summary.unknown.length, "user")} not in the credentials file (${named}${more}) ` +
        "kept in the database, not served: they are served again once those users are back " +
        "in the file and the tracker restarts",
      fields: { event: "unknownUsersKept", users: summary.unknown.length, publications: kept },
    });
  }
  for (const { user, skipped } of summary.overCap) {
    logger.log({
      level: "warn",
      user,
      message: `User ${user} has ${plural(skipped, "stored publication")} over the limit of ` +
        `${maxPublicationsPerUser} per user: not loaded (they stay in the database)`,
      fields: { event: "overCap", skipped },
    });
  }
}

/**
 * Writes what is queued and closes the store; false (after one log line) when queued changes
 * could not be written and are lost.
 */
export async function closePublicationStore(opened: OpenedStore, logger: Logger): Promise<boolean> {
  try {
    await opened.store.close();
    return true;
  } catch (error) {
    logger.log({
      level: "error",
      message: `Publications not saved at stop: ${errorText(error)}`,
      fields: { event: "storeLost" },
    });
    return false;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
