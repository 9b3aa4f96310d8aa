/**
 * How the name index answers a query: listers that give the matching names in order from a
 * position, as far as the caller pulls them (so a reply costs what it carries), and the counting
 * walk for queries that no counter answers. Every walk counts its steps and stops at a cap.
 *
 * - 3 or more code units: the postings of the query's trigrams are walked together in name order,
 *   each lagging one jumping to the others' position (a leapfrog join, so the walk follows the
 *   rarest trigram); a name in all of them matches when its position masks line up (exact for keys
 *   of up to 34 units), else when `includes` says so (`trigram_lister.ts`). A lead of at most 128
 *   names beside a far denser trigram is not joined: each of its names is read.
 * - 1–2 code units: the postings of every trigram containing the query, merged in name order,
 *   plus the keys too short to have a trigram.
 * - empty: every name, in order.
 *
 * @module
 */

import {
  BaseLister,
  heldByOther,
  type IndexParts,
  type NameLister,
  type QueryPlan,
} from "./lister_base.ts";
import { PostingCursor } from "./posting_cursor.ts";
import { TrigramLister } from "./trigram_lister.ts";

export type { IndexParts, ListStop, NameLister, QueryPlan } from "./lister_base.ts";

/** A lister over the names matching `plan`. */
export function lister(parts: IndexParts, plan: QueryPlan): NameLister {
  if (plan.key.length >= 3) return new TrigramLister(parts, plan);
  if (plan.key.length > 0) return new UnionLister(parts, plan);
  return new OrderLister(parts, plan);
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
