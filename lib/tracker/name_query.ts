/**
 * How the name index answers a query: listers that give the matching names in order from a
 * position, as far as the caller pulls them (so a reply costs what it carries), and the counting
 * walk for queries that no counter answers. Every walk counts its steps and stops at a cap.
 *
 * - 3 or more code units: the postings of the query's trigrams are walked together in name order,
 *   each lagging one jumping to the others' position (a leapfrog join, so the walk follows the
 *   rarest trigram); a name in all of them matches when its position masks line up (exact for keys
 *   of up to 34 units), else when `includes` says so.
 * - 1–2 code units: the postings of every trigram containing the query, merged in name order,
 *   plus the keys too short to have a trigram.
 * - empty: every name, in order.
 *
 * @module
 */

import { coveringOffsets, lineUp, trigramCode } from "./grams.ts";
import { countJoin, JOIN_READ_STEPS } from "./join_count.ts";
import type { NameOrder } from "./name_order.ts";
import type { NameTable } from "./name_table.ts";
import { type Posting, PostingCursor } from "./posting.ts";

/**
 * Steps a name read costs: it touches a string somewhere on the heap, where a posting step reads
 * arrays (measured: ~4× a step on a million names).
 */
const READ_STEPS = JOIN_READ_STEPS;

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

/** A lister over the names matching `plan`. */
export function lister(parts: IndexParts, plan: QueryPlan): NameLister {
  if (plan.key.length >= 3) return new TrigramLister(parts, plan);
  if (plan.key.length > 0) return new UnionLister(parts, plan);
  return new OrderLister(parts, plan);
}

/** Whether a name counts for the asker: some active user other than the asker holds it. */
function heldByOther(table: NameTable, id: number, asker: number): boolean {
  const active = table.active[id];
  return active > 1 || (active === 1 && table.activeXor[id] !== asker);
}

abstract class BaseLister implements NameLister {
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

class TrigramLister extends BaseLister {
  readonly #cursors: PostingCursor[] = [];
  // The query offsets of the trigrams joined, and the cursor of each one's posting.
  readonly #offsets: readonly number[];
  readonly #positionCursors: PostingCursor[] = [];
  // The masks of the current candidate, per joined offset.
  readonly #masks: Int32Array;
  // The view's searched form of each name and its length (the index does not change meanwhile).
  readonly #keys: readonly string[];
  readonly #keyLength: Uint16Array;
  // Names read to confirm a match the masks could not decide.
  #reads = 0;
  #sole = 0;

  constructor(parts: IndexParts, plan: QueryPlan) {
    super(parts, plan);
    this.#keys = parts.byName ? parts.table.names : parts.table.keys;
    this.#keyLength = parts.byName ? parts.table.nameLength : parts.table.keyLength;
    const key = plan.key;
    const postings: Posting[] = [];
    let rarest = 0;
    for (let offset = 0; offset + 3 <= key.length; offset++) {
      const posting = parts.trigrams.get(trigramCode(key, offset));
      if (posting === undefined) {
        this.stopped = "end"; // a trigram no name has: nothing matches
        this.#offsets = [];
        this.#masks = new Int32Array(0);
        return;
      }
      postings.push(posting);
      if (posting.size < postings[rarest].size) rarest = offset;
    }
    // Joining the trigrams that cover the query is enough: their masks decide a match.
    this.#offsets = coveringOffsets(key.length, rarest);
    this.#masks = new Int32Array(this.#offsets.length);
    const byPosting = new Map<Posting, PostingCursor>();
    for (const offset of this.#offsets) {
      let cursor = byPosting.get(postings[offset]);
      if (cursor === undefined) {
        cursor = new PostingCursor(postings[offset], parts.table.ord, plan.afterLabel);
        byPosting.set(postings[offset], cursor);
        this.#cursors.push(cursor);
      }
      this.#positionCursors.push(cursor);
    }
    // The rarest trigram leads; the others only confirm.
    this.#cursors.sort((a, b) => a.postingSize - b.postingSize);
  }

  get soleCount(): number {
    return this.#sole;
  }

  get steps(): number {
    let steps = this.#reads * READ_STEPS;
    for (const cursor of this.#cursors) steps += cursor.steps;
    return steps;
  }

  next(): string | undefined {
    if (this.stopped) return undefined;
    const cursors = this.#cursors;
    const lead = cursors[0];
    const maxSteps = this.plan.maxSteps;
    while (lead.id !== -1) {
      if (this.moved && this.steps > maxSteps) return this.stop("cap");
      this.moved = true;
      const id = lead.id;
      let aligned = true;
      for (let i = 1; i < cursors.length; i++) {
        const other = cursors[i];
        other.seekId(id, lead.label);
        if (other.id === id) continue;
        if (other.id === -1) return this.stop("end");
        lead.seek(other.label); // no name between the two labels has every trigram
        aligned = false;
        break;
      }
      if (!aligned) continue;
      const matches = this.#contains(id);
      lead.advance();
      if (matches && heldByOther(this.table, id, this.plan.asker)) return this.table.names[id];
    }
    return this.stop("end");
  }

  countRest(): number {
    if (this.stopped) return 0;
    const cursors = this.#cursors;
    const table = this.table;
    const counted = countJoin(
      {
        cursors,
        positions: this.#positions(),
        offsets: this.#offsets,
        key: this.plan.key,
        keys: this.#keys,
        keyLength: this.#keyLength,
        ord: table.ord,
        active: table.active,
        activeXor: table.activeXor,
        asker: this.plan.asker,
        soleOf: this.plan.soleOf ?? 0,
      },
      this.steps,
      this.plan.maxSteps,
      this.moved,
    );
    cursors[0].steps += counted.ownSteps;
    this.#reads += counted.reads;
    this.#sole += counted.sole;
    this.moved = counted.moved;
    this.stopped = counted.stopped;
    return counted.count;
  }

  // For each joined offset, the index of its posting's cursor in the join order.
  #positions(): Int32Array {
    const positions = new Int32Array(this.#positionCursors.length);
    for (let k = 0; k < positions.length; k++) {
      positions[k] = this.#cursors.indexOf(this.#positionCursors[k]);
    }
    return positions;
  }

  protected frontier(): number {
    return this.#cursors[0]?.id ?? -1;
  }

  #contains(id: number): boolean {
    const positions = this.#positionCursors;
    const key = this.plan.key;
    if (key.length === 3) return true; // a 3-unit query is its trigram
    const masks = this.#masks;
    for (let k = 0; k < positions.length; k++) masks[k] = positions[k].mask;
    const verdict = lineUp(masks, this.#offsets, this.#keyLength[id], key.length);
    if (verdict !== "read") return verdict === "match";
    this.#reads++;
    return this.#keys[id].includes(key);
  }
}

class UnionLister extends BaseLister {
  // A binary min-heap of cursors by the label of their current entry.
  readonly #heap: PostingCursor[] = [];
  readonly #shortKeys: PostingCursor;
  readonly #keys: readonly string[];
  #steps = 0;
  #lastId = -1;

  constructor(parts: IndexParts, plan: QueryPlan) {
    super(parts, plan);
    this.#keys = parts.byName ? parts.table.names : parts.table.keys;
    const ord = parts.table.ord;
    this.#shortKeys = new PostingCursor(parts.shortKeys, ord, plan.afterLabel);
    const code = plan.key.length === 1
      ? plan.key.charCodeAt(0)
      : (plan.key.charCodeAt(0) + 1) * 65536 + plan.key.charCodeAt(1);
    const postings = [...(parts.postingsWith.get(code) ?? [])];
    for (const posting of postings) {
      const cursor = new PostingCursor(posting, ord, plan.afterLabel);
      this.#steps++;
      if (cursor.id !== -1) this.#push(cursor);
    }
    if (this.#shortKeys.id !== -1) this.#push(this.#shortKeys);
  }

  get steps(): number {
    return this.#steps;
  }

  next(): string | undefined {
    if (this.stopped) return undefined;
    const heap = this.#heap;
    const table = this.table;
    while (heap.length > 0) {
      if (this.moved && this.#steps > this.plan.maxSteps) {
        // Past the other copies of the last name, so the walk's frontier is a name not yet seen.
        while (heap.length > 0 && heap[0].id === this.#lastId) this.#step(heap[0]);
        return this.stop("cap");
      }
      this.moved = true;
      const cursor = heap[0];
      const id = cursor.id;
      this.#step(cursor);
      if (id === this.#lastId) continue; // the same name through another of its trigrams
      this.#lastId = id;
      if (cursor === this.#shortKeys && !this.#keys[id].includes(this.plan.key)) continue;
      if (heldByOther(table, id, this.plan.asker)) return table.names[id];
    }
    return this.stop("end");
  }

  protected frontier(): number {
    return this.#heap[0]?.id ?? -1;
  }

  // Moves the top cursor on and restores the heap.
  #step(cursor: PostingCursor): void {
    cursor.advance();
    this.#steps++;
    if (cursor.id === -1) this.#popTop();
    else this.#siftDown(0);
  }

  #push(cursor: PostingCursor): void {
    const heap = this.#heap;
    let i = heap.push(cursor) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].label <= cursor.label) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = cursor;
  }

  #popTop(): void {
    const heap = this.#heap;
    const last = heap.pop() as PostingCursor;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    const cursor = heap[start];
    const label = cursor.label;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && heap[child + 1].label < heap[child].label) {
        child++;
      }
      if (heap[child].label >= label) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = cursor;
  }
}

class OrderLister extends BaseLister {
  readonly #pull: () => number | undefined;
  readonly #bit: number;
  #next: number | undefined;
  #steps = 0;

  constructor(parts: IndexParts, plan: QueryPlan) {
    super(parts, plan);
    this.#bit = parts.bit;
    const ord = parts.table.ord;
    const start = parts.order.view.countBefore((id) => ord[id] <= plan.afterLabel);
    this.#pull = parts.order.view.pull(start);
    this.#next = this.#pull();
  }

  get steps(): number {
    return this.#steps;
  }

  protected frontier(): number {
    return this.#next ?? -1;
  }

  next(): string | undefined {
    if (this.stopped) return undefined;
    while (this.#next !== undefined) {
      if (this.moved && this.#steps >= this.plan.maxSteps) return this.stop("cap");
      this.moved = true;
      const id = this.#next;
      this.#next = this.#pull();
      this.#steps++;
      // The order holds the names of every view sharing the table.
      if ((this.table.views[id] & this.#bit) === 0) continue;
      if (heldByOther(this.table, id, this.plan.asker)) return this.table.names[id];
    }
    return this.stop("end");
  }
}
