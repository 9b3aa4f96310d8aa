/**
 * Who holds each name of an index's table, active or not: what `get` and the status page read.
 * Most names have one holder, which the table's `holderXor` column gives (the XOR of the holders'
 * user numbers is the number of the only one); a set of user names is kept only from a name's
 * second holder on. Before this lived in the table, `Publications` kept a map of its own from
 * every name to its holders (~40 bytes a name, 1M names: ~40 MiB of heap).
 *
 * @module
 */

import type { IndexUsers } from "./index_users.ts";
import type { NameTable } from "./name_table.ts";

/**
 * The holders of every name of a table.
 *
 * @example
 * ```ts
 * import { IndexUsers } from "./index_users.ts";
 * import { NameHolders } from "./name_holders.ts";
 * import { NameTable } from "./name_table.ts";
 * const table = new NameTable();
 * const users = new IndexUsers((a, b) => a - b);
 * const holders = new NameHolders(table, users);
 * const id = table.add("a.txt", "a.txt");
 * holders.add(id, "bob", users.recordFor("bob").number);
 * console.assert(holders.has("a.txt", "bob") && [...holders.of("a.txt")!].join() === "bob");
 * ```
 */
export class NameHolders {
  readonly #table: NameTable;
  readonly #users: IndexUsers;
  // The holders of the names with two or more, by id.
  readonly #several = new Map<number, Set<string>>();

  constructor(table: NameTable, users: IndexUsers) {
    this.#table = table;
    this.#users = users;
  }

  /** `user` (record number `number`) now holds name `id`, which it did not. */
  add(id: number, user: string, number: number): void {
    const table = this.#table;
    const count = ++table.holders[id];
    if (count === 2) {
      this.#several.set(id, new Set([this.#users.nameOf(table.holderXor[id]), user]));
    } else if (count > 2) {
      (this.#several.get(id) as Set<string>).add(user);
    }
    table.holderXor[id] ^= number;
  }

  /** `user` (record number `number`) no longer holds name `id`; returns the holders left. */
  remove(id: number, user: string, number: number): number {
    const table = this.#table;
    const count = --table.holders[id];
    table.holderXor[id] ^= number;
    if (count === 1) this.#several.delete(id);
    else if (count > 1) (this.#several.get(id) as Set<string>).delete(user);
    return count;
  }

  /** Distinct names held. */
  get nameCount(): number {
    return this.#table.size;
  }

  /** Whether `user` holds `name`. */
  has(name: string, user: string): boolean {
    const table = this.#table;
    const id = table.idOf(name);
    if (id === undefined) return false;
    const count = table.holders[id];
    if (count === 1) return this.#users.nameOf(table.holderXor[id]) === user;
    return (this.#several.get(id) as Set<string>).has(user);
  }

  /** The holders of `name` (a set made for the call when there is one); none: `undefined`. */
  of(name: string): ReadonlySet<string> | undefined {
    const id = this.#table.idOf(name);
    return id === undefined ? undefined : this.#ofId(id);
  }

  /**
   * Every held name with its holders, in id order. Reads the table as it is at each step, so a
   * walk cut into slices (the status page's) may go on while the table changes.
   */
  *entries(): IterableIterator<[string, ReadonlySet<string>]> {
    const table = this.#table;
    for (let id = 0; id < table.capacity; id++) {
      if (table.holders[id] > 0) yield [table.names[id], this.#ofId(id)];
    }
  }

  #ofId(id: number): ReadonlySet<string> {
    const table = this.#table;
    if (table.holders[id] === 1) return new Set([this.#users.nameOf(table.holderXor[id])]);
    return this.#several.get(id) as Set<string>;
  }
}
