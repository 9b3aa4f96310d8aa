/**
 * An ordered set kept sorted as it changes, so a list reply (`lap`, `lpf`) is read from the front
 * (or from any position) as far as it fits, with its exact size, instead of sorting and measuring
 * a whole table per request.
 *
 * It is a list of sorted chunks (Python's `SortedList` idea): a change costs a binary search plus
 * moving at most one chunk's elements; finding the element at an index walks a table of chunk
 * offsets that is rebuilt only after changes, and only from the changed chunk on.
 *
 * @module
 */

import { ChunkStarts } from "./chunk_starts.ts";

/** Orders two values: negative, zero or positive, like `Array.prototype.sort` expects. */
export type Compare<T> = (a: T, b: T) => number;

/** Orders strings by UTF-16 code unit, the order every PeerSync list is sorted in. */
export const byCodeUnit: Compare<string> = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** How a {@linkcode SortedView} is built. */
export interface SortedViewOptions {
  /** Most elements per chunk; a fuller chunk splits in two. */
  readonly chunkSize?: number;
}

/** The default chunk size: a change moves at most this many elements. */
export const DEFAULT_CHUNK_SIZE = 512;

/**
 * An ordered set of distinct values.
 *
 * @example
 * ```ts
 * import { byCodeUnit, SortedView } from "./sorted_view.ts";
 * const users = new SortedView(byCodeUnit);
 * users.add("carol");
 * users.add("alice");
 * users.add("bob");
 * console.assert(users.at(0) === "alice" && users.rank("bob") === 1);
 * const next = users.pull(users.rank("bob"));
 * console.assert(next() === "bob" && next() === "carol" && next() === undefined);
 * ```
 */
export class SortedView<T> {
  readonly #compare: Compare<T>;
  readonly #chunkSize: number;
  readonly #chunks: T[][] = [];
  readonly #starts = new ChunkStarts((c) => this.#chunks[c].length);
  #size = 0;

  constructor(compare: Compare<T>, options: SortedViewOptions = {}) {
    this.#compare = compare;
    this.#chunkSize = Math.max(4, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  }

  /** Number of elements. */
  get size(): number {
    return this.#size;
  }

  /** Adds `value`; false when an equal value is already there. */
  add(value: T): boolean {
    const chunks = this.#chunks;
    if (chunks.length === 0) {
      chunks.push([value]);
      this.#size = 1;
      this.#starts.reset();
      return true;
    }
    const tail = chunks[chunks.length - 1];
    const appended = this.#compare(tail[tail.length - 1], value) < 0;
    if (appended && tail.length >= this.#chunkSize) {
      // Past the last element of a full chunk (a load in order): a new chunk, not a split, so
      // a view built in order has full chunks.
      chunks.push([value]);
      this.#size++;
      this.#starts.invalidateFrom(chunks.length - 2);
      return true;
    }
    // Past the last element: no search.
    let c = appended ? chunks.length - 1 : this.#chunkFor(value);
    if (c === chunks.length) c--; // past the last element: append to the last chunk
    const chunk = chunks[c];
    const i = this.#lowerBoundIn(chunk, value);
    if (i < chunk.length && this.#compare(chunk[i], value) === 0) return false;
    chunk.splice(i, 0, value);
    this.#size++;
    if (chunk.length > this.#chunkSize) {
      chunks.splice(c + 1, 0, chunk.splice(chunk.length >> 1));
    }
    this.#starts.invalidateFrom(c);
    return true;
  }

  /** Removes `value`; false when it was not there. */
  delete(value: T): boolean {
    const chunks = this.#chunks;
    const c = this.#chunkFor(value);
    if (c === chunks.length) return false;
    const chunk = chunks[c];
    const i = this.#lowerBoundIn(chunk, value);
    if (i === chunk.length || this.#compare(chunk[i], value) !== 0) return false;
    chunk.splice(i, 1);
    this.#size--;
    if (chunk.length === 0) {
      chunks.splice(c, 1);
    } else if (chunk.length < this.#chunkSize >> 2 && c + 1 < chunks.length) {
      // Keep chunks from becoming many and tiny after deletions: merge with the next one.
      const next = chunks[c + 1];
      if (chunk.length + next.length <= this.#chunkSize) {
        for (const element of next) chunk.push(element);
        chunks.splice(c + 1, 1);
      }
    }
    this.#starts.invalidateFrom(c);
    return true;
  }

  /** Whether a value equal to `value` is in the set. */
  has(value: T): boolean {
    const c = this.#chunkFor(value);
    if (c === this.#chunks.length) return false;
    const chunk = this.#chunks[c];
    const i = this.#lowerBoundIn(chunk, value);
    return i < chunk.length && this.#compare(chunk[i], value) === 0;
  }

  /** Number of elements less than `value` (its index, when it is in the set). */
  rank(value: T): number {
    return this.countBefore((element) => this.#compare(element, value) < 0);
  }

  /**
   * Number of leading elements for which `isBefore` holds. `isBefore` must hold for a prefix of
   * the set and not after it: it lets a set of ids be searched by a name, for instance.
   */
  countBefore(isBefore: (element: T) => boolean): number {
    const chunks = this.#chunks;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const chunk = chunks[mid];
      if (isBefore(chunk[chunk.length - 1])) low = mid + 1;
      else high = mid;
    }
    if (low === chunks.length) return this.#size;
    const chunk = chunks[low];
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (isBefore(chunk[mid])) lo = mid + 1;
      else hi = mid;
    }
    return this.#starts.startOf(low) + lo;
  }

  /** The element at `index` in order, or `undefined` past the end. */
  at(index: number): T | undefined {
    const found = this.#locate(index);
    return found === undefined ? undefined : this.#chunks[found[0]][found[1]];
  }

  /**
   * A function that returns the elements from `index` on, one per call, then `undefined`. The
   * set must not change while it is used.
   */
  pull(index = 0): () => T | undefined {
    const chunks = this.#chunks;
    const found = this.#locate(index);
    let c = found?.[0] ?? chunks.length;
    let i = found?.[1] ?? 0;
    return () => {
      while (c < chunks.length) {
        const chunk = chunks[c];
        if (i < chunk.length) return chunk[i++];
        c++;
        i = 0;
      }
      return undefined;
    };
  }

  /**
   * Like `pull(0)`, with `excluded` left out: one comparison per chunk read (with its last
   * element) until the chunk that would hold `excluded`, then a search in that chunk only. No
   * rank is needed, so a list read from the front (v1 `lap`) costs what it reads, not the set's
   * size. The set must not change while it is used.
   */
  pullWithout(excluded: T): () => T | undefined {
    const chunks = this.#chunks;
    const compare = this.#compare;
    let c = 0;
    let i = 0;
    // The chunk holding `excluded` or where it would be (-1 until reached), and its index there
    // (-1 when it is not in the set).
    let skipChunk = -1;
    let skipIndex = -1;
    let checked = -1;
    return () => {
      while (c < chunks.length) {
        const chunk = chunks[c];
        if (checked !== c) {
          checked = c;
          if (skipChunk < 0 && compare(chunk[chunk.length - 1], excluded) >= 0) {
            skipChunk = c;
            const at = this.#lowerBoundIn(chunk, excluded);
            skipIndex = at < chunk.length && compare(chunk[at], excluded) === 0 ? at : -1;
          }
        }
        if (c === skipChunk && i === skipIndex) i++;
        if (i < chunk.length) return chunk[i++];
        c++;
        i = 0;
      }
      return undefined;
    };
  }

  /** The elements from `index` on, in order. */
  *values(index = 0): Generator<T, void, undefined> {
    const next = this.pull(index);
    for (let value = next(); value !== undefined; value = next()) yield value;
  }

  [Symbol.iterator](): Generator<T, void, undefined> {
    return this.values();
  }

  // The first chunk whose last element is not less than `value` (chunks.length if none).
  #chunkFor(value: T): number {
    const chunks = this.#chunks;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const chunk = chunks[mid];
      if (this.#compare(chunk[chunk.length - 1], value) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #lowerBoundIn(chunk: readonly T[], value: T): number {
    let low = 0;
    let high = chunk.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.#compare(chunk[mid], value) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  // [chunk, offset] of the element at `index`, or undefined when out of range.
  #locate(index: number): [number, number] | undefined {
    if (!(index >= 0 && index < this.#size)) return undefined;
    // In the first chunk (a list read from the front): no chunk offsets needed, so none are
    // rebuilt after a change.
    if (index < this.#chunks[0].length) return [0, index];
    const chunk = this.#starts.chunkOf(index, this.#chunks.length - 1);
    return [chunk, index - this.#starts.startOf(chunk)];
  }
}

/** A list read from a position on: its exact length and a function that gives its elements. */
export interface ListFrom<T> {
  /** Number of elements in the whole list (not only from the position). */
  readonly total: number;
  /** The next element, or `undefined` at the end. */
  readonly next: () => T | undefined;
}

/**
 * The elements of `view` other than `excluded`, from the `offset`-th of them on: `lap` is the
 * active users except the asker. Costs a rank lookup, not a walk to the offset; from the front
 * (offset 0) not even that. `present` says whether `excluded` is in the view, when the caller
 * knows it more cheaply (a hash lookup instead of a search of the view).
 *
 * @example
 * ```ts
 * import { byCodeUnit, SortedView, without } from "./sorted_view.ts";
 * const active = new SortedView(byCodeUnit);
 * for (const user of ["alice", "bob", "carol"]) active.add(user);
 * const list = without(active, "bob", 1);
 * console.assert(list.total === 2 && list.next() === "carol" && list.next() === undefined);
 * ```
 */
export function without<T>(
  view: SortedView<T>,
  excluded: T,
  offset = 0,
  present: boolean = view.has(excluded),
): ListFrom<T> {
  if (present && offset === 0) return { total: view.size - 1, next: view.pullWithout(excluded) };
  const skipAt = present ? view.rank(excluded) : -1;
  const start = present && offset >= skipAt ? offset + 1 : offset;
  const pull = view.pull(start);
  let index = start;
  return {
    total: view.size - (present ? 1 : 0),
    next: () => {
      let value = pull();
      if (index++ === skipAt) {
        value = pull();
        index++;
      }
      return value;
    },
  };
}
