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
 * A `NameIndex` is a view of an `IndexCore` (`index_core.ts`, which does the work): its own, or
 * one shared with other views over the same names (`sharedIndexes`), which is how the tracker
 * keeps its exact and folded indexes without holding each name's table entry, order and per-user
 * lists twice.
 *
 * @module
 */

import { IndexCore } from "./index_core.ts";
import type { ViewSpec } from "./index_view.ts";
import type { NameLister } from "./name_query.ts";
import type { ListFrom } from "./sorted_view.ts";

export type { ListStop, NameLister } from "./name_query.ts";

export { DEFAULT_MAX_SEARCH_STEPS } from "./index_core.ts";
export type { ViewSpec } from "./index_view.ts";

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
  /**
   * Users with at least this many publications keep counts of the names they alone actively hold
   * by short gram and their joined keys up to date (`BIG_HOLDER_NAMES` in `asker_shares.ts`).
   */
  readonly bigHolderFrom?: number;
  /**
   * Whether a user is active, when the owner keeps that already (the tracker's sessions by user):
   * `setActive` is still called at every change and the answer must follow it (`index_users.ts`).
   */
  readonly isActive?: (user: string) => boolean;
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
  readonly #core: IndexCore;
  readonly #view: number;

  /**
   * An index of its own, or (with `shared`) view number `shared.view` of a core other views share
   * (see {@linkcode sharedIndexes}).
   */
  constructor(options: NameIndexOptions = {}, shared?: { core: IndexCore; view: number }) {
    this.#core = shared?.core ?? new IndexCore([{ fold: options.fold }], options);
    this.#view = shared?.view ?? 0;
  }

  /** Distinct names published by anyone (in this view). */
  get size(): number {
    return this.#core.size(this.#view);
  }

  /** Whether anyone, active or not, publishes `name` (and this view holds it). */
  isPublished(name: string): boolean {
    return this.#core.isPublished(name, this.#view);
  }

  /** Whether `user` is marked active. */
  isActive(user: string): boolean {
    return this.#core.isActive(user);
  }

  /**
   * Records that `user` publishes `name`; false when it already did. In shared indexes, one call
   * publishes into every view that holds the name.
   */
  publish(user: string, name: string): boolean {
    return this.#core.publish(user, name);
  }

  /** Withdraws `user`'s publication of `name` (from every view); false when it had none. */
  unpublish(user: string, name: string): boolean {
    return this.#core.unpublish(user, name);
  }

  /**
   * Marks `user` active (logged in) or not (logged out, expired): its publications count for
   * searches only while it is active (in every view). Costs in proportion to its publications.
   */
  setActive(user: string, active: boolean): void {
    this.#core.setActive(user, active);
  }

  /** Number of names `user` publishes (in this view). */
  publishedCount(user: string): number {
    return this.#core.publishedCount(user, this.#view);
  }

  /** `user`'s publications in code-unit order from the `offset`-th on (`lpf`). */
  published(user: string, offset = 0): ListFrom<string> {
    return this.#core.published(user, offset, this.#view);
  }

  /** How many names contain `query` and are held by an active user other than `asker`. */
  count(query: string, asker?: string): SearchCount {
    return this.#core.count(query, asker, this.#view);
  }

  /** The names matching `query`, in code-unit order, as far as the caller pulls them. */
  list(query: string, options: ListOptions = {}): NameLister {
    return this.#core.list(query, options, this.#view);
  }

  /**
   * Packs the postings of every view of this index's core into as little memory as they use
   * (after a bulk load; see `ChunkPool.repack`). Answers do not change.
   */
  compact(): void {
    this.#core.compact();
  }

  /** Sizes of the index's parts, for the benchmark and an operator's stats. */
  stats(): IndexStats {
    return this.#core.stats(this.#view);
  }
}

/**
 * Several views over one table of names, order and users: each a {@linkcode NameIndex} with its
 * own postings and counters over the names its spec accepts, searched in its own form (at most
 * one view folds). A publish, unpublish or `setActive` on any of them applies to all.
 *
 * @example
 * ```ts
 * import { sharedIndexes } from "./name_index.ts";
 * const [plain, all] = sharedIndexes([{ accepts: (name) => !name.includes(" ") }, {}]);
 * plain.setActive("bob", true);
 * plain.publish("bob", "my notes.txt");
 * console.assert(plain.size === 0 && all.size === 1);
 * ```
 */
export function sharedIndexes(
  specs: readonly ViewSpec[],
  options: NameIndexOptions = {},
): NameIndex[] {
  const core = new IndexCore(specs, options);
  return specs.map((_, view) => new NameIndex(options, { core, view }));
}
