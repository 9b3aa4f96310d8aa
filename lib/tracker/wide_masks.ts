/**
 * The masks of more than one bit of one posting (`posting.ts`), by id: an open-addressing table
 * of (id + 1, mask) pairs in one `Int32Array`, linear probing, backward-shift removal. At a
 * million names the tracker's postings keep ~255k such masks in ~4k postings; as `Map`s of
 * numbers they cost ~30–50 bytes a mask of heap, here 8 bytes a slot, at most ¾ of them used.
 *
 * @module
 */

const EMPTY = 0;
const MIN_SLOTS = 4;

/**
 * 32-bit masks by id (ids from 0 up to 2^31 − 2).
 *
 * @example
 * ```ts
 * import { WideMasks } from "./wide_masks.ts";
 * const masks = new WideMasks();
 * masks.set(7, 0b101);
 * console.assert(masks.get(7) === 0b101 && masks.size === 1);
 * console.assert(masks.delete(7) && masks.get(7) === undefined);
 * ```
 */
export class WideMasks {
  // Pair i: slots[2i] is id + 1 (EMPTY when free), slots[2i + 1] its mask.
  #slots = new Int32Array(2 * MIN_SLOTS);
  #size = 0;

  /** Number of masks kept. */
  get size(): number {
    return this.#size;
  }

  /** The mask of `id`, if one is kept. */
  get(id: number): number | undefined {
    const slots = this.#slots;
    const last = (slots.length >> 1) - 1;
    for (let i = hash(id) & last;; i = (i + 1) & last) {
      const key = slots[2 * i];
      if (key === EMPTY) return undefined;
      if (key === id + 1) return slots[2 * i + 1];
    }
  }

  /** Keeps `mask` for `id`, replacing any kept before. */
  set(id: number, mask: number): void {
    if ((this.#size + 1) * 4 > (this.#slots.length >> 1) * 3) this.#resize(this.#slots.length);
    const slots = this.#slots;
    const last = (slots.length >> 1) - 1;
    let i = hash(id) & last;
    while (slots[2 * i] !== EMPTY && slots[2 * i] !== id + 1) i = (i + 1) & last;
    if (slots[2 * i] === EMPTY) this.#size++;
    slots[2 * i] = id + 1;
    slots[2 * i + 1] = mask;
  }

  /** Forgets the mask of `id`; false when none was kept. */
  delete(id: number): boolean {
    const slots = this.#slots;
    const last = (slots.length >> 1) - 1;
    let i = hash(id) & last;
    while (slots[2 * i] !== id + 1) {
      if (slots[2 * i] === EMPTY) return false;
      i = (i + 1) & last;
    }
    // Backward shift: later pairs of the probe run move into the hole, so no tombstones.
    for (let j = (i + 1) & last; slots[2 * j] !== EMPTY; j = (j + 1) & last) {
      const home = hash(slots[2 * j] - 1) & last;
      // Pair j may fill the hole at i when its home is not cyclically within (i, j].
      if (((j - home) & last) >= ((j - i) & last)) {
        slots[2 * i] = slots[2 * j];
        slots[2 * i + 1] = slots[2 * j + 1];
        i = j;
      }
    }
    slots[2 * i] = EMPTY;
    slots[2 * i + 1] = 0;
    this.#size--;
    // A posting that lost most of its wide masks gives the room back.
    if (this.#size * 8 < (slots.length >> 1) && slots.length > 2 * MIN_SLOTS) {
      this.#resize(slots.length >> 2);
    }
    return true;
  }

  #resize(pairs: number): void {
    const old = this.#slots;
    const slots = this.#slots = new Int32Array(2 * Math.max(MIN_SLOTS, pairs));
    const last = (slots.length >> 1) - 1;
    for (let p = 0; p < old.length; p += 2) {
      if (old[p] === EMPTY) continue;
      let i = hash(old[p] - 1) & last;
      while (slots[2 * i] !== EMPTY) i = (i + 1) & last;
      slots[2 * i] = old[p];
      slots[2 * i + 1] = old[p + 1];
    }
  }
}

// Ids of one posting are not random (names loaded in order get nearby ids): mixed so that the
// low bits, which pick the slot, depend on all of them (murmur3's finalizer).
function hash(id: number): number {
  let h = id ^ (id >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
