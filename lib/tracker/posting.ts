/**
 * A posting list of the name index: the ids of the names that contain one trigram, each with the
 * trigram's position mask, kept in name order. Name order is read from order labels (`ord`, one
 * number per id, increasing with the name), so placing an id costs number comparisons, and a
 * relabelling never touches a posting because it keeps the order.
 *
 * Entries live in chunks of at most 1,024 (one `Int32Array` from a {@linkcode ChunkPool}), so an
 * insertion moves at most one chunk, and a small posting holds a small array. An entry is one
 * 32-bit value: the id in its low 26 bits and, in the top 6, the mask — most trigrams start at one
 * position of a name, so most masks are one bit, kept as its index; a mask of several bits is kept
 * aside by id (`wide`, `wide_masks.ts`). That halves the postings, most of the index's memory,
 * against a pair of values per entry.
 *
 * @module
 */

import { type ChunkPool, MAX_CHUNK_INTS } from "./chunk_pool.ts";
import { WideMasks } from "./wide_masks.ts";

/**
 * Most entries per chunk: the pool's largest class. Each chunk is a typed-array object of ~110
 * bytes in V8's heap: at 512 entries a million names made ~99k of them (11 MiB).
 */
const CHUNK_ENTRIES = MAX_CHUNK_INTS;

/** Bits of an entry that hold the id. */
const ID_BITS = 26;
const ID_MASK = 2 ** ID_BITS - 1;
/** The largest id a posting can hold (67 million names: far past what memory allows). */
export const MAX_POSTING_ID = ID_MASK;
/** How to read an entry without a cursor (a walk reading chunks itself): `entry & ENTRY_ID_MASK`. */
export const ENTRY_ID_MASK = ID_MASK;
/** An entry's mask tag is `entry >>> ENTRY_ID_BITS`: below 32, the index of its one bit. */
export const ENTRY_ID_BITS = ID_BITS;
/** Tags above the bit indexes 0–31: an empty mask, and a mask kept in `wide`. */
const EMPTY_TAG = 32;
const WIDE_TAG = 33;

/** The ids of the names containing one gram, in name order. */
export class Posting {
  /** The gram (see `grams.ts`); -1 for the keys too short to have a trigram. */
  readonly code: number;
  /** Names in this posting that at least one active user publishes. */
  active = 0;
  /** Entries in all. */
  size = 0;
  /** Chunks of entries (see {@linkcode entryId}); `counts[c]` entries of chunk `c` are used. */
  readonly chunks: Int32Array[] = [];
  readonly counts: number[] = [];
  /** Masks of more than one bit, by id. */
  wide: WideMasks | undefined;

  readonly #pool: ChunkPool;

  constructor(code: number, pool: ChunkPool) {
    this.code = code;
    this.#pool = pool;
  }

  /** Adds `id` (not yet present) with its mask, in the order of `ord`. */
  insert(id: number, mask: number, ord: Float64Array): void {
    const key = ord[id];
    const chunks = this.chunks;
    const entry = this.#encode(id, mask);
    if (chunks.length === 0) {
      const chunk = this.#pool.alloc(1);
      chunk[0] = entry;
      chunks.push(chunk);
      this.counts.push(1);
      this.size = 1;
      return;
    }
    const tail = chunks.length - 1;
    if (ord[entryId(chunks[tail][this.counts[tail] - 1])] < key) return this.#append(entry);
    let c = this.#chunkFor(key, ord);
    if (c === chunks.length) c--;
    const count = this.counts[c];
    let at = lowerBound(chunks[c], count, key, ord);
    if (count === CHUNK_ENTRIES) {
      // A full chunk passes an entry to a neighbour with room before it splits: chunks stay
      // nearly full (about 85% of their room used, against 69% when every full chunk splits).
      if (at < count && c + 1 < chunks.length && this.counts[c + 1] < CHUNK_ENTRIES) {
        this.#put(c + 1, 0, chunks[c][count - 1]);
        this.counts[c]--;
      } else if (at === 0 && c > 0 && this.counts[c - 1] < CHUNK_ENTRIES) {
        c--; // between the two chunks: it can end the previous one
        at = this.counts[c];
      } else if (c > 0 && this.counts[c - 1] < CHUNK_ENTRIES) {
        const full = chunks[c];
        this.#put(c - 1, this.counts[c - 1], full[0]);
        full.copyWithin(0, 1, count);
        this.counts[c]--;
        at--;
      } else {
        this.#split(c);
        if (at > count >> 1) {
          c++;
          at -= count >> 1;
        }
      }
    }
    this.#put(c, at, entry);
    this.size++;
  }

  #encode(id: number, mask: number): number {
    if (mask === 0) return id | (EMPTY_TAG << ID_BITS);
    if ((mask & (mask - 1)) === 0) return id | ((31 - Math.clz32(mask)) << ID_BITS);
    (this.wide ??= new WideMasks()).set(id, mask);
    return id | (WIDE_TAG << ID_BITS);
  }

  /** The mask of an entry of this posting. */
  maskOf(entry: number): number {
    const tag = entry >>> ID_BITS;
    if (tag < 32) return 1 << tag;
    return tag === EMPTY_TAG ? 0 : (this.wide as WideMasks).get(entry & ID_MASK) as number;
  }

  // After every entry (a load in name order): a full last chunk is followed by a new one rather
  // than split, so a posting built in order has full chunks and moves no entry.
  #append(entry: number): void {
    const c = this.chunks.length - 1;
    if (this.counts[c] < CHUNK_ENTRIES) {
      this.#put(c, this.counts[c], entry);
    } else {
      // Taken whole: grown one class at a time, a chunk would leave its outgrown pieces behind.
      const chunk = this.#pool.alloc(CHUNK_ENTRIES);
      chunk[0] = entry;
      this.chunks.push(chunk);
      this.counts.push(1);
    }
    this.size++;
  }

  // Puts an entry at index `at` of chunk `c` (which has fewer than CHUNK_ENTRIES), growing it.
  #put(c: number, at: number, entry: number): void {
    let chunk = this.chunks[c];
    const used = this.counts[c];
    if (used === chunk.length) {
      const grown = this.#pool.alloc(used + 1);
      grown.set(chunk);
      this.#pool.release(chunk);
      this.chunks[c] = chunk = grown;
    }
    if (at < used) chunk.copyWithin(at + 1, at, used); // a builtin call costs, even moving nothing
    chunk[at] = entry;
    this.counts[c] = used + 1;
  }

  /** Removes `id`, which must still carry the label it was inserted with (or one in its order). */
  remove(id: number, ord: Float64Array): boolean {
    const key = ord[id];
    const c = this.#chunkFor(key, ord);
    if (c === this.chunks.length) return false;
    const chunk = this.chunks[c];
    const count = this.counts[c];
    const at = lowerBound(chunk, count, key, ord);
    if (at === count || entryId(chunk[at]) !== id) return false;
    if (chunk[at] >>> ID_BITS === WIDE_TAG) this.wide?.delete(id);
    chunk.copyWithin(at, at + 1, count);
    this.counts[c] = count - 1;
    this.size--;
    if (count === 1) {
      this.#pool.release(chunk);
      this.chunks.splice(c, 1);
      this.counts.splice(c, 1);
    } else if ((count - 1) * 4 <= chunk.length && chunk.length > 4) {
      // Give memory back after deletions: a chunk a quarter full moves to one half full.
      const smaller = this.#pool.alloc((count - 1) * 2);
      smaller.set(chunk.subarray(0, count - 1));
      this.#pool.release(chunk);
      this.chunks[c] = smaller;
    }
    return true;
  }

  // Chunk whose last entry is not before `key` (chunks.length if none).
  #chunkFor(key: number, ord: Float64Array): number {
    const chunks = this.chunks;
    const counts = this.counts;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (ord[entryId(chunks[mid][counts[mid] - 1])] < key) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #split(c: number): void {
    const chunk = this.chunks[c];
    const half = CHUNK_ENTRIES >> 1;
    const upper = this.#pool.alloc(CHUNK_ENTRIES - half + 1);
    upper.set(chunk.subarray(half, CHUNK_ENTRIES));
    this.chunks.splice(c + 1, 0, upper);
    this.counts.splice(c + 1, 0, CHUNK_ENTRIES - half);
    this.counts[c] = half;
  }
}

/** The id of a posting entry. */
export function entryId(entry: number): number {
  return entry & ID_MASK;
}

/** First entry of `chunk` (of `count` entries) whose label is not below `key`. */
function lowerBound(chunk: Int32Array, count: number, key: number, ord: Float64Array): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (ord[entryId(chunk[mid])] < key) low = mid + 1;
    else high = mid;
  }
  return low;
}
