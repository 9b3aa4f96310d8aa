/**
 * Counts kept per gram code (a unigram, bigram or trigram of a key, `grams.ts`), in two typed
 * arrays with open addressing: the name index keeps one per view for each user with many names,
 * counting the names that user alone actively holds, so that a short query's count can leave
 * them out without reading the user's names (see `index_core.ts`). A `Map` would cost ~3× the
 * memory per entry, and most codes of two units do not fit a small integer.
 *
 * @module
 */

const EMPTY = -1;
const INITIAL_SLOTS = 64;

/**
 * Counts by gram code (a non-negative integer below 2^53).
 *
 * @example
 * ```ts
 * import { GramCounts } from "./gram_counts.ts";
 * const counts = new GramCounts();
 * counts.add(97, 2);
 * counts.add(97, -1);
 * console.assert(counts.get(97) === 1 && counts.get(98) === 0);
 * ```
 */
export class GramCounts {
  #codes = new Float64Array(INITIAL_SLOTS).fill(EMPTY);
  #counts = new Int32Array(INITIAL_SLOTS);
  // Slots holding a code, counted or back to zero (a zero entry is dropped when the table grows).
  #used = 0;

  /** The count of `code` (0 when never added). */
  get(code: number): number {
    const codes = this.#codes;
    const mask = codes.length - 1;
    for (let slot = slotOf(code, mask);; slot = (slot + 1) & mask) {
      const held = codes[slot];
      if (held === code) return this.#counts[slot];
      if (held === EMPTY) return 0;
    }
  }

  /** Adds `delta` to the count of `code`. */
  add(code: number, delta: number): void {
    const codes = this.#codes;
    const mask = codes.length - 1;
    for (let slot = slotOf(code, mask);; slot = (slot + 1) & mask) {
      const held = codes[slot];
      if (held === code) {
        this.#counts[slot] += delta;
        return;
      }
      if (held === EMPTY) {
        codes[slot] = code;
        this.#counts[slot] = delta;
        if (++this.#used * 2 > codes.length) this.#rehash();
        return;
      }
    }
  }

  /** Bytes the arrays take (for the memory benchmark's account). */
  get bytes(): number {
    return this.#codes.byteLength + this.#counts.byteLength;
  }

  // Keeps the nonzero counts, in a table at most half full after it.
  #rehash(): void {
    const codes = this.#codes;
    const counts = this.#counts;
    let live = 0;
    for (let slot = 0; slot < codes.length; slot++) {
      if (codes[slot] !== EMPTY && counts[slot] !== 0) live++;
    }
    let size = INITIAL_SLOTS;
    while (size < live * 4) size *= 2;
    this.#codes = new Float64Array(size).fill(EMPTY);
    this.#counts = new Int32Array(size);
    this.#used = 0;
    for (let slot = 0; slot < codes.length; slot++) {
      if (codes[slot] !== EMPTY && counts[slot] !== 0) this.add(codes[slot], counts[slot]);
    }
  }
}

// Mixes the code's low and high 32 bits (a bigram's first unit is in the high bits).
function slotOf(code: number, mask: number): number {
  const low = code >>> 0;
  const high = Math.floor(code / 4294967296) >>> 0;
  const mixed = Math.imul(low ^ Math.imul(high, 0x85ebca6b), 0x9e3779b1);
  return (mixed ^ (mixed >>> 16)) & mask;
}
