/**
 * Restoring publications at start: everything a store kept goes into the tracker's state before
 * the socket answers, offline users' publications included (hidden from `sch` and `get` until
 * their user logs in again). The per-user cap holds here too, so a file written under a larger
 * cap cannot grow the tables past it. Publications of users not in the credentials file stay in
 * the store, not served: a tracker started with the wrong file (a typo in `--credentials`, a test
 * file) must not delete everyone else's; they are served again once those users are back in the
 * file and the tracker restarts. Removing a user while the tracker runs withdraws them for good.
 *
 * @module
 */

import { TurnTaker } from "../util/mod.ts";
import { LOAD_STEPS_PER_TURN, type PublicationStore } from "./store/mod.ts";
import type { TrackerState } from "./state.ts";

/** A user with more stored publications than the cap allows. */
export interface OverCap {
  readonly user: string;
  /** Stored publications not loaded (they stay in the store, unused). */
  readonly skipped: number;
}

/** A stored user not in the credentials file, whose publications stay in the store, unserved. */
export interface UnknownUser {
  readonly user: string;
  readonly kept: number;
}

/** What {@linkcode loadPublications} found. */
export interface LoadSummary {
  /** Publications in the store. */
  readonly stored: number;
  /** Publications now in the state. */
  readonly loaded: number;
  /** Users in the credentials with at least one stored publication. */
  readonly users: number;
  readonly overCap: readonly OverCap[];
  readonly unknown: readonly UnknownUser[];
  readonly elapsedMs: number;
}

/** What {@linkcode loadPublications} needs besides the store and the state. */
export interface LoadOptions {
  /** Whether `user` is in the credentials file; everyone by default. */
  readonly isKnown?: (user: string) => boolean;
  /** Monotonic milliseconds, for `elapsedMs`. */
  readonly now?: () => number;
  /**
   * Stops the load (it rejects with the signal's reason, leaving `state` only fit to be thrown
   * away): the tracker's SIGINT and SIGTERM during a long start.
   */
  readonly signal?: AbortSignal;
}

/**
 * Loads every stored publication into `state`. Rejects with the store's typed error
 * (`StoreCorruptError`, `StoreUnavailableError`) when the store cannot be read, or with the
 * signal's reason once `signal` aborts. A million publications take seconds: the event loop gets
 * a turn every {@linkcode LOAD_STEPS_PER_TURN} of them, so a signal handler can abort.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "./store/mod.ts";
 * import { TrackerState } from "./state.ts";
 * import { loadPublications } from "./load_publications.ts";
 * const store = new MemoryStore();
 * store.publish("alice", "a.txt");
 * const state = new TrackerState({ now: () => 0 });
 * const summary = await loadPublications(store, state);
 * console.assert(summary.loaded === 1 && state.publishedBy("alice")[0] === "a.txt");
 * ```
 */
export async function loadPublications(
  store: PublicationStore,
  state: TrackerState,
  options: LoadOptions = {},
): Promise<LoadSummary> {
  const now = options.now ?? (() => performance.now());
  const isKnown = options.isKnown ?? (() => true);
  const started = now();
  let users = 0;
  let loaded = 0;
  let current: string | undefined;
  let known = false;
  const overCap = new Map<string, number>();
  const unknown = new Map<string, number>();
  // The store visits each user's publications together, so a user change is a new user.
  const signal = options.signal;
  const stored = await store.loadAll((user, name, meta) => {
    if (user !== current) {
      current = user;
      known = isKnown(user);
      if (known) users++;
    }
    if (!known) {
      unknown.set(user, (unknown.get(user) ?? 0) + 1);
    } else if (state.restore(user, name, meta)) {
      loaded++;
    } else {
      overCap.set(user, (overCap.get(user) ?? 0) + 1);
    }
  }, signal === undefined ? {} : { signal });
  // Index what came, in one pass in name order, before the socket answers.
  await state.flushRestoredInTurns(
    new TurnTaker({ every: LOAD_STEPS_PER_TURN, ...(signal === undefined ? {} : { signal }) }),
  );
  return {
    stored,
    loaded,
    users,
    overCap: [...overCap].map(([user, skipped]) => ({ user, skipped })),
    unknown: [...unknown].map(([user, kept]) => ({ user, kept })),
    elapsedMs: now() - started,
  };
}
