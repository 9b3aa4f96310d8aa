/**
 * Where each chunk of a chunked sorted list starts (the index of its first element), for the
 * lists kept in chunks so an insert moves one chunk's elements, not the whole list's: the tracker's
 * sorted views (`sorted_view.ts`) and id lists (`sorted_ids.ts`).
 *
 * The starts are prefix sums of the chunks' lengths, rebuilt lazily from the first chunk that
 * changed: a list read from its front, or changed near its end, rebuilds little.
 *
 * @module
 */

export class ChunkStarts {
  // #starts[c] is the index of the first element of chunk c; valid below #valid.
  readonly #starts: number[] = [];
  #valid = 0;
  readonly #lengthOf: (chunk: number) => number;

  /** `lengthOf(c)`: how many elements chunk c holds now. */
  constructor(lengthOf: (chunk: number) => number) {
    this.#lengthOf = lengthOf;
  }

  /** Chunk `chunk` changed length (or was split off): every later start may have moved. */
  invalidateFrom(chunk: number): void {
    if (chunk + 1 < this.#valid) this.#valid = chunk + 1;
  }

  /** The chunks were replaced wholesale. */
  reset(): void {
    this.#valid = 0;
  }

  /** The index of chunk `chunk`'s first element. */
  startOf(chunk: number): number {
    const starts = this.#starts;
    if (this.#valid === 0) {
      starts[0] = 0;
      this.#valid = 1;
    }
    while (this.#valid <= chunk) {
      const c = this.#valid;
      starts[c] = starts[c - 1] + this.#lengthOf(c - 1);
      this.#valid++;
    }
    return starts[chunk];
  }

  /** The chunk holding `index`, among chunks 0..`last` (0 ≤ index < the list's size). */
  chunkOf(index: number, last: number): number {
    this.startOf(last);
    const starts = this.#starts;
    let low = 0;
    let high = last;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid] <= index) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}
