/**
 * An ordered set of name ids (`SortedView<number>`'s interface) whose chunks are `Int32Array`s
 * from the index's {@linkcode ChunkPool}, as the postings' are. The name order and every user's
 * publication list hold each id once: as elements of JavaScript arrays they cost ~9–10 bytes an
 * id in V8's heap (8 a slot, and the room an array keeps to grow), against 4 here; and the pool
 * packs them with the postings after a bulk load.
 *
 * @module
 */

import { type ChunkOwner, type ChunkPool, MAX_CHUNK_INTS } from "./chunk_pool.ts";
import { ChunkStarts } from "./chunk_starts.ts";
import type { Compare } from "./sorted_view.ts";

/**
 * Distinct ids in the order of a comparison, in chunks of at most {@linkcode MAX_CHUNK_INTS}.
 *
 * @example
 * ```ts
 * import { ChunkPool } from "./chunk_pool.ts";
 * import { SortedIds } from "./sorted_ids.ts";
 * const ids = new SortedIds((a, b) => b - a, new ChunkPool());
 * ids.add(1);
 * ids.add(3);
 * ids.add(2);
 * console.assert(ids.at(0) === 3 && ids.rank(1) === 2 && [...ids].join() === "3,2,1");
 * ```
 */
export class SortedIds implements ChunkOwner {
  /** The chunks; `counts[c]` ids of chunk `c` are used (see `ChunkPool.repack`). */
  readonly chunks: Int32Array[] = [];
  readonly counts: number[] = [];
  readonly #compare: Compare<number>;
  readonly #pool: ChunkPool;
  readonly #chunkSize: number;
  readonly #starts = new ChunkStarts((c) => this.counts[c]);
  #size = 0;

  /** `chunkSize` (tests): most ids per chunk, at most {@linkcode MAX_CHUNK_INTS}. */
  constructor(compare: Compare<number>, pool: ChunkPool, chunkSize = MAX_CHUNK_INTS) {
    this.#compare = compare;
    this.#pool = pool;
    this.#chunkSize = Math.max(4, Math.min(chunkSize, MAX_CHUNK_INTS));
  }

  /** Number of ids. */
  get size(): number {
    return this.#size;
  }

  /** Adds `id`; false when it is there already. */
  add(id: number): boolean {
    const { chunks, counts } = this;
    if (chunks.length === 0) {
      const chunk = this.#pool.alloc(1);
      chunk[0] = id;
      chunks.push(chunk);
      counts.push(1);
      this.#size = 1;
      this.#starts.reset();
      return true;
    }
    const tail = chunks.length - 1;
    const appended = this.#compare(chunks[tail][counts[tail] - 1], id) < 0;
    if (appended && counts[tail] >= this.#chunkSize) {
      // Past the last id of a full chunk (a load in order): a new chunk, not a split.
      const chunk = this.#pool.alloc(1);
      chunk[0] = id;
      chunks.push(chunk);
      counts.push(1);
      this.#size++;
      this.#starts.invalidateFrom(tail);
      return true;
    }
    let c = appended ? tail : this.#chunkFor(id);
    if (c === chunks.length) c--;
    let i = appended ? counts[c] : this.#lowerBoundIn(c, id);
    if (i < counts[c] && this.#compare(chunks[c][i], id) === 0) return false;
    this.#starts.invalidateFrom(c);
    if (counts[c] >= this.#chunkSize) {
      // A full chunk splits in halves first (a chunk never outgrows the pool's largest class).
      this.#split(c);
      if (i > counts[c]) i -= counts[c++];
    }
    this.#put(c, i, id);
    this.#size++;
    return true;
  }

  /** Removes `id`; false when it was not there. */
  delete(id: number): boolean {
    const { chunks, counts } = this;
    const c = this.#chunkFor(id);
    if (c === chunks.length) return false;
    const i = this.#lowerBoundIn(c, id);
    const count = counts[c];
    const chunk = chunks[c];
    if (i === count || this.#compare(chunk[i], id) !== 0) return false;
    chunk.copyWithin(i, i + 1, count);
    counts[c] = count - 1;
    this.#size--;
    if (count === 1) {
      this.#pool.release(chunk);
      chunks.splice(c, 1);
      counts.splice(c, 1);
    } else if (count - 1 < this.#chunkSize >> 2 && c + 1 < chunks.length) {
      // Keep chunks from becoming many and tiny after deletions: merge with the next one.
      const next = counts[c + 1];
      if (count - 1 + next <= this.#chunkSize) {
        const merged = chunk.length >= count - 1 + next ? chunk : this.#grow(c, count - 1 + next);
        merged.set(chunks[c + 1].subarray(0, next), count - 1);
        counts[c] = count - 1 + next;
        this.#pool.release(chunks[c + 1]);
        chunks.splice(c + 1, 1);
        counts.splice(c + 1, 1);
      }
    } else if ((count - 1) * 4 <= chunk.length && chunk.length > 4) {
      // Give memory back: a chunk a quarter full moves to one half full.
      const smaller = this.#pool.alloc((count - 1) * 2);
      smaller.set(chunk.subarray(0, count - 1));
      this.#pool.release(chunk);
      chunks[c] = smaller;
    }
    this.#starts.invalidateFrom(c);
    return true;
  }

  /** Whether `id` is in the set. */
  has(id: number): boolean {
    const c = this.#chunkFor(id);
    if (c === this.chunks.length) return false;
    const i = this.#lowerBoundIn(c, id);
    return i < this.counts[c] && this.#compare(this.chunks[c][i], id) === 0;
  }

  /** Number of ids before `id` (its index, when it is in the set). */
  rank(id: number): number {
    return this.countBefore((element) => this.#compare(element, id) < 0);
  }

  /**
   * Number of leading ids for which `isBefore` holds. `isBefore` must hold for a prefix of the
   * set and not after it: it lets a set of ids be searched by a name, for instance.
   */
  countBefore(isBefore: (id: number) => boolean): number {
    const { chunks, counts } = this;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (isBefore(chunks[mid][counts[mid] - 1])) low = mid + 1;
      else high = mid;
    }
    if (low === chunks.length) return this.#size;
    const chunk = chunks[low];
    let lo = 0;
    let hi = counts[low];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (isBefore(chunk[mid])) lo = mid + 1;
      else hi = mid;
    }
    return this.#starts.startOf(low) + lo;
  }

  /** The id at `index` in order, or `undefined` past the end. */
  at(index: number): number | undefined {
    if (!(index >= 0 && index < this.#size)) return undefined;
    const c = this.#chunkOf(index);
    return this.chunks[c][index - this.#starts.startOf(c)];
  }

  /**
   * A function that returns the ids from `index` on, one per call, then `undefined`. The set
   * must not change while it is used.
   */
  pull(index = 0): () => number | undefined {
    const { chunks, counts } = this;
    let c = chunks.length;
    let i = 0;
    if (index >= 0 && index < this.#size) {
      c = this.#chunkOf(index);
      i = index - this.#starts.startOf(c);
    }
    return () => {
      while (c < chunks.length) {
        if (i < counts[c]) return chunks[c][i++];
        c++;
        i = 0;
      }
      return undefined;
    };
  }

  /** The ids from `index` on, in order. */
  *values(index = 0): Generator<number, void, undefined> {
    const next = this.pull(index);
    for (let id = next(); id !== undefined; id = next()) yield id;
  }

  [Symbol.iterator](): Generator<number, void, undefined> {
    return this.values();
  }

  // Puts `id` at index `at` of chunk `c`, growing the chunk when it is full.
  #put(c: number, at: number, id: number): void {
    const used = this.counts[c];
    const chunk = used === this.chunks[c].length ? this.#grow(c, used + 1) : this.chunks[c];
    if (at < used) chunk.copyWithin(at + 1, at, used);
    chunk[at] = id;
    this.counts[c] = used + 1;
  }

  // Moves chunk `c` to one of at least `ints` values (its used ids with it); returns it.
  #grow(c: number, ints: number): Int32Array {
    const old = this.chunks[c];
    const grown = this.#pool.alloc(ints);
    grown.set(old.subarray(0, this.counts[c]));
    this.#pool.release(old);
    this.chunks[c] = grown;
    return grown;
  }

  // Splits chunk `c` in two halves.
  #split(c: number): void {
    const chunk = this.chunks[c];
    const count = this.counts[c];
    const half = count >> 1;
    const upper = this.#pool.alloc(count - half);
    upper.set(chunk.subarray(half, count));
    this.chunks.splice(c + 1, 0, upper);
    this.counts.splice(c + 1, 0, count - half);
    this.counts[c] = half;
  }

  // The first chunk whose last id is not before `id` (chunks.length if none).
  #chunkFor(id: number): number {
    const { chunks, counts } = this;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.#compare(chunks[mid][counts[mid] - 1], id) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #lowerBoundIn(c: number, id: number): number {
    const chunk = this.chunks[c];
    let low = 0;
    let high = this.counts[c];
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.#compare(chunk[mid], id) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  // The chunk holding index `index` (0 ≤ index < size).
  #chunkOf(index: number): number {
    // In the first chunk (a list read from the front): no chunk offsets rebuilt after a change.
    if (index < this.counts[0]) return 0;
    return this.#starts.chunkOf(index, this.chunks.length - 1);
  }
}
