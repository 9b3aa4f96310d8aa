/**
 * The name → id lookup of the index's table (`name_table.ts`): an open-addressing hash table of
 * ids in one `Int32Array`, the names themselves being the table's `names` column. A `Map` from
 * each name to its id cost ~30 bytes a name (1M names: 29 MiB of heap in one block); this costs
 * 4–8 (a slot per id, at most half the slots used).
 *
 * Linear probing; a slot holds `id + 1` (0: empty) with 5 bits of the name's hash above the id's
 * 26, so a probe compares a string only when those bits agree. A removal shifts the entries
 * after it back (no tombstones), so lookups never slow down with churn.
 *
 * @module
 */

/** Bits of a slot that hold `id + 1`: the table's ids fit (`MAX_POSTING_ID` in `posting.ts`). */
const ID_BITS = 26;
const ID_MASK = 2 ** ID_BITS - 1;
/** The hash bits kept in a slot, above the id. */
const TAG_MASK = 0x1f << ID_BITS;
const MIN_SLOTS = 1024;

/** A 32-bit hash of a string's code units (FNV-1a, then a final mix so every bit matters). */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Ids by name, over a names column the caller keeps (`names[id]` is the name of `id` while it
 * is in this table).
 *
 * @example
 * ```ts
 * import { NameIds } from "./name_ids.ts";
 * const names: string[] = [];
 * const ids = new NameIds(names);
 * names[7] = "a.txt";
 * ids.set("a.txt", 7);
 * console.assert(ids.get("a.txt") === 7 && ids.get("b.txt") === undefined);
 * ids.delete("a.txt");
 * console.assert(ids.size === 0);
 * ```
 */
export class NameIds {
  #names: readonly string[];
  #slots = new Int32Array(MIN_SLOTS);
  #size = 0;

  constructor(names: readonly string[]) {
    this.#names = names;
  }

  /** Reads the names from `names` from now on (the caller's column, replaced by a copy of it). */
  useNames(names: readonly string[]): void {
    this.#names = names;
  }

  /** Names held. */
  get size(): number {
    return this.#size;
  }

  /** The id of `name`, if held. */
  get(name: string): number | undefined {
    const hash = hashName(name);
    const slots = this.#slots;
    const mask = slots.length - 1;
    const tag = (hash >>> 1) & TAG_MASK;
    for (let i = hash & mask;; i = (i + 1) & mask) {
      const slot = slots[i];
      if (slot === 0) return undefined;
      if ((slot & TAG_MASK) === tag) {
        const id = (slot & ID_MASK) - 1;
        if (this.#names[id] === name) return id;
      }
    }
  }

  /** Adds `name` (not held) under `id`, whose entry in the names column is `name` already. */
  set(name: string, id: number): void {
    if (id + 1 > ID_MASK) throw new RangeError("too many names for the table");
    if ((this.#size + 1) * 2 > this.#slots.length) this.#resize(this.#slots.length * 2);
    this.#place(hashName(name), id);
    this.#size++;
  }

  /** Makes room for `count` names without growing again on the way. */
  reserve(count: number): void {
    if (count * 2 > this.#slots.length) this.#resize(2 ** Math.ceil(Math.log2(count * 2)));
  }

  /** Removes `name`, whose entry in the names column is still `name`; false when not held. */
  delete(name: string): boolean {
    const slots = this.#slots;
    const mask = slots.length - 1;
    const hash = hashName(name);
    const tag = (hash >>> 1) & TAG_MASK;
    let i = hash & mask;
    for (;; i = (i + 1) & mask) {
      const slot = slots[i];
      if (slot === 0) return false;
      if ((slot & TAG_MASK) === tag && this.#names[(slot & ID_MASK) - 1] === name) break;
    }
    // Backward shift: move up each later entry of the run that may sit in the hole.
    for (let j = (i + 1) & mask;; j = (j + 1) & mask) {
      const slot = slots[j];
      if (slot === 0) break;
      const home = hashName(this.#names[(slot & ID_MASK) - 1]) & mask;
      // The entry at j may move to i when its home is not cyclically within (i, j].
      if (((j - home) & mask) >= ((j - i) & mask)) {
        slots[i] = slot;
        i = j;
      }
    }
    slots[i] = 0;
    this.#size--;
    return true;
  }

  #place(hash: number, id: number): void {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let i = hash & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = ((hash >>> 1) & TAG_MASK) | (id + 1);
  }

  #resize(length: number): void {
    const old = this.#slots;
    this.#slots = new Int32Array(length);
    for (const slot of old) {
      if (slot === 0) continue;
      const id = (slot & ID_MASK) - 1;
      this.#place(hashName(this.#names[id]), id);
    }
  }
}
