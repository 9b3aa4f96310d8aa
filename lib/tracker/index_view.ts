/**
 * One search view of a shared `IndexCore` (`index_core.ts`): its trigram postings, short-gram
 * counters and kept counts, over the names it accepts under its own searched form.
 *
 * @module
 */

import { BroadCounts } from "./broad_counts.ts";
import type { ChunkPool } from "./chunk_pool.ts";
import type { NameOrder } from "./name_order.ts";
import type { IndexParts } from "./name_query.ts";
import type { NameTable } from "./name_table.ts";
import { Posting } from "./posting.ts";
import type { NameIndexOptions } from "./name_index.ts";

/** One search view of a shared index: what it searches and which names it holds. */
export interface ViewSpec {
  /** Maps names and queries to their searched form; the names themselves when absent. */
  readonly fold?: (text: string) => string;
  /** Whether the view holds `name`; every name when absent. */
  readonly accepts?: (name: string) => boolean;
}

/** One view's postings, counters and kept counts, over the names it accepts. */
export class View {
  readonly trigrams = new Map<number, Posting>();
  readonly shortKeys: Posting;
  readonly postingsWith = new Map<number, Set<Posting>>();
  // Active names containing each unigram and bigram.
  readonly shortActive = new Map<number, number>();
  readonly broad: BroadCounts;
  readonly parts: IndexParts;
  readonly bit: number;
  readonly fold: ((text: string) => string) | undefined;
  readonly accepts: ((name: string) => boolean) | undefined;
  activeNames = 0;
  size = 0;

  constructor(
    readonly number: number,
    spec: ViewSpec,
    table: NameTable,
    order: NameOrder,
    pool: ChunkPool,
    options: NameIndexOptions,
  ) {
    this.bit = 1 << number;
    this.fold = spec.fold;
    this.accepts = spec.accepts;
    this.shortKeys = new Posting(-1, pool);
    this.broad = new BroadCounts({
      capacity: options.maxBroadCounts,
      loggedChanges: options.loggedChanges,
      minKeptSteps: options.minKeptWalkSteps,
    });
    this.parts = {
      table,
      order,
      trigrams: this.trigrams,
      shortKeys: this.shortKeys,
      postingsWith: this.postingsWith,
      byName: spec.fold === undefined,
      bit: this.bit,
    };
  }

  keys(table: NameTable): string[] {
    return this.fold === undefined ? table.names : table.keys;
  }
}
