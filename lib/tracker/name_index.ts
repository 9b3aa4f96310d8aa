/**
 * A substring index over published file names, kept in step with publish, unpublish and users
 * coming and going, that answers `sch` at a cost that follows the reply, not the table:
 * "the distinct names containing q, published by at least one active user other than the asker",
 * in code-unit order, from any position, with the exact count.
 *
 * Counting: a name counts when its active holders are two or more, or one who is not the asker
 * (two array reads, see `name_table.ts`). Queries of up to 3 code units are counted by counters
 * kept per gram (active names containing it) minus the asker's own sole holdings (a scan of the
 * asker's joined keys, bounded by a user's publication cap); longer ones by walking their
 * postings up to the step cap, the count being kept between requests (`broad_counts.ts`: a walk
 * cut by the cap is continued by the next request for the same query, and a finished count only
 * catches up on the changes since). Listing walks postings in name order
 * and stops when the caller has what fits. See docs/tracker_index.md for the cost model.
 *
 * @module
 */

import {
  forEachShortGram,
  forEachTrigram,
  shortGramCode,
  shortGramsOfTrigram,
  trigramCode,
} from "./grams.ts";
import { BroadCounts } from "./broad_counts.ts";
import { ChunkPool } from "./chunk_pool.ts";
import { NameOrder } from "./name_order.ts";
import { type IndexParts, lister, type NameLister } from "./name_query.ts";
import { NameTable } from "./name_table.ts";
import { IndexUsers, type UserRecord } from "./index_users.ts";
import { OwnKeys } from "./own_keys.ts";
import { MAX_POSTING_ID, Posting } from "./posting.ts";
import type { ListFrom } from "./sorted_view.ts";

export type { ListStop, NameLister } from "./name_query.ts";

/** Walk steps one count or one listing may take by default: about 3–5 ms on a million names here. */
export const DEFAULT_MAX_SEARCH_STEPS = 40_000;

/** How a {@linkcode NameIndex} is built. */
export interface NameIndexOptions {
  /** Maps names and queries to their searched form (e.g. `foldCaseNfc`); identity by default. */
  readonly fold?: (text: string) => string;
  /** Most steps one count or one listing may walk (see {@linkcode SearchCount}). */
  readonly maxSteps?: number;
  /** Counts of broad queries kept between requests (see `broad_counts.ts`). */
  readonly maxBroadCounts?: number;
  /** Changes to which names are active that kept counts can catch up on. */
  readonly loggedChanges?: number;
  /** Count walks of at most this many steps leave no kept count. */
  readonly minKeptWalkSteps?: number;
}

/**
 * How many names match: exactly, or, for a query whose walk would pass the step cap, at most
 * how many (the fewest active names any of its trigrams has).
 */
export type SearchCount =
  | { readonly kind: "exact"; readonly count: number }
  | { readonly kind: "tooBroad"; readonly atMost: number };

/** Where a listing starts and whom it leaves out. */
export interface ListOptions {
  /** The asking user: names only the asker actively holds are left out. */
  readonly asker?: string;
  /** List the names after this one in code-unit order (a cursor: the last name of a page). */
  readonly after?: string;
  /** Overrides the index's step cap for this listing. */
  readonly maxSteps?: number;
}

/** Sizes of an index's parts. */
export interface IndexStats {
  /** Distinct names. */
  readonly names: number;
  /** Distinct trigrams, each with its posting list. */
  readonly trigrams: number;
  /** Entries in all posting lists (a name is in one per distinct trigram). */
  readonly postingEntries: number;
  /** Entries the posting lists' chunks have room for. */
  readonly postingCapacity: number;
  /** Chunks of all posting lists. */
  readonly chunks: number;
  /** Times a window of order labels was spread out again. */
  readonly relabels: number;
}

/**
 * The name index.
 *
 * @example
 * ```ts
 * import { NameIndex } from "./name_index.ts";
 * const index = new NameIndex();
 * index.setActive("bob", true);
 * index.publish("bob", "report-2024.pdf");
 * index.publish("bob", "photo.jpg");
 * console.assert(index.count("port", "alice").kind === "exact");
 * const found = index.list("o", { asker: "alice" });
 * console.assert(found.next() === "photo.jpg" && found.next() === "report-2024.pdf");
 * ```
 */
export class NameIndex {
  readonly #table = new NameTable();
  readonly #order = new NameOrder(this.#table);
  readonly #trigrams = new Map<number, Posting>();
  readonly #pool = new ChunkPool();
  readonly #shortKeys = new Posting(-1, this.#pool);
  readonly #postingsWith = new Map<number, Set<Posting>>();
  // Active names containing each unigram and bigram.
  readonly #shortActive = new Map<number, number>();
  readonly #broad: BroadCounts;
  #activeNames = 0;
  readonly #users = new IndexUsers((a, b) => this.#table.ord[a] - this.#table.ord[b]);
  readonly #fold: (text: string) => string;
  readonly #maxSteps: number;
  readonly #parts: IndexParts;

  constructor(options: NameIndexOptions = {}) {
    this.#fold = options.fold ?? ((text) => text);
    this.#maxSteps = options.maxSteps ?? DEFAULT_MAX_SEARCH_STEPS;
    this.#broad = new BroadCounts({
      capacity: options.maxBroadCounts,
      loggedChanges: options.loggedChanges,
      minKeptSteps: options.minKeptWalkSteps,
    });
    this.#parts = {
      table: this.#table,
      order: this.#order,
      trigrams: this.#trigrams,
      shortKeys: this.#shortKeys,
      postingsWith: this.#postingsWith,
    };
  }

  /** Distinct names published by anyone. */
  get size(): number {
    return this.#table.size;
  }

  /** Whether anyone, active or not, publishes `name`. */
  isPublished(name: string): boolean {
    return this.#table.idOf(name) !== undefined;
  }

  /** Whether `user` is marked active. */
  isActive(user: string): boolean {
    return this.#users.isActive(user);
  }

  /** Records that `user` publishes `name`; false when it already did. */
  publish(user: string, name: string): boolean {
    const record = this.#users.recordFor(user);
    const table = this.#table;
    const id = table.idOf(name) ?? this.#addName(name);
    if (!record.ids.add(id)) return false;
    record.ownKeys = undefined;
    table.holders[id]++;
    if (record.active) this.#holderJoins(id, record.number);
    return true;
  }

  /** Withdraws `user`'s publication of `name`; false when it had none. */
  unpublish(user: string, name: string): boolean {
    const record = this.#users.get(user);
    const table = this.#table;
    const id = table.idOf(name);
    if (record === undefined || id === undefined || !record.ids.delete(id)) return false;
    record.ownKeys = undefined;
    if (record.active) this.#holderLeaves(id, record.number);
    if (--table.holders[id] === 0) this.#removeName(id);
    this.#users.releaseIfEmpty(user, record);
    return true;
  }

  /**
   * Marks `user` active (logged in) or not (logged out, expired): its publications count for
   * searches only while it is active. Costs in proportion to the user's publications.
   */
  setActive(user: string, active: boolean): void {
    const record = this.#users.get(user);
    if (record === undefined) return this.#users.markIdle(user, active);
    if (record.active === active) return;
    record.active = active;
    for (const id of record.ids) {
      if (active) this.#holderJoins(id, record.number);
      else this.#holderLeaves(id, record.number);
    }
  }

  /** Number of names `user` publishes. */
  publishedCount(user: string): number {
    return this.#users.get(user)?.ids.size ?? 0;
  }

  /** `user`'s publications in code-unit order from the `offset`-th on (`lpf`). */
  published(user: string, offset = 0): ListFrom<string> {
    const ids = this.#users.get(user)?.ids;
    if (ids === undefined) return { total: 0, next: () => undefined };
    const pull = ids.pull(offset);
    const names = this.#table.names;
    return {
      total: ids.size,
      next: () => {
        const id = pull();
        return id === undefined ? undefined : names[id];
      },
    };
  }

  /** How many names contain `query` and are held by an active user other than `asker`. */
  count(query: string, asker?: string): SearchCount {
    const key = this.#fold(query);
    const record = asker === undefined ? undefined : this.#users.get(asker);
    let count: number;
    if (key.length === 0) count = this.#activeNames;
    else if (key.length < 3) count = this.#shortActive.get(shortGramCode(key)) ?? 0;
    else if (key.length === 3) count = this.#trigrams.get(trigramCode(key, 0))?.active ?? 0;
    else return this.#countByWalking(key, record);
    return { kind: "exact", count: count - this.#soleHoldings(key, record) };
  }

  /** The names matching `query`, in code-unit order, as far as the caller pulls them. */
  list(query: string, options: ListOptions = {}): NameLister {
    const record = options.asker === undefined ? undefined : this.#users.get(options.asker);
    return lister(this.#parts, {
      key: this.#fold(query),
      asker: record?.number ?? 0,
      afterLabel: options.after === undefined ? 0 : this.#order.labelAfter(options.after),
      maxSteps: options.maxSteps ?? this.#maxSteps,
    });
  }

  /** Sizes of the index's parts, for the benchmark and an operator's stats. */
  stats(): IndexStats {
    let postingEntries = 0;
    let postingCapacity = 0;
    let chunks = 0;
    for (const posting of this.#trigrams.values()) {
      postingEntries += posting.size;
      chunks += posting.chunks.length;
      for (const chunk of posting.chunks) postingCapacity += chunk.length;
    }
    return {
      names: this.#table.size,
      trigrams: this.#trigrams.size,
      postingEntries,
      postingCapacity,
      chunks,
      relabels: this.#order.relabels,
    };
  }

  // A query of 4+ units: a walk of its postings counts the active names containing it (for no
  // asker: the asker's sole holdings are taken out after, as for the counters), or a count kept
  // from an earlier request catches up on the changes since (`broad_counts.ts`).
  #countByWalking(key: string, record: UserRecord | undefined): SearchCount {
    let atMost = Infinity;
    for (let i = 0; i + 3 <= key.length; i++) {
      const posting = this.#trigrams.get(trigramCode(key, i));
      if (posting === undefined) return { kind: "exact", count: 0 };
      atMost = Math.min(atMost, posting.active);
    }
    const count = this.#broad.count(key, (resumeFrom, maxSteps) =>
      lister(this.#parts, {
        key,
        asker: 0,
        afterLabel: resumeFrom === undefined ? 0 : this.#order.labelBefore(resumeFrom),
        maxSteps,
      }), this.#maxSteps);
    return count === undefined
      ? { kind: "tooBroad", atMost }
      : { kind: "exact", count: count - this.#soleHoldings(key, record) };
  }

  // Names containing `key` whose only active holder is the asker: in the counters, but not for
  // the asker. Scans the asker's own keys (bounded by the per-user publication cap).
  #soleHoldings(key: string, record: UserRecord | undefined): number {
    if (record === undefined || !record.active) return 0;
    const table = this.#table;
    record.ownKeys ??= new OwnKeys(record.ids, table.keys, record.ids.size);
    const active = table.active;
    return record.ownKeys.countContaining(key, (id) => active[id] === 1);
  }

  #addName(name: string): number {
    const folded = this.#fold(name);
    // Most names fold to themselves: keep one string, not an equal copy per name.
    const key = folded === name ? name : folded;
    const table = this.#table;
    if (table.capacity > MAX_POSTING_ID) throw new RangeError("too many names to index");
    const id = table.add(name, key);
    this.#order.insert(id);
    const ord = table.ord;
    forEachTrigram(key, (code, mask) => {
      let posting = this.#trigrams.get(code);
      if (posting === undefined) {
        posting = new Posting(code, this.#pool);
        this.#trigrams.set(code, posting);
        for (const short of shortGramsOfTrigram(code)) {
          let set = this.#postingsWith.get(short);
          if (set === undefined) this.#postingsWith.set(short, set = new Set());
          set.add(posting);
        }
      }
      posting.insert(id, mask, ord);
    });
    if (key.length > 0 && key.length < 3) this.#shortKeys.insert(id, 0, ord);
    return id;
  }

  #removeName(id: number): void {
    const table = this.#table;
    const key = table.keys[id];
    const ord = table.ord;
    forEachTrigram(key, (code) => {
      const posting = this.#trigrams.get(code) as Posting;
      posting.remove(id, ord);
      if (posting.size === 0) {
        this.#trigrams.delete(code);
        for (const short of shortGramsOfTrigram(code)) {
          const set = this.#postingsWith.get(short) as Set<Posting>;
          set.delete(posting);
          if (set.size === 0) this.#postingsWith.delete(short);
        }
      }
    });
    if (key.length > 0 && key.length < 3) this.#shortKeys.remove(id, ord);
    this.#order.delete(id);
    table.remove(id);
  }

  #holderJoins(id: number, number: number): void {
    const table = this.#table;
    table.activeXor[id] ^= number;
    if (table.active[id]++ === 0) this.#nameCounts(id, 1);
  }

  #holderLeaves(id: number, number: number): void {
    const table = this.#table;
    table.activeXor[id] ^= number;
    if (--table.active[id] === 0) this.#nameCounts(id, -1);
  }

  // A name gained its first active holder (+1) or lost its last (-1): every counter of its grams.
  #nameCounts(id: number, delta: 1 | -1): void {
    const key = this.#table.keys[id];
    this.#activeNames += delta;
    this.#broad.changed(this.#table.names[id], key, delta);
    forEachTrigram(key, (code) => {
      (this.#trigrams.get(code) as Posting).active += delta;
    });
    const counters = this.#shortActive;
    forEachShortGram(key, (code) => {
      const count = (counters.get(code) ?? 0) + delta;
      if (count === 0) counters.delete(code);
      else counters.set(code, count);
    });
  }
}
