/**
 * The queue of changes waiting to be written, coalesced per publication: only the last change to
 * a (user, name) pair is kept, and removing a user discards that user's queued changes. Pure: no
 * timers, no storage.
 *
 * @module
 */

import type { PublicationMeta } from "./store.ts";

/** The last queued change to one publication. */
export type PendingChange =
  | { readonly kind: "publish"; readonly meta?: PublicationMeta }
  | { readonly kind: "unpublish" };

/** What is queued for one user, in the order a writer must apply it. */
export interface PendingUser {
  /** Delete every stored publication of the user first. */
  readonly removeAll: boolean;
  /** Then apply these, one per name. */
  readonly changes: ReadonlyMap<string, PendingChange>;
}

/** What happened to a change offered to the queue. */
export type QueueOutcome =
  /** It adds one more change to write. */
  | "queued"
  /** It replaced (or discarded) changes already queued. */
  | "coalesced"
  /** The queue is at its cap and the change is for a key not yet queued: it is lost. */
  | "dropped";

interface UserEntry {
  removeAll: boolean;
  readonly changes: Map<string, PendingChange>;
}

// Shared because they carry nothing: queuing them allocates nothing.
const PUBLISH_V1: PendingChange = Object.freeze({ kind: "publish" });
const UNPUBLISH: PendingChange = Object.freeze({ kind: "unpublish" });

/**
 * Coalescing queue of publication changes.
 *
 * @example
 * ```ts
 * import { WriteQueue } from "./write_queue.ts";
 * const queue = new WriteQueue();
 * queue.publish("alice", "a.txt");
 * console.assert(queue.unpublish("alice", "a.txt") === "coalesced");
 * console.assert(queue.size === 1);
 * ```
 */
export class WriteQueue {
  readonly #users = new Map<string, UserEntry>();
  readonly #cap: number;
  #size = 0;

  /** `cap`: the most changes kept; further changes to keys not yet queued are dropped. */
  constructor(cap = Infinity) {
    this.#cap = cap;
  }

  /** Changes to write: one per queued publication change, one per user removal. */
  get size(): number {
    return this.#size;
  }

  /** Queues a publication (with meta for v2). */
  publish(user: string, name: string, meta?: PublicationMeta): QueueOutcome {
    return this.#set(user, name, meta === undefined ? PUBLISH_V1 : { kind: "publish", meta });
  }

  /** Queues a withdrawal. */
  unpublish(user: string, name: string): QueueOutcome {
    return this.#set(user, name, UNPUBLISH);
  }

  /** Queues the removal of every publication of `user`, discarding the user's queued changes. */
  removeUser(user: string): QueueOutcome {
    const entry = this.#users.get(user);
    if (entry === undefined) {
      if (this.#size >= this.#cap) return "dropped";
      this.#users.set(user, { removeAll: true, changes: new Map() });
      this.#size++;
      return "queued";
    }
    // An entry only exists with a removal or a change queued, which this one replaces.
    this.#size -= entry.changes.size + (entry.removeAll ? 1 : 0) - 1;
    entry.changes.clear();
    entry.removeAll = true;
    return "coalesced";
  }

  /** The queued changes per user; a writer applies each user's `removeAll` before its changes. */
  users(): IterableIterator<[string, PendingUser]> {
    return this.#users.entries();
  }

  /** Forgets everything queued (after it was written). */
  clear(): void {
    this.#users.clear();
    this.#size = 0;
  }

  /**
   * Puts `newer`'s changes on top of this queue's, as if they had been queued after them: used
   * to put back a batch whose write failed under the changes queued meanwhile. Not capped.
   */
  absorb(newer: WriteQueue): void {
    for (const [user, theirs] of newer.#users) {
      const ours = this.#users.get(user);
      if (ours === undefined || theirs.removeAll) {
        if (ours !== undefined) this.#size -= ours.changes.size + (ours.removeAll ? 1 : 0);
        this.#users.set(user, { removeAll: theirs.removeAll, changes: new Map(theirs.changes) });
        this.#size += theirs.changes.size + (theirs.removeAll ? 1 : 0);
        continue;
      }
      for (const [name, change] of theirs.changes) {
        if (!ours.changes.has(name)) this.#size++;
        ours.changes.set(name, change);
      }
    }
  }

  #set(user: string, name: string, change: PendingChange): QueueOutcome {
    let entry = this.#users.get(user);
    if (entry?.changes.has(name)) {
      entry.changes.set(name, change);
      return "coalesced";
    }
    if (this.#size >= this.#cap) return "dropped";
    if (entry === undefined) {
      entry = { removeAll: false, changes: new Map() };
      this.#users.set(user, entry);
    }
    entry.changes.set(name, change);
    this.#size++;
    return "queued";
  }
}
