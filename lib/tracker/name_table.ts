/**
 * The names the index knows, each under a small integer id, with what a search checks per
 * candidate kept in typed arrays indexed by id (no object per name): how many active users hold
 * it, which one when only one does, and its order label.
 *
 * @module
 */

import { NameIds } from "./name_ids.ts";

const INITIAL_CAPACITY = 1024;

/** Per-name columns, indexed by id. Arrays are replaced when they grow: read them per use. */
export class NameTable {
  /** The exact name of each id ("" for a free id). Replaced by {@linkcode trim}: read it per use. */
  names: string[] = [];
  /** The searched form of each name (the name itself unless the index folds). As `names`. */
  keys: string[] = [];
  /** Order label: increases with the name in code-unit order (see `name_order.ts`). */
  ord = new Float64Array(INITIAL_CAPACITY);
  /** Users holding the name (active or not). */
  holders = new Int32Array(INITIAL_CAPACITY);
  /**
   * XOR of the numbers of all the users holding the name, active or not: with one holder, that
   * holder's number (`name_holders.ts`), so most names need no set of holders.
   */
  holderXor = new Int32Array(INITIAL_CAPACITY);
  /** Active users holding the name. */
  active = new Int32Array(INITIAL_CAPACITY);
  /**
   * XOR of the numbers of the active users holding the name: when `active` is 1 it is that
   * user's number, so "held by someone other than the asker" is two array reads.
   */
  activeXor = new Int32Array(INITIAL_CAPACITY);
  /** Length of each key in code units: says whether its position masks are exact. */
  keyLength = new Uint16Array(INITIAL_CAPACITY);
  /** Length of each name in code units (for the views that search the names themselves). */
  nameLength = new Uint16Array(INITIAL_CAPACITY);
  /** The views holding each name, one bit per view (see `index_core.ts`). */
  views = new Uint8Array(INITIAL_CAPACITY);
  readonly #ids = new NameIds(this.names);
  readonly #free: number[] = [];
  #next = 0;

  /** Number of names. */
  get size(): number {
    return this.#ids.size;
  }

  /** Ids handed out so far, free or not: the bound of every id. */
  get capacity(): number {
    return this.#next;
  }

  /** The id of `name`, if the table holds it. */
  idOf(name: string): number | undefined {
    return this.#ids.get(name);
  }

  /** Adds `name` (not yet held) with its searched form; returns its new id. */
  add(name: string, key: string): number {
    let id = this.#free.pop();
    if (id === undefined) {
      id = this.#next++;
      if (id >= this.ord.length) this.#grow(this.ord.length * 2);
    }
    this.names[id] = name;
    this.#ids.set(name, id);
    this.keys[id] = key;
    this.keyLength[id] = Math.min(key.length, 65535);
    this.nameLength[id] = Math.min(name.length, 65535);
    this.views[id] = 0;
    this.holders[id] = 0;
    this.holderXor[id] = 0;
    this.active[id] = 0;
    this.activeXor[id] = 0;
    return id;
  }

  /** Forgets the name of `id`; the id may be handed out again. */
  remove(id: number): void {
    this.#ids.delete(this.names[id]);
    this.names[id] = "";
    this.keys[id] = "";
    this.#free.push(id);
  }

  /**
   * Makes room for `count` names at once (a load whose size is known): columns grown by doubling
   * leave each outgrown set behind in the allocator, which a process does not give back.
   */
  reserve(count: number): void {
    if (count > this.ord.length) this.#grow(2 ** Math.ceil(Math.log2(count)));
    this.#ids.reserve(count);
  }

  /**
   * Gives back the room the `names` and `keys` arrays grew into (an array grows by half again
   * when full: ~5 MiB of unused slots at a million names), after a bulk load. The arrays are
   * replaced by exact copies.
   */
  trim(): void {
    this.names = this.names.slice();
    this.keys = this.keys.slice();
    this.#ids.useNames(this.names);
  }

  #grow(capacity: number): void {
    const ord = new Float64Array(capacity);
    ord.set(this.ord);
    this.ord = ord;
    const keyLength = new Uint16Array(capacity);
    keyLength.set(this.keyLength);
    this.keyLength = keyLength;
    const nameLength = new Uint16Array(capacity);
    nameLength.set(this.nameLength);
    this.nameLength = nameLength;
    const views = new Uint8Array(capacity);
    views.set(this.views);
    this.views = views;
    const grow = (old: Int32Array) => {
      const fresh = new Int32Array(capacity);
      fresh.set(old);
      return fresh;
    };
    this.holders = grow(this.holders);
    this.holderXor = grow(this.holderXor);
    this.active = grow(this.active);
    this.activeXor = grow(this.activeXor);
  }
}
