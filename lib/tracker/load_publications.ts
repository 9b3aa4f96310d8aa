/**
 * Restoring publications at start: everything a store kept goes into the tracker's state before
 * the socket answers, offline users' publications included (hidden from `sch` and `get` until
 * their user logs in again). The per-user cap holds here too, so a file written under a larger
 * cap cannot grow the tables past it.
 *
 * @module
 */

import type { PublicationStore } from "./store/mod.ts";
import type { TrackerState } from "./state.ts";

/** A user with more stored publications than the cap allows. */
export interface OverCap {
  readonly user: string;
  /** Stored publications not loaded (they stay in the store, unused). */
  readonly skipped: number;
}

/** What {@linkcode loadPublications} found. */
export interface LoadSummary {
  /** Publications in the store. */
  readonly stored: number;
  /** Publications now in the state. */
  readonly loaded: number;
  /** Users with at least one stored publication. */
  readonly users: number;
  readonly overCap: readonly OverCap[];
  readonly elapsedMs: number;
}

/**
 * Loads every stored publication into `state`. Rejects with the store's typed error
 * (`StoreCorruptError`, `StoreUnavailableError`) when the store cannot be read.
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
  now: () => number = () => performance.now(),
): Promise<LoadSummary> {
  const started = now();
  let users = 0;
  let loaded = 0;
  let current: string | undefined;
  const overCap = new Map<string, number>();
  // The store visits each user's publications together, so a user change is a new user.
  const stored = await store.loadAll((user, name, meta) => {
    if (user !== current) {
      current = user;
      users++;
    }
    if (state.restore(user, name, meta)) {
      loaded++;
    } else {
      overCap.set(user, (overCap.get(user) ?? 0) + 1);
    }
  });
  return {
    stored,
    loaded,
    users,
    overCap: [...overCap].map(([user, skipped]) => ({ user, skipped })),
    elapsedMs: now() - started,
  };
}
