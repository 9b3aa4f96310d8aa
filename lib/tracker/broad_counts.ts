/**
 * Counts of queries of 4 or more units kept between requests, so that asking again costs little:
 * a query whose count walk took more than a few steps (`olid`, `.jpg`, `1080p`) gets an entry
 * holding its count of active names, and the next request for it only catches up on the changes
 * since (names that gained their first active holder or lost their last), read from a bounded
 * log of changes, instead of walking the postings again.
 *
 * An entry can be built over several requests: each walks on from where the last stopped (at the
 * step cap); a change to a name already walked past is applied from the log, one to a name ahead
 * is counted when the walk gets there. Once the walk has reached the end, the count is exact and
 * stays so for as long as the log reaches back to the entry's last request.
 *
 * Upkeep is one append to the log per change, whatever the number of entries; a request pays for
 * the changes since the same query was last asked, within the step cap (what it cannot catch up
 * on this time it catches up on next time), or walks again when the log no longer reaches back
 * or catching up would cost more than the walk did. Entries are many (least recently used go
 * first) and small: a query, a count, a name and three numbers.
 *
 * @module
 */

import type { NameLister } from "./name_query.ts";

/** Default number of counts kept: more than the distinct broad queries of a busy mix. */
export const MAX_BROAD_COUNTS = 8192;

/** Default number of changes the log keeps. */
export const MAX_LOGGED_CHANGES = 65_536;

/** Walks of at most this many steps leave no entry: walking them again is as cheap. */
export const MIN_KEPT_WALK_STEPS = 64;

/**
 * Steps one replayed change costs: it reads a name (an `includes` over a string the log holds, a
 * name changed lately). A walk's name read costs 8 (`JOIN_READ_STEPS`); this was left at 4, its
 * value when a walk's was 4 too (not measured apart).
 */
export const REPLAY_STEPS = 4;

/**
 * Changes to which names are active, the last `capacity` of them, numbered from 0 on. The arrays
 * grow to `capacity` as changes come (a test's small index does not pay for a full log), then
 * are a ring.
 */
export class ChangeLog {
  readonly #names: string[] = [];
  readonly #keys: string[] = [];
  readonly #deltas: number[] = [];
  readonly #capacity: number;
  #end = 0;

  constructor(capacity = MAX_LOGGED_CHANGES) {
    this.#capacity = capacity;
  }

  /** The number the next change will get: every change before it is logged or forgotten. */
  get end(): number {
    return this.#end;
  }

  /** The first change still kept. */
  get oldest(): number {
    return Math.max(0, this.#end - this.#capacity);
  }

  /** Logs that `name` (searched as `key`) gained its first active holder (+1) or lost its last. */
  record(name: string, key: string, delta: 1 | -1): void {
    if (this.#end < this.#capacity) {
      this.#end++;
      this.#names.push(name);
      this.#keys.push(key);
      this.#deltas.push(delta);
      return;
    }
    const slot = this.#end++ % this.#capacity;
    this.#names[slot] = name;
    this.#keys[slot] = key;
    this.#deltas[slot] = delta;
  }

  /** The net change, over changes `from` to `to` (kept ones), to the active names containing `key`
   * that come before `before` in code-unit order (all of them when `before` is undefined). */
  netChange(key: string, from: number, to: number, before: string | undefined): number {
    let net = 0;
    const capacity = this.#capacity;
    for (let at = from; at < to; at++) {
      const slot = at % capacity;
      if (before !== undefined && this.#names[slot] >= before) continue;
      if (this.#keys[slot].includes(key)) net += this.#deltas[slot];
    }
    return net;
  }
}

/** The count of active names containing one query, as of change `seen`. */
export interface BroadCount {
  readonly key: string;
  /** Active names containing the query, among those walked so far (all of them once `done`). */
  count: number;
  /** The names before this one (in code-unit order) are counted; `undefined` once `done`. */
  walkedTo: string | undefined;
  /** The walk reached the end: `count` is the whole count. */
  done: boolean;
  /** The changes before this one are applied. */
  seen: number;
  /** Steps walked to build the count: what walking it again would cost. */
  walkSteps: number;
}

/** Walks the postings from `resumeFrom` (inclusive; from the start when undefined). */
export type WalkFrom = (resumeFrom: string | undefined, maxSteps: number) => NameLister;

/** How a {@linkcode BroadCounts} is sized. */
export interface BroadCountsOptions {
  /** Counts kept at most. */
  readonly capacity?: number;
  /** Changes the log keeps. */
  readonly loggedChanges?: number;
  /** Walks of at most this many steps leave no entry. */
  readonly minKeptSteps?: number;
}

/**
 * The broad counts kept, by query, least recently used first out, and the log they catch up from.
 *
 * @example
 * ```ts
 * import { BroadCounts } from "./broad_counts.ts";
 * import type { NameLister } from "./name_query.ts";
 * const names = ["photo-1.jpg", "photo-2.jpg"];
 * const walkFrom = () => {
 *   const all = names.values();
 *   const lister: NameLister = {
 *     next: () => all.next().value,
 *     stopped: "end",
 *     steps: 100,
 *     resumeFrom: undefined,
 *   };
 *   return lister;
 * };
 * const counts = new BroadCounts({ minKeptSteps: 0 });
 * console.assert(counts.count("hoto", walkFrom, 1000) === 2);
 * counts.changed("photo-3.jpg", "photo-3.jpg", 1);
 * console.assert(counts.count("hoto", () => { throw new Error("no walk") }, 1000) === 3);
 * ```
 */
export class BroadCounts {
  readonly #entries = new Map<string, BroadCount>();
  readonly #log: ChangeLog;
  readonly #capacity: number;
  readonly #minKeptSteps: number;

  constructor(options: BroadCountsOptions = {}) {
    this.#capacity = options.capacity ?? MAX_BROAD_COUNTS;
    this.#log = new ChangeLog(options.loggedChanges ?? MAX_LOGGED_CHANGES);
    this.#minKeptSteps = options.minKeptSteps ?? MIN_KEPT_WALK_STEPS;
  }

  /** Entries kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** Tells the counts that `name` (searched as `key`) gained its first active holder or lost its last. */
  changed(name: string, key: string, delta: 1 | -1): void {
    this.#log.record(name, key, delta);
  }

  /**
   * The active names containing `key`, or `undefined` when this request reached `maxSteps`
   * before knowing (the next request for `key` goes on from there). `walkFrom` walks the
   * postings when the kept entry (if any) cannot answer alone.
   */
  count(key: string, walkFrom: WalkFrom, maxSteps: number): number | undefined {
    const log = this.#log;
    let entry = this.#entries.get(key);
    let budget = maxSteps;
    if (entry !== undefined) {
      this.#entries.delete(key); // and set again below: the most recently used
      const behind = log.end - entry.seen;
      // The log no longer reaches back, or catching up would cost more than walking again.
      if (entry.seen < log.oldest || (entry.done && behind * REPLAY_STEPS > entry.walkSteps)) {
        entry = undefined;
      } else {
        const to = Math.min(log.end, entry.seen + Math.max(1, Math.floor(budget / REPLAY_STEPS)));
        entry.count += log.netChange(key, entry.seen, to, entry.done ? undefined : entry.walkedTo);
        budget -= (to - entry.seen) * REPLAY_STEPS;
        entry.seen = to;
        this.#entries.set(key, entry);
        if (to < log.end) return undefined; // still behind: the next request catches up further
        if (entry.done) return entry.count;
        if (budget <= 0) return undefined;
      }
    }
    const walk = walkFrom(entry?.walkedTo, budget);
    let count = entry?.count ?? 0;
    if (walk.countRest !== undefined) count += walk.countRest();
    else while (walk.next() !== undefined) count++;
    const done = walk.stopped === "end";
    if (entry === undefined) {
      if (done && walk.steps <= this.#minKeptSteps) return count; // cheap: no entry
      entry = { key, count, walkedTo: undefined, done, seen: log.end, walkSteps: 0 };
      this.#keep(entry);
    }
    entry.count = count;
    entry.walkedTo = done ? undefined : walk.resumeFrom;
    entry.done = done;
    entry.seen = log.end;
    entry.walkSteps += walk.steps;
    return done ? count : undefined;
  }

  #keep(entry: BroadCount): void {
    this.#entries.set(entry.key, entry);
    if (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
  }
}
