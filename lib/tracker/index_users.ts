/**
 * The users a name index knows: a record (a number, its publications in name order, its joined
 * keys) for each user with at least one publication in the index, and only the name of an active
 * user with none. Most sessions publish nothing in a given index (the `spaced` one above all), and
 * a record with its ordered view cost ~200 bytes per session in each of the tracker's three
 * indexes; a name in a set costs a tenth of that. When the owner already knows who is active (the
 * tracker's sessions by user), it passes that in and no set is kept at all (~15 bytes a session).
 *
 * @module
 */

import type { GramCounts } from "./gram_counts.ts";
import type { OwnKeys } from "./own_keys.ts";
import { ChunkPool } from "./chunk_pool.ts";
import { SortedIds } from "./sorted_ids.ts";
import type { Compare } from "./sorted_view.ts";

/** What the index keeps of a user with publications. */
export interface UserRecord {
  /** Small and distinct among the users with records (see `activeXor` in `name_table.ts`). */
  readonly number: number;
  active: boolean;
  /** Ids of the user's publications, in name order. */
  readonly ids: SortedIds;
  /**
   * The user's keys joined, per view (see `index_core.ts`), built when it asks and dropped when
   * its publications change.
   */
  ownKeys?: (OwnKeys | undefined)[];
  /** How many of the user's publications each view holds. */
  inView?: number[];
  /**
   * For a user with many publications, per view: how many of its names it alone actively holds,
   * in all and by each unigram and bigram of their keys (kept up to date by `index_core.ts`).
   */
  soleGrams?: SoleGrams[];
}

/** The names a user alone actively holds in one view: how many, and by short gram. */
export interface SoleGrams {
  total: number;
  readonly byGram: GramCounts;
}

/**
 * Users by name.
 *
 * @example
 * ```ts
 * import { IndexUsers } from "./index_users.ts";
 * const users = new IndexUsers((a, b) => a - b);
 * users.markIdle("bob", true);
 * console.assert(users.isActive("bob") && users.get("bob") === undefined);
 * const record = users.recordFor("bob");
 * console.assert(record.active && record.number === 1);
 * ```
 */
export class IndexUsers {
  readonly #records = new Map<string, UserRecord>();
  // Active users without a record.
  readonly #idle = new Set<string>();
  readonly #freeNumbers: number[] = [];
  // The user of each number in use, and its record.
  readonly #byNumber: string[] = [];
  readonly #recordByNumber: (UserRecord | undefined)[] = [];
  #nextNumber = 1;
  readonly #compare: Compare<number>;
  readonly #isActive: ((user: string) => boolean) | undefined;
  readonly #pool: ChunkPool;

  /**
   * `compare` orders publication ids by name (the index's order labels). `isActive`, when given,
   * says whether a user without a record is active, and `markIdle` is then not needed. The
   * publication lists' chunks come from `pool` (the index's, so they are packed with it).
   */
  constructor(
    compare: Compare<number>,
    isActive?: (user: string) => boolean,
    pool: ChunkPool = new ChunkPool(),
  ) {
    this.#compare = compare;
    this.#isActive = isActive;
    this.#pool = pool;
  }

  /** The records, for packing their publication lists. */
  records(): IterableIterator<UserRecord> {
    return this.#records.values();
  }

  /** The record of `user`, if it publishes anything here. */
  get(user: string): UserRecord | undefined {
    return this.#records.get(user);
  }

  /** The user whose record has `number` (numbers are reused once a record is dropped). */
  nameOf(number: number): string {
    return this.#byNumber[number];
  }

  /** The record holding `number`, if any. */
  recordOf(number: number): UserRecord | undefined {
    return this.#recordByNumber[number];
  }

  /** Whether `user` is marked active. */
  isActive(user: string): boolean {
    return this.#records.get(user)?.active ?? this.#idleIsActive(user);
  }

  /** Marks a user without a record active or not. */
  markIdle(user: string, active: boolean): void {
    if (this.#isActive !== undefined) return;
    if (active) this.#idle.add(user);
    else this.#idle.delete(user);
  }

  /** The record of `user`, made (as active as the user is) for its first publication. */
  recordFor(user: string): UserRecord {
    let record = this.#records.get(user);
    if (record === undefined) {
      record = {
        number: this.#freeNumbers.pop() ?? this.#nextNumber++,
        active: this.#isActive?.(user) ?? this.#idle.delete(user),
        ids: new SortedIds(this.#compare, this.#pool),
      };
      this.#records.set(user, record);
      this.#byNumber[record.number] = user;
      this.#recordByNumber[record.number] = record;
    }
    return record;
  }

  /** Drops the record of a user whose last publication went; an active one stays active. */
  releaseIfEmpty(user: string, record: UserRecord): void {
    if (record.ids.size > 0) return;
    // The user holds no name, so its number is in no name's XOR: it can be handed out again.
    this.#records.delete(user);
    this.#freeNumbers.push(record.number);
    this.#byNumber[record.number] = "";
    this.#recordByNumber[record.number] = undefined;
    if (record.active && this.#isActive === undefined) this.#idle.add(user);
  }

  #idleIsActive(user: string): boolean {
    return this.#isActive?.(user) ?? this.#idle.has(user);
  }
}
