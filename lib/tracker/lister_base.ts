/**
 * What every lister of the name index shares: the query plan, the parts of the index it reads,
 * and the walk's stop and frontier (see `name_query.ts`).
 *
 * @module
 */

import type { NameOrder } from "./name_order.ts";
import type { NameTable } from "./name_table.ts";
import type { Posting } from "./posting.ts";

/** Why a lister gave `undefined`: the list ended, or the walk reached its step cap first. */
export type ListStop = "end" | "cap";

/** The matching names from a position on, one per call. */
export interface NameLister {
  /** The next matching name in code-unit order, or `undefined` (see `stopped`). */
  next(): string | undefined;
  /** Set once `next` has given `undefined`. */
  readonly stopped: ListStop | undefined;
  /** Posting entries and names walked so far: the cost the cap bounds. */
  readonly steps: number;
  /**
   * Where the walk stands: every match before this name has been given, so a listing continued
   * from it (inclusive) misses none. Ahead of the last name given when the walk stopped at its
   * cap among names that do not match; `undefined` once the walk has ended.
   */
  readonly resumeFrom: string | undefined;
  /**
   * Counts the matches `next` would give from here on, without giving them (then `stopped` is
   * set, and `resumeFrom` says where a capped count stopped). Listers that can count faster
   * than `next` gives names have it.
   */
  countRest?(): number;
  /**
   * Of the matches `countRest` counted, those whose only active holder is the plan's `soleOf`
   * user (with `countRest`).
   */
  readonly soleCount?: number;
}

/** The parts of the index a query reads. */
export interface IndexParts {
  readonly table: NameTable;
  readonly order: NameOrder;
  readonly trigrams: ReadonlyMap<number, Posting>;
  /** Keys of 1–2 code units, which have no trigram. */
  readonly shortKeys: Posting;
  /** The trigram postings containing each unigram and bigram. */
  readonly postingsWith: ReadonlyMap<number, ReadonlySet<Posting>>;
  /** The view searches the names themselves (`table.names`), not the folded `table.keys`. */
  readonly byName: boolean;
  /** The view's bit in `table.views`: the names it holds. */
  readonly bit: number;
}

/** What one query looks for. */
export interface QueryPlan {
  /** The query in searched form (folded when the index folds). */
  readonly key: string;
  /** Number of the asking user, whose own holding does not count; 0 for none. */
  readonly asker: number;
  /** List names whose label is above this (0: from the start). */
  readonly afterLabel: number;
  /** Most steps the walk may take. */
  readonly maxSteps: number;
  /**
   * A user whose sole holdings `countRest` also tallies apart (`soleCount`): a count for everyone
   * then gives this user's too, without a scan of its own keys. 0 or absent for none.
   */
  readonly soleOf?: number;
}

/** Whether a name counts for the asker: some active user other than the asker holds it. */
export function heldByOther(table: NameTable, id: number, asker: number): boolean {
  const active = table.active[id];
  return active > 1 || (active === 1 && table.activeXor[id] !== asker);
}

/** The stop, cap and frontier bookkeeping of a lister. */
export abstract class BaseLister implements NameLister {
  stopped: ListStop | undefined;
  // The walk has moved since it was made: the cap is honoured only then, so that every walk,
  // resumed, gets somewhere.
  protected moved = false;
  protected readonly table: NameTable;
  protected readonly plan: QueryPlan;

  constructor(parts: IndexParts, plan: QueryPlan) {
    this.table = parts.table;
    this.plan = plan;
  }

  abstract get steps(): number;
  abstract next(): string | undefined;

  get resumeFrom(): string | undefined {
    const id = this.stopped === "end" ? -1 : this.frontier();
    return id === -1 ? undefined : this.table.names[id];
  }

  /** The id of the next name the walk would look at, or -1 at the end. */
  protected abstract frontier(): number;

  protected stop(why: ListStop): undefined {
    this.stopped = why;
    return undefined;
  }
}
