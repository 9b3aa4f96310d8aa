/**
 * The asker's share of a search's counters (issue 11): a count kept per gram or per query counts
 * every active name, and the names whose only active holder is the asker must come out of it for
 * that asker. This keeps what that takes per user: its keys joined (`own_keys.ts`), and for a big
 * holder its sole holdings by short gram (`gram_counts.ts`), up to date as names and holders
 * change (`index_core.ts` calls `changed` and `soleChanged`).
 *
 * @module
 */

import { forEachShortGram, shortGramCode } from "./grams.ts";
import { GramCounts } from "./gram_counts.ts";
import type { IndexUsers, SoleGrams, UserRecord } from "./index_users.ts";
import type { View } from "./index_view.ts";
import type { NameTable } from "./name_table.ts";
import { OwnKeys } from "./own_keys.ts";

/**
 * Users with at least this many publications ("big holders") keep two things up to date as their
 * names and holders change, so that no request has to read their names at random in the table
 * (~0.6 µs a name at a million names: 2.5 ms for a user of 4,000 names, more than a whole capped
 * walk; docs/tracker_index.md):
 * - per view, counts of the names they alone actively hold, in all and by unigram and bigram
 *   (`SoleGrams`): a 1–2-unit query takes the asker's own names out of its counter in a lookup.
 *   ~16 bytes per distinct gram of the user (~800 grams for 4,000 names: 13 KiB); ~50 updates
 *   when a name's only active holder changes.
 * - per view, their joined keys (`own_keys.ts`), for the longer queries' correction: ~1 byte per
 *   unit of their names (2 when one of them is beyond Latin-1) and 8 bytes a name.
 * Below it, the joined keys are built when the user asks and dropped when its names change (a
 * user of 255 names: ~0.15 ms). Both are dropped again below half this many.
 */
export const BIG_HOLDER_NAMES = 256;

/** The per-user state behind the asker's share, for one index's views. */
export class AskerShares {
  readonly #table: NameTable;
  readonly #views: readonly View[];
  readonly #users: IndexUsers;
  readonly #bigHolderFrom: number;

  constructor(table: NameTable, views: readonly View[], users: IndexUsers, bigHolderFrom: number) {
    this.#table = table;
    this.#views = views;
    this.#users = users;
    this.#bigHolderFrom = bigHolderFrom;
  }

  /**
   * A user's publications changed (its ids and per-view counts already are): a big holder's
   * joined keys follow, a small one's are stale. Called before the name's holders change (the new
   * name is not yet counted as the user's sole one) and while its key is in the table.
   */
  changed(record: UserRecord, id: number, delta: 1 | -1): void {
    const table = this.#table;
    const bits = table.views[id];
    const names = record.ids.size;
    if (record.soleGrams === undefined) {
      record.ownKeys = undefined;
      if (names >= this.#bigHolderFrom) this.#becameBig(record);
    } else if (names < this.#bigHolderFrom / 2) {
      record.soleGrams = undefined;
      record.ownKeys = undefined;
    } else {
      const own = record.ownKeys as OwnKeys[];
      for (const view of this.#views) {
        if ((bits & view.bit) === 0) continue;
        if (delta > 0) own[view.number].add(id, view.keys(table)[id]);
        else own[view.number].remove(id);
      }
    }
  }

  // Counts what a user that just reached `#bigHolderFrom` publications alone actively holds, and
  // joins its keys.
  #becameBig(record: UserRecord): void {
    record.soleGrams = this.#views.map(() => ({ total: 0, byGram: new GramCounts() }));
    record.ownKeys = this.#views.map((view) => this.#joinKeys(record, view));
    const { active, activeXor } = this.#table;
    const pull = record.ids.pull(0);
    for (let id = pull(); id !== undefined; id = pull()) {
      if (active[id] === 1 && activeXor[id] === record.number) this.#soleHolding(record, id, 1);
    }
  }

  #joinKeys(record: UserRecord, view: View): OwnKeys {
    const count = record.inView?.[view.number] ?? 0;
    const views = this.#table.views;
    const ids = count === record.ids.size
      ? record.ids
      : [...record.ids].filter((id) => (views[id] & view.bit) !== 0);
    return new OwnKeys(ids, view.keys(this.#table), count);
  }

  /** The user numbered `number` became (+1) or stopped being (-1) the only active holder of `id`. */
  soleChanged(number: number, id: number, delta: 1 | -1): void {
    const record = this.#users.recordOf(number);
    if (record?.soleGrams !== undefined) this.#soleHolding(record, id, delta);
  }

  #soleHolding(record: UserRecord, id: number, delta: 1 | -1): void {
    const table = this.#table;
    const bits = table.views[id];
    const sole = record.soleGrams as SoleGrams[];
    for (const view of this.#views) {
      if ((bits & view.bit) === 0) continue;
      const counts = sole[view.number];
      counts.total += delta;
      forEachShortGram(view.keys(table)[id], (code) => counts.byGram.add(code, delta));
    }
  }

  /**
   * Names of `view` containing `key` whose only active holder is the asker: in the counters, but
   * not for the asker. Looked up for a short key of a big holder, else counted in the asker's
   * joined keys (bounded by the per-user publication cap), joined first when they are not.
   */
  soleHoldings(view: View, key: string, record: UserRecord | undefined): number {
    if (record === undefined || !record.active) return 0;
    const grams = record.soleGrams?.[view.number];
    if (grams !== undefined && key.length < 3) {
      return key.length === 0 ? grams.total : grams.byGram.get(shortGramCode(key));
    }
    const own = record.ownKeys ??= [];
    const keys = own[view.number] ??= this.#joinKeys(record, view);
    const active = this.#table.active;
    return keys.countContaining(key, (id) => active[id] === 1);
  }
}
