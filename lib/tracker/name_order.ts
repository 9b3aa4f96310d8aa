/**
 * Every indexed name in code-unit order, and an order label per name: an integer that increases
 * with the name. Postings are kept in label order, so a search walks them in the order replies
 * are sorted in and can stop as soon as a reply is full; comparing labels is also far cheaper
 * than comparing strings that lie all over the heap.
 *
 * A new name takes a label between its neighbours'. When there is no room between them, a window
 * around it is spread out evenly, doubled until its labels have room (list labelling): labels
 * change, but their order never does, so nothing that holds ids needs to know.
 *
 * @module
 */

import type { NameTable } from "./name_table.ts";
import type { ChunkPool } from "./chunk_pool.ts";
import { SortedIds } from "./sorted_ids.ts";
import { byCodeUnit } from "./sorted_view.ts";

/** Labels lie strictly between 0 and this (integers, exact in a double). */
const LABEL_LIMIT = 2 ** 53;
/** Gap left after a name appended at the end (or put at the front). */
const APPEND_STEP = 2 ** 32;
/** A relabelled window leaves at least this gap between neighbours (16 halvings of room). */
const MIN_GAP = 2 ** 16;
const FIRST_WINDOW = 8;

/** The names of a {@linkcode NameTable} in order, with their labels in `table.ord`. */
export class NameOrder {
  readonly #table: NameTable;
  /** Ids in name order. */
  readonly view: SortedIds;
  /** Windows relabelled so far (for the benchmark's figures). */
  relabels = 0;

  /** The view's chunks come from `pool` (the index's, so they are packed with it). */
  constructor(table: NameTable, pool: ChunkPool) {
    this.#table = table;
    this.view = new SortedIds((a, b) => byCodeUnit(table.names[a], table.names[b]), pool);
  }

  /** Places the name of `id` (already in the table) and gives it a label. */
  insert(id: number): void {
    const view = this.view;
    const names = this.#table.names;
    const tail = view.at(view.size - 1);
    const appended = tail === undefined || names[tail] < names[id];
    view.add(id);
    const ord = this.#table.ord;
    // A name after every other (a load in name order) needs no search for its rank.
    const rank = appended ? view.size - 1 : view.rank(id);
    const last = view.size - 1;
    const low = rank > 0 ? ord[view.at(rank - 1) as number] : 0;
    const high = rank < last ? ord[view.at(rank + 1) as number] : LABEL_LIMIT;
    const room = Math.floor((high - low) / 2);
    if (room < 1) {
      this.#relabelAround(rank);
    } else if (rank === last) {
      ord[id] = low + Math.min(APPEND_STEP, room);
    } else if (rank === 0) {
      ord[id] = high - Math.min(APPEND_STEP, room);
    } else {
      ord[id] = low + room;
    }
  }

  /** Removes the name of `id` (still in the table). */
  delete(id: number): void {
    this.view.delete(id);
  }

  /**
   * The label a search continues after to list the names that follow `name` (which need not be
   * indexed any more): the label of the last name not after it, or 0.
   */
  labelAfter(name: string): number {
    const names = this.#table.names;
    const kept = this.view.countBefore((id) => names[id] <= name);
    return kept === 0 ? 0 : this.#table.ord[this.view.at(kept - 1) as number];
  }

  /** The label a search continues after to list the names from `name` on: see `labelAfter`. */
  labelBefore(name: string): number {
    const names = this.#table.names;
    const kept = this.view.countBefore((id) => names[id] < name);
    return kept === 0 ? 0 : this.#table.ord[this.view.at(kept - 1) as number];
  }

  #relabelAround(rank: number): void {
    const view = this.view;
    const ord = this.#table.ord;
    const last = view.size - 1;
    this.relabels++;
    for (let width = FIRST_WINDOW;; width *= 2) {
      const first = Math.max(0, rank - width);
      const end = Math.min(last, rank + width);
      const low = first > 0 ? ord[view.at(first - 1) as number] : 0;
      // A window that reaches the end keeps half of the room after it for later appends.
      const high = end < last
        ? ord[view.at(end + 1) as number]
        : low + Math.floor((LABEL_LIMIT - low) / 2);
      const count = end - first + 1;
      const step = Math.floor((high - low) / (count + 1));
      if (step >= MIN_GAP || (first === 0 && end === last && step >= 1)) {
        const next = view.pull(first);
        for (let i = 1; i <= count; i++) ord[next() as number] = low + i * step;
        return;
      }
      if (first === 0 && end === last) throw new RangeError("too many names to label");
    }
  }
}
