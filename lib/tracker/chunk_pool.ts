/**
 * Memory for posting chunks, carved from large slabs and recycled by size class. A million names
 * make tens of thousands of chunks that grow, split and shrink as names come and go; given one
 * `ArrayBuffer` each, the allocator behind them fragments and the process keeps far more memory
 * than it uses. Slabs are allocated once and their pieces reused.
 *
 * @module
 */

/** Int32 values per slab (4 MiB). */
const SLAB_INTS = 1 << 20;

/** Capacities handed out, in `Int32` values: doubling while small, then steps of 64. */
const CLASSES: readonly number[] = [
  4,
  8,
  16,
  32,
  64,
  128,
  256,
  384,
  512,
  640,
  768,
  896,
  1024,
];

/** The smallest class holding `ints` values. */
function classOf(ints: number): number {
  for (let c = 0; c < CLASSES.length; c++) if (CLASSES[c] >= ints) return c;
  throw new RangeError(`no chunk class holds ${ints} values`);
}

/** The largest number of `Int32` values a chunk can have. */
export const MAX_CHUNK_INTS = CLASSES[CLASSES.length - 1];

/** Hands out `Int32Array` views of at least a requested length, and takes them back. */
export class ChunkPool {
  readonly #free: Int32Array[][] = CLASSES.map(() => []);
  #slab = new Int32Array(SLAB_INTS);
  #used = 0;
  /** Slabs allocated so far (for the stats). */
  slabs = 1;

  /** A zero-length-agnostic chunk of at least `ints` values (its `length` is its capacity). */
  alloc(ints: number): Int32Array {
    const c = classOf(ints);
    const recycled = this.#free[c].pop();
    if (recycled !== undefined) return recycled;
    const size = CLASSES[c];
    if (this.#used + size > SLAB_INTS) {
      // The rest of the old slab goes to the free lists of the classes it can still hold.
      this.#shelve(this.#slab, this.#used);
      this.#slab = new Int32Array(SLAB_INTS);
      this.#used = 0;
      this.slabs++;
    }
    const chunk = this.#slab.subarray(this.#used, this.#used + size);
    this.#used += size;
    return chunk;
  }

  /** Takes back a chunk from {@linkcode alloc}; it must not be used again. */
  release(chunk: Int32Array): void {
    this.#free[classOf(chunk.length)].push(chunk);
  }

  #shelve(slab: Int32Array, from: number): void {
    for (let c = CLASSES.length - 1; c >= 0; c--) {
      while (from + CLASSES[c] <= slab.length) {
        this.#free[c].push(slab.subarray(from, from + CLASSES[c]));
        from += CLASSES[c];
      }
    }
  }
}
