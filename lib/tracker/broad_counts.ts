/**
 * Counts of broad queries kept up to date, so that asking again costs nothing: a query of 4 or
 * more units whose count walk is long (`.jpg`, `1080p` over a million names) gets an entry that
 * follows every change to the names containing its rarest trigram.
 *
 * An entry can be built over several requests: each walks on from where the last stopped (at the
 * step cap), while changes to names already walked past are applied as they happen; once the
 * walk has reached the end, the count is exact and stays so. Entries are few (least recently used
 * go first), so the upkeep a change pays is a handful of string tests at most.
 *
 * @module
 */

import type { NameTable } from "./name_table.ts";
import type { CountWatcher, Posting } from "./posting.ts";

/** The count of active names containing one query, maintained. */
export class BroadCount implements CountWatcher {
  /** Active names containing the query, among those walked so far (all of them once `done`). */
  count = 0;
  /** The names before this one (in code-unit order) are counted; `undefined`: none yet. */
  walkedTo: string | undefined;
  /** The walk reached the end: `count` is the whole count. */
  done = false;
  readonly key: string;
  /** The posting of the query's rarest trigram: every name containing the query is in it. */
  readonly anchor: Posting;
  readonly #table: NameTable;

  constructor(key: string, anchor: Posting, table: NameTable) {
    this.key = key;
    this.anchor = anchor;
    this.#table = table;
  }

  seen(id: number, delta: 1 | -1): void {
    // A name the walk has not reached yet is counted (or not) when it gets there.
    if (!this.done && (this.walkedTo === undefined || this.#table.names[id] >= this.walkedTo)) {
      return;
    }
    if (this.#table.keys[id].includes(this.key)) this.count += delta;
  }
}

/** Default number of broad counts kept. */
export const MAX_BROAD_COUNTS = 64;

/** The broad counts kept, by query, least recently used first out. */
export class BroadCounts {
  readonly #entries = new Map<string, BroadCount>();
  readonly #capacity: number;

  constructor(capacity = MAX_BROAD_COUNTS) {
    this.#capacity = capacity;
  }

  /** Entries kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** The entry of `key`, marked as recently used. */
  get(key: string): BroadCount | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Keeps `entry` (watching its anchor), forgetting the least recently used one if full. */
  add(entry: BroadCount): BroadCount {
    this.#drop(entry.key);
    this.#entries.set(entry.key, entry);
    (entry.anchor.watchers ??= []).push(entry);
    if (this.#entries.size > this.#capacity) {
      this.#drop(this.#entries.keys().next().value as string);
    }
    return entry;
  }

  /** Forgets the entries anchored at `posting` (which is going away). */
  dropAnchoredAt(posting: Posting): void {
    for (const entry of posting.watchers ?? []) this.#entries.delete((entry as BroadCount).key);
    posting.watchers = undefined;
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    const watchers = entry.anchor.watchers ?? [];
    const at = watchers.indexOf(entry);
    if (at >= 0) watchers.splice(at, 1);
    if (watchers.length === 0) entry.anchor.watchers = undefined;
  }
}
