/**
 * Walking a posting (`posting.ts`) forward in name order: stepping, seeking by label, and what a
 * walk has cost for the search's cap (a seek is charged by the labels it reads, so that a walk
 * stopped by the cap has taken about as long whether it stepped or sought).
 *
 * @module
 */

import { ENTRY_ID_BITS, ENTRY_ID_MASK, entryId, type Posting } from "./posting.ts";

/** Entries of a posting a seek reads ahead for an id before it bisects by label. */
const READ_AHEAD = 4;

/**
 * Labels a seek reads per step it costs beyond its first. A label is a read at random in a column
 * of every name's label (`ord`), through an entry of the posting read out of order: where a step
 * onto the next entry reads memory in order, a seek reads ~5–15 labels, each likely a cache miss
 * at a million names. Measured at a million names (the bench's mix, each count walk timed
 * alone): ~45 ns a step, ~17 ns a label read on average, ~8 ns an entry read ahead.
 */
export const LABELS_PER_STEP = 3;

/** Steps a seek that read `labels` labels costs. */
export function seekCost(labels: number): number {
  return 1 + Math.floor(labels / LABELS_PER_STEP);
}

/**
 * Entries read ahead for an id that was not among them, per step they cost (`missCost`). Found,
 * the id costs one step (an entry stepped onto) however far it was: most reads ahead find it
 * within a few entries, and charging the distance refused ~10% more of the bench's walks
 * without bounding their time better.
 */
export const MISSED_AHEAD_PER_STEP = 8;

/**
 * Steps a read ahead of `ahead` entries costs when the id was not among them (a seek by label
 * follows): a count walk and a listing charge it alike, so their steps stay the same.
 */
export function missCost(ahead: number): number {
  return Math.floor(ahead / MISSED_AHEAD_PER_STEP);
}

/**
 * A position in a posting that only moves forward: the current entry's `id` and `mask`, or
 * `id === -1` at the end. The posting must not change while it is used.
 */
export class PostingCursor {
  id = -1;
  mask = 0;
  /** The label of the current entry (Infinity at the end). */
  label = Infinity;
  /** Entries stepped over or onto, for the search's cost cap. */
  steps = 0;
  readonly #posting: Posting;
  readonly #ord: Float64Array;
  #chunk = 0;
  #index = 0;

  /** Starts at the first entry whose label is above `after`. */
  constructor(posting: Posting, ord: Float64Array, after: number) {
    this.#posting = posting;
    this.#ord = ord;
    this.#load();
    if (this.label <= after) this.seek(after + 1);
  }

  /** Entries in the whole posting: how rare its trigram is. */
  get postingSize(): number {
    return this.#posting.size;
  }

  /** The posting walked. */
  get posting(): Posting {
    return this.#posting;
  }

  /** The chunk the cursor stands in (`posting.chunks.length` at the end). */
  get chunkIndex(): number {
    return this.#chunk;
  }

  /** The entry of that chunk it stands on. */
  get entryIndex(): number {
    return this.#index;
  }

  /**
   * Stands on entry `index` of chunk `chunk`, at or after where it stood (a walk that read the
   * chunks itself hands its position back); `index` must be below the chunk's count, or the
   * chunk past the last.
   */
  place(chunk: number, index: number): void {
    this.#chunk = chunk;
    this.#index = index;
    this.#load();
  }

  /** Steps to the next entry. */
  advance(): void {
    this.steps++;
    if (++this.#index >= this.#posting.counts[this.#chunk]) {
      this.#chunk++;
      this.#index = 0;
    }
    this.#load();
  }

  /**
   * Moves to the first entry whose label is at least `key` (labels are integers). Costs one step,
   * and one more for every {@linkcode LABELS_PER_STEP} labels it read (`seekCost`).
   */
  seek(key: number): void {
    if (this.label >= key) return;
    this.steps += seekCost(this.#seek(key));
  }

  // The seek itself; returns the labels it read. The next entry is compared first: most seeks
  // (after a read ahead that missed, or a lead's jump to a denser posting's entry) land within a
  // few entries, and then the chunk's last label need not be read.
  #seek(key: number): number {
    const { chunks, counts } = this.#posting;
    const ord = this.#ord;
    let c = this.#chunk;
    let known = this.#index; // an entry whose label is below `key`
    let labels = 0;
    if (known + 1 < counts[c]) {
      labels++;
      if (ord[entryId(chunks[c][known + 1])] >= key) {
        this.#index = known + 1;
        this.#load();
        return labels;
      }
      known++;
    }
    let fresh = false; // in another chunk, whose first entry is not compared yet
    labels++;
    if (ord[entryId(chunks[c][counts[c] - 1])] < key) {
      // Gallop over whole chunks, then bisect: a far target costs a logarithm of the distance.
      let step = 1;
      let low = c + 1;
      while (low + step - 1 < chunks.length) {
        labels++;
        if (this.#lastLabel(low + step - 1) >= key) break;
        low += step;
        step *= 2;
      }
      let high = Math.min(chunks.length, low + step - 1);
      while (low < high) {
        const mid = (low + high) >> 1;
        labels++;
        if (this.#lastLabel(mid) < key) low = mid + 1;
        else high = mid;
      }
      c = this.#chunk = low;
      this.#index = 0;
      if (c === chunks.length) {
        this.#load();
        return labels;
      }
      known = 0;
      fresh = true;
    }
    // Gallop from the entry known to be before the target: a near target costs little.
    const chunk = chunks[c];
    let high = counts[c];
    for (let step = 1;; step *= 2) {
      const probe = known + step;
      if (probe >= high) break;
      labels++;
      if (ord[entryId(chunk[probe])] >= key) {
        high = probe;
        break;
      }
      known = probe;
    }
    let low = known + 1;
    if (fresh && known === 0) {
      labels++;
      if (ord[entryId(chunk[0])] >= key) low = 0; // the chunk's first may be it
    }
    while (low < high) {
      const mid = (low + high) >> 1;
      labels++;
      if (ord[entryId(chunk[mid])] < key) low = mid + 1;
      else high = mid;
    }
    this.#index = low;
    this.#load();
    return labels;
  }

  /**
   * As `seek(key)`, where `key` is the label of name `id`: the next few entries are read for the
   * id first, which finds it without reading a label when this posting has it close ahead (the
   * common case of a join: its trigrams are in most of the same names). An entry found by id is
   * where `seek` would stop, since labels are distinct and ordered. `ahead`: entries read for it.
   */
  seekId(id: number, key: number, ahead = READ_AHEAD): void {
    if (this.label >= key) return;
    const { chunks, counts } = this.#posting;
    let c = this.#chunk;
    let i = this.#index;
    for (let read = 0; read < ahead; read++) {
      if (++i === counts[c]) {
        if (++c === chunks.length) break;
        i = 0;
      }
      const entry = chunks[c][i];
      if ((entry & ENTRY_ID_MASK) !== id) continue;
      this.steps++;
      this.#chunk = c;
      this.#index = i;
      this.id = id;
      this.mask = entry >>> ENTRY_ID_BITS < 32
        ? 1 << (entry >>> ENTRY_ID_BITS)
        : this.#posting.maskOf(entry);
      this.label = key;
      return;
    }
    this.seekAfterMiss(key, ahead);
  }

  /**
   * `seek(key)` after `ahead` entries from here were read for the id and it was not among them
   * (a count walk reads ahead itself): the read costs `missCost(ahead)` when the seek moves.
   */
  seekAfterMiss(key: number, ahead: number): void {
    if (this.label >= key) return;
    this.steps += missCost(ahead);
    this.seek(key);
  }

  #lastLabel(c: number): number {
    const { chunks, counts } = this.#posting;
    return this.#ord[entryId(chunks[c][counts[c] - 1])];
  }

  #load(): void {
    const chunks = this.#posting.chunks;
    if (this.#chunk < chunks.length) {
      const entry = chunks[this.#chunk][this.#index];
      this.id = entry & ENTRY_ID_MASK;
      this.mask = entry >>> ENTRY_ID_BITS < 32
        ? 1 << (entry >>> ENTRY_ID_BITS)
        : this.#posting.maskOf(entry);
      this.label = this.#ord[this.id];
    } else {
      this.id = -1;
      this.mask = 0;
      this.label = Infinity;
    }
  }
}
