/**
 * What the tracker serves from, opened at start: a fleet on Redis (`--redis`), or one of the
 * publication stores (`--store sqlite|memory`) with its publications loaded into a fresh state.
 * A start that cannot go on is a {@linkcode StorageStartError} whose message is the one line the
 * tracker prints before exiting 1.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { errorText } from "../util/mod.ts";
import { type Fleet, joinFleet, RedisUnreachableError } from "./fleet/mod.ts";
import { loadPublications } from "./load_publications.ts";
import {
  closePublicationStore,
  isStartupStoreError,
  logLoaded,
  type OpenedStore,
  openPublicationStore,
  type StoreKind,
} from "./publication_store.ts";
import type { StoreStats } from "./store/mod.ts";
import { TrackerState } from "./state.ts";

/** The tracker cannot start on its storage; the message says why, in one line. */
export class StorageStartError extends Error {
  override name = "StorageStartError";
}

/** The start was stopped while the publications loaded; the store was closed, unchanged. */
export class StorageStartStopped extends Error {
  override name = "StorageStartStopped";
  /** Whether the store closed cleanly. */
  constructor(readonly saved: boolean) {
    super("stopped while loading publications");
  }
}

/** What {@linkcode openStorage} needs. */
export interface StorageOptions {
  /** `--redis`: join the fleet there instead of opening a store. */
  readonly redisUrl?: string;
  readonly storeKind: StoreKind;
  readonly dbFile: string;
  /** This tracker's UDP address, naming it in the fleet. */
  readonly listenName: string;
  readonly logger: Logger;
  readonly now: () => number;
  /** What session silence is measured on (`silence_clock.ts`); `now` by default. */
  readonly silenceNow?: () => number;
  readonly isKnown: (user: string) => boolean;
  readonly maxSessions: number;
  readonly maxPublicationsPerUser: number;
  readonly maxSearchSteps: number;
  /**
   * A stop (SIGINT, SIGTERM) while the publications load: the store is closed and
   * {@linkcode StorageStartStopped} thrown. A fleet's join is not cut short; the caller checks
   * the signal after it.
   */
  readonly signal?: AbortSignal;
}

/** The storage a tracker serves from. */
export interface OpenedStorage {
  readonly state: TrackerState;
  /** The store's counters for `/metrics` (SQLite only: nothing else queues). */
  readonly storeStats?: () => StoreStats;
  /** Leaves the fleet or closes the store; false when queued changes were lost. */
  close(): Promise<boolean>;
}

/** Opens the storage; throws {@linkcode StorageStartError} when the tracker cannot start. */
export async function openStorage(options: StorageOptions): Promise<OpenedStorage> {
  const { logger, now } = options;
  const caps = {
    maxSessions: options.maxSessions,
    maxPublicationsPerUser: options.maxPublicationsPerUser,
    maxSearchSteps: options.maxSearchSteps,
  };
  if (options.redisUrl !== undefined) {
    const url = options.redisUrl;
    let fleet: Fleet;
    try {
      fleet = await joinFleet({
        url,
        name: options.listenName,
        logger,
        now,
        isKnown: options.isKnown,
        ...caps,
      });
    } catch (error) {
      // Unreachable at start, or lost while loading: one line, and no start.
      throw new StorageStartError(
        error instanceof RedisUnreachableError
          ? error.message
          : `cannot use Redis at ${url}: ${errorText(error)}`,
      );
    }
    logger.log({
      message: `Joined the fleet on Redis ${url} as tracker ${fleet.id}: ` +
        `${fleet.loaded.loaded} publications of ${fleet.loaded.users} users loaded in ` +
        `${Math.round(fleet.loaded.elapsedMs)} ms`,
      fields: { event: "loaded", store: "redis", tracker: fleet.id },
    });
    return { state: fleet.state, close: () => fleet.leave() };
  }
  let opened: OpenedStore;
  try {
    opened = openPublicationStore({ kind: options.storeKind, file: options.dbFile, logger, now });
  } catch (error) {
    if (isStartupStoreError(error)) throw new StorageStartError(error.message);
    throw error;
  }
  const { signal } = options;
  if (opened.kind === "sqlite") {
    // A million publications take seconds: say why nothing answers yet, and that a stop works.
    logger.log({
      message: `Loading publications from ${opened.file}`,
      fields: { event: "loading", store: "sqlite", file: opened.file },
    });
  }
  try {
    const state = new TrackerState({
      now: options.silenceNow ?? now,
      journal: opened.store,
      ...caps,
    });
    const loaded = await loadPublications(opened.store, state, {
      isKnown: options.isKnown,
      now,
      ...(signal === undefined ? {} : { signal }),
    });
    logLoaded(logger, opened, loaded, options.maxPublicationsPerUser);
    const store = opened.store;
    return {
      state,
      ...(opened.kind === "sqlite" ? { storeStats: () => store.stats } : {}),
      close: () => closePublicationStore(opened, logger),
    };
  } catch (error) {
    if (signal?.aborted) {
      // Nothing was queued yet (a load writes nothing): closing only ends the file cleanly.
      throw new StorageStartStopped(await closePublicationStore(opened, logger));
    }
    if (isStartupStoreError(error)) throw new StorageStartError(error.message);
    throw error;
  }
}
