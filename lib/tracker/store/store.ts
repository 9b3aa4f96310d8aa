/**
 * What every publication store offers the tracker: the publications that must outlive the
 * process, loaded once at start and changed by cheap calls that only queue.
 *
 * @module
 */

/** What a v2 holder published along with a name; v1 publications have none. */
export interface PublicationMeta {
  readonly size: number;
  /** Lowercase hex SHA-256 of the content. */
  readonly sha256: string;
}

/** Receives one stored publication during {@linkcode PublicationStore.loadAll}. */
export type PublicationVisitor = (
  user: string,
  name: string,
  meta: PublicationMeta | undefined,
) => void;

/**
 * Publications a load visits between two turns of the event loop: ~20–40 ms of work on this
 * machine, so a Ctrl-C during a million-row load is heard at once and costs the load ~1 %.
 */
export const LOAD_STEPS_PER_TURN = 20_000;

/** How {@linkcode PublicationStore.loadAll} may be stopped. */
export interface LoadAllOptions {
  /**
   * Stops the load (it rejects with the signal's reason); a long load gives the event loop a turn
   * now and then, so a signal handler can abort it.
   */
  readonly signal?: AbortSignal;
}

/** Counters an operator (or a test) reads to see what the store did. */
export interface StoreStats {
  /** Changes queued and not yet written. */
  readonly pending: number;
  /** Changes written (each committed batch adds its size). */
  readonly written: number;
  /** Batches committed: one transaction each. */
  readonly transactions: number;
  /** Changes merged into a change already queued for the same publication or user. */
  readonly coalesced: number;
  /** Write attempts that failed (their changes stayed queued). */
  readonly failures: number;
  /** Changes lost because the queue was at its cap while writes failed. */
  readonly dropped: number;
}

/**
 * Users' publications that must outlive a tracker process.
 *
 * `publish`, `unpublish` and `removeUser` never wait on a disk or a network: they queue the
 * change in memory, where later changes to the same publication replace earlier ones, and the
 * store writes the queue in batches. A process killed outright may therefore lose the changes
 * of its last batch interval; `flush()` and `close()` write everything queued.
 */
export interface PublicationStore {
  /**
   * Calls `visit` once per stored publication, sorted by user and then name (each user's
   * publications together), and resolves with how many there were. Changes queued before the
   * call are written first, so the visit sees them. (Sorted by UTF-16 code unit in memory and by
   * UTF-8 byte in SQLite: the two differ only for characters beyond U+FFFF.)
   */
  loadAll(visit: PublicationVisitor, options?: LoadAllOptions): Promise<number>;
  /** Records that `user` publishes `name` (with its size and digest for v2), replacing any earlier record. */
  publish(user: string, name: string, meta?: PublicationMeta): void;
  /** Records that `user` no longer publishes `name`. */
  unpublish(user: string, name: string): void;
  /** Forgets every publication of `user` (a user dropped from the credentials). */
  removeUser(user: string): void;
  /** Writes every queued change now; rejects with a write error if that fails (they stay queued). */
  flush(): Promise<void>;
  /** Writes what is queued and releases the store; rejects if queued changes could not be written. */
  close(): Promise<void>;
  /** What the store has done so far. */
  readonly stats: StoreStats;
}

/**
 * Throws when `meta` could not be stored faithfully. Checked when a change is queued, so one bad
 * record fails its caller at once instead of failing, and blocking, a whole batch later.
 */
export function checkMeta(meta: PublicationMeta | undefined): void {
  if (meta === undefined) return;
  if (!Number.isSafeInteger(meta.size) || meta.size < 0) {
    throw new RangeError(`publication size must be a non-negative safe integer, got ${meta.size}`);
  }
  if (typeof meta.sha256 !== "string") throw new TypeError("publication sha256 must be a string");
}
