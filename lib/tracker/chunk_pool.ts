/**
 * Memory for posting chunks (and the index's id lists, `sorted_ids.ts`), carved from large slabs
 * and recycled by size class. A million names make tens of thousands of chunks that grow, split
 * and shrink as names come and go; given one `ArrayBuffer` each, the allocator behind them
 * fragments and the process keeps far more memory than it uses. Slabs are allocated once and
 * their pieces reused.
 *
 * After a bulk load (a restart's indexing pass) the pool can be packed
 * ({@linkcode ChunkPool.repack}): every chunk in use is moved down, in place, to a piece exactly
 * as long as its entries, and the slabs left empty are dropped. A load in name order leaves each posting's last chunk about half
 * empty and the pieces it outgrew on the free lists (~16 MiB at a million names); packing gives
 * that back without a second copy of the postings at any moment.
 *
 * @module
 */

/**
 * Int32 values per slab after the first: 32 MiB and a page, above glibc's highest dynamic mmap
 * threshold (32 MiB on 64-bit), so each slab is a mapping of its own: its pages cost nothing
 * until written, and a dropped slab goes back to the system. Smaller blocks land in the process's
 * heap once the threshold has risen (freeing a large block raises it), and one freed there stays
 * with the process: with 4 MiB slabs, packing lowered the memory accounted by 44 MiB and RSS by 6.
 */
const SLAB_INTS = (1 << 23) + 1024;
/** The first slab (1 MiB): a small index needs no more. */
const FIRST_SLAB_INTS = 1 << 18;

/** Capacities handed out, in `Int32` values: doubling while small, then steps of 128. */
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

/** The largest class a piece of `ints` values holds (-1 when none: shorter than every class). */
function floorClassOf(ints: number): number {
  let c = -1;
  while (c + 1 < CLASSES.length && CLASSES[c + 1] <= ints) c++;
  return c;
}

/** What {@linkcode ChunkPool.repack} moves: a list of chunks, `counts[c]` values of chunk `c` used. */
export interface ChunkOwner {
  readonly chunks: Int32Array[];
  readonly counts: readonly number[];
}

/** The largest number of `Int32` values a chunk can have. */
export const MAX_CHUNK_INTS = CLASSES[CLASSES.length - 1];

/** Hands out `Int32Array` views of at least a requested length, and takes them back. */
export class ChunkPool {
  #free: Int32Array[][] = CLASSES.map(() => []);
  readonly #slabInts: number;
  // Every slab, in the order they were allocated; the last is the one being carved.
  readonly #slabs: Int32Array[];
  #slab: Int32Array;
  #used = 0;

  /** `slabInts`: the size of a slab after the first (tests use small ones; ≥ every class). */
  constructor(options: { slabInts?: number } = {}) {
    this.#slabInts = Math.max(MAX_CHUNK_INTS, options.slabInts ?? SLAB_INTS);
    this.#slab = new Int32Array(Math.min(FIRST_SLAB_INTS, this.#slabInts));
    this.#slabs = [this.#slab];
  }

  /** Slabs held (for the stats). */
  get slabs(): number {
    return this.#slabs.length;
  }

  /** A zero-length-agnostic chunk of at least `ints` values (its `length` is its capacity). */
  alloc(ints: number): Int32Array {
    const c = classOf(ints);
    const recycled = this.#free[c].pop();
    if (recycled !== undefined) return recycled;
    const size = CLASSES[c];
    if (this.#used + size > this.#slab.length) {
      // The rest of the old slab goes to the free lists of the classes it can still hold.
      this.#shelve(this.#slab, this.#used);
      this.#slab = new Int32Array(this.#slabInts);
      this.#slabs.push(this.#slab);
      this.#used = 0;
    }
    const chunk = this.#slab.subarray(this.#used, this.#used + size);
    this.#used += size;
    return chunk;
  }

  /**
   * Takes back a chunk from {@linkcode alloc} or {@linkcode repack}; it must not be used again. A
   * packed chunk may be shorter than a class: it is filed under the largest class it holds.
   */
  release(chunk: Int32Array): void {
    const c = floorClassOf(chunk.length);
    if (c < 0) return; // shorter than every class: left until the next packing
    this.#free[c].push(chunk.length === CLASSES[c] ? chunk : chunk.subarray(0, CLASSES[c]));
  }

  /**
   * Moves every chunk of `owners` (all the chunks in use: the rest of the pool is forgotten) down
   * the slabs in the order they lie, each to a piece as long as its used values, in place; the
   * slabs left empty are dropped, and the last one kept is copied to a block of the length it
   * uses (its written but now unused pages would stay with the process otherwise). The chunks'
   * arrays point at the new pieces. The next insertion into a packed chunk moves it to a class.
   */
  repack(owners: Iterable<ChunkOwner>): void {
    const slabs = this.#slabs;
    const stride = this.#slabInts;
    const slabOf = new Map<ArrayBuffer, number>();
    slabs.forEach((slab, i) => slabOf.set(slab.buffer as ArrayBuffer, i));
    const list: ChunkOwner[] = [];
    const where: number[] = []; // per chunk: its owner in `list`, its index in the owner
    const at: number[] = []; // per chunk: where it lies (slab * stride + offset)
    for (const owner of owners) {
      const o = list.push(owner) - 1;
      owner.chunks.forEach((chunk, c) => {
        const slab = slabOf.get(chunk.buffer as ArrayBuffer);
        if (slab === undefined) throw new RangeError("a chunk not from this pool");
        where.push(o, c);
        at.push(slab * stride + chunk.byteOffset / Int32Array.BYTES_PER_ELEMENT);
      });
    }
    const order = new Uint32Array(at.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => at[a] - at[b]);
    // Pieces are written in the order they lie, each to a place never past where it is read from
    // (a piece shrinks or stays; a slab too short for it is skipped, and the one it lies in
    // holds it), so nothing unread is overwritten; copyWithin allows the overlap with the piece.
    let slab = 0;
    let used = 0;
    let lastSlabFrom = 0; // the first of `order` written to the last slab
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      const owner = list[where[2 * i]];
      const c = where[2 * i + 1];
      const count = owner.counts[c];
      const from = Math.floor(at[i] / stride);
      const offset = at[i] - from * stride;
      while (used + count > slabs[slab].length) {
        // On to the next slab that holds it: at the latest the one it lies in, at its start.
        slab++;
        used = 0;
        lastSlabFrom = k;
      }
      const target = slabs[slab];
      if (slab === from) target.copyWithin(used, offset, offset + count);
      else target.set(slabs[from].subarray(offset, offset + count), used);
      owner.chunks[c] = target.subarray(used, used + count);
      at[i] = used; // now its offset in the last slab, for those that end there
      used += count;
    }
    slabs.length = slab + 1;
    if (slab > 0) {
      const exact = slabs[slab].slice(0, used);
      for (let k = lastSlabFrom; k < order.length; k++) {
        const i = order[k];
        const owner = list[where[2 * i]];
        const c = where[2 * i + 1];
        owner.chunks[c] = exact.subarray(at[i], at[i] + owner.counts[c]);
      }
      slabs[slab] = exact;
    }
    this.#slab = slabs[slab];
    this.#used = used;
    this.#free = CLASSES.map(() => []);
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
