/**
 * The name index's state, shared by several search views (issue 11: memory). One name table, one
 * name order and one set of users serve every view; each view has its own postings, counters and
 * kept counts over the names it accepts, under its own searched form. The tracker keeps three
 * views — exact names without a space (v1), exact names with one, every name folded (v2 `FIND`) —
 * and before they shared this each kept its own name → id map, columns, order and per-user lists
 * (~100 bytes a name twice over).
 *
 * A view either searches the names themselves or, for at most one view, the table's folded keys
 * (`keys` in `name_table.ts`). Which views hold a name is a bit set per id (`table.views`). The
 * logic of each operation is the one `name_index.ts` describes; see docs/tracker_index.md.
 *
 * @module
 */

import {
  forEachShortGram,
  forEachTrigram,
  shortGramCode,
  shortGramsOfTrigram,
  trigramCode,
} from "./grams.ts";
import { walkCountFor } from "./asker_count.ts";
import { type ChunkOwner, ChunkPool } from "./chunk_pool.ts";
import { NameHolders } from "./name_holders.ts";
import { NameOrder } from "./name_order.ts";
import { View, type ViewSpec } from "./index_view.ts";
import { lister, type NameLister } from "./name_query.ts";
import { NameTable } from "./name_table.ts";
import { AskerShares, BIG_HOLDER_NAMES } from "./asker_shares.ts";
import { IndexUsers, type UserRecord } from "./index_users.ts";
import { MAX_POSTING_ID, Posting } from "./posting.ts";
import type { ListFrom } from "./sorted_view.ts";
import type { IndexStats, ListOptions, NameIndexOptions, SearchCount } from "./name_index.ts";

/**
 * Walk steps one count or one listing may take by default. A step is an entry stepped onto or a
 * seek, plus what a seek reads (`seekCost`, `missCost` in `posting_cursor.ts`) and 8 per name read, so
 * that a step costs about the same time whatever the walk does: 40–110 ns each on a million names
 * here with cold caches, ~2–5 ms for the whole cap (docs/tracker_index.md).
 */
export const DEFAULT_MAX_SEARCH_STEPS = 50_000;

/** Views one table can serve (`table.views` is a byte per name). */
const MAX_VIEWS = 8;

/** The shared state of a family of `NameIndex` views (see `name_index.ts` for the semantics). */
export class IndexCore {
  readonly #table = new NameTable();
  readonly #pool = new ChunkPool();
  readonly #order = new NameOrder(this.#table, this.#pool);
  readonly #users: IndexUsers;
  readonly #holders: NameHolders;
  readonly #views: View[];
  readonly #fold: ((text: string) => string) | undefined;
  readonly #maxSteps: number;
  readonly #shares: AskerShares;

  constructor(specs: readonly ViewSpec[], options: NameIndexOptions = {}) {
    const byName = (a: number, b: number) => this.#table.ord[a] - this.#table.ord[b];
    this.#users = new IndexUsers(byName, options.isActive, this.#pool);
    this.#holders = new NameHolders(this.#table, this.#users);
    const folds = specs.filter((spec) => spec.fold !== undefined);
    if (specs.length === 0 || specs.length > MAX_VIEWS || folds.length > 1) {
      throw new RangeError("an index has 1–8 views, at most one of them folding");
    }
    this.#fold = folds[0]?.fold;
    this.#maxSteps = options.maxSteps ?? DEFAULT_MAX_SEARCH_STEPS;
    this.#views = specs.map((spec, i) =>
      new View(i, spec, this.#table, this.#order, this.#pool, options)
    );
    this.#shares = new AskerShares(
      this.#table,
      this.#views,
      this.#users,
      options.bigHolderFrom ?? BIG_HOLDER_NAMES,
    );
  }

  /** Distinct names view `v` holds. */
  size(v: number): number {
    return this.#views[v].size;
  }

  isPublished(name: string, v: number): boolean {
    const id = this.#table.idOf(name);
    return id !== undefined && (this.#table.views[id] & this.#views[v].bit) !== 0;
  }

  isActive(user: string): boolean {
    return this.#users.isActive(user);
  }

  publish(user: string, name: string): boolean {
    const record = this.#users.recordFor(user);
    const id = this.#table.idOf(name) ?? this.#addName(name);
    if (!record.ids.add(id)) return false;
    this.#changed(record, id, 1);
    this.#holders.add(id, user, record.number);
    if (record.active) this.#holderJoins(id, record.number);
    return true;
  }

  unpublish(user: string, name: string): boolean {
    const record = this.#users.get(user);
    const id = this.#table.idOf(name);
    if (record === undefined || id === undefined || !record.ids.delete(id)) return false;
    this.#changed(record, id, -1);
    if (record.active) this.#holderLeaves(id, record.number);
    if (this.#holders.remove(id, user, record.number) === 0) this.#removeName(id);
    this.#users.releaseIfEmpty(user, record);
    return true;
  }

  setActive(user: string, active: boolean): void {
    const record = this.#users.get(user);
    if (record === undefined) return this.#users.markIdle(user, active);
    if (record.active === active) return;
    record.active = active;
    for (const id of record.ids) {
      if (active) this.#holderJoins(id, record.number);
      else this.#holderLeaves(id, record.number);
    }
  }

  /** Makes room for `names` more names in the table (a load whose size is known). */
  reserve(names: number): void {
    this.#table.reserve(this.#table.size + names);
  }

  /**
   * Packs the chunks of the postings, the name order and the users' publication lists
   * (`ChunkPool.repack`) and the table's name arrays: after a bulk load, when most of them will
   * not change soon. Costs a copy of them (~0.1 s at a million names), no second copy held.
   */
  compact(): void {
    this.#table.trim();
    const owners: ChunkOwner[] = [this.#order.view];
    for (const record of this.#users.records()) owners.push(record.ids);
    for (const view of this.#views) {
      owners.push(view.shortKeys);
      for (const posting of view.trigrams.values()) owners.push(posting);
    }
    this.#pool.repack(owners);
  }

  /** Who publishes each name, active or not. */
  get holders(): NameHolders {
    return this.#holders;
  }

  publishedCount(user: string, v: number): number {
    return this.#users.get(user)?.inView?.[v] ?? 0;
  }

  published(user: string, offset: number, v: number): ListFrom<string> {
    const record = this.#users.get(user);
    const total = record?.inView?.[v] ?? 0;
    if (record === undefined || total === 0) return { total: 0, next: () => undefined };
    const names = this.#table.names;
    if (total === record.ids.size) {
      const pull = record.ids.pull(offset);
      return {
        total,
        next: () => {
          const id = pull();
          return id === undefined ? undefined : names[id];
        },
      };
    }
    // The user holds names of other views too: skip them (a walk over the user's publications,
    // which the per-user cap bounds; most users publish into one view only).
    const views = this.#table.views;
    const bit = this.#views[v].bit;
    const pull = record.ids.pull(0);
    let skip = offset;
    return {
      total,
      next: () => {
        for (;;) {
          const id = pull();
          if (id === undefined) return undefined;
          if ((views[id] & bit) === 0) continue;
          if (skip > 0) skip--;
          else return names[id];
        }
      },
    };
  }

  count(query: string, asker: string | undefined, v: number): SearchCount {
    const view = this.#views[v];
    const key = view.fold === undefined ? query : view.fold(query);
    const record = asker === undefined ? undefined : this.#users.get(asker);
    if (key.length >= 3 && record?.active) {
      // A rare query: walking it for the asker costs less than the asker's own-keys correction.
      const share = {
        number: record.number,
        names: record.inView?.[v] ?? 0,
        keysBuilt: record.ownKeys?.[v] !== undefined,
      };
      const walked = walkCountFor(view.parts, key, share, this.#maxSteps);
      if (walked !== undefined) return { kind: "exact", count: walked };
    }
    let count: number;
    if (key.length === 0) count = view.activeNames;
    else if (key.length < 3) count = view.shortActive.get(shortGramCode(key)) ?? 0;
    else if (key.length === 3) count = view.trigrams.get(trigramCode(key, 0))?.active ?? 0;
    else return this.#countByWalking(view, key, record);
    return { kind: "exact", count: count - this.#shares.soleHoldings(view, key, record) };
  }

  list(query: string, options: ListOptions, v: number): NameLister {
    const view = this.#views[v];
    const record = options.asker === undefined ? undefined : this.#users.get(options.asker);
    return lister(view.parts, {
      key: view.fold === undefined ? query : view.fold(query),
      asker: record?.number ?? 0,
      afterLabel: options.after === undefined ? 0 : this.#order.labelAfter(options.after),
      maxSteps: options.maxSteps ?? this.#maxSteps,
    });
  }

  stats(v: number): IndexStats {
    const view = this.#views[v];
    let postingEntries = 0;
    let postingCapacity = 0;
    let chunks = 0;
    for (const posting of view.trigrams.values()) {
      postingEntries += posting.size;
      chunks += posting.chunks.length;
      for (const chunk of posting.chunks) postingCapacity += chunk.length;
    }
    return {
      names: view.size,
      trigrams: view.trigrams.size,
      postingEntries,
      postingCapacity,
      chunks,
      relabels: this.#order.relabels,
    };
  }

  // A user's publications changed: its per-view counts move, and its share (`asker_shares.ts`).
  // Called before the name's holders change and while its key is in the table.
  #changed(record: UserRecord, id: number, delta: 1 | -1): void {
    const inView = record.inView ??= new Array<number>(this.#views.length).fill(0);
    const bits = this.#table.views[id];
    for (const view of this.#views) if (bits & view.bit) inView[view.number] += delta;
    this.#shares.changed(record, id, delta);
  }

  #countByWalking(view: View, key: string, record: UserRecord | undefined): SearchCount {
    let atMost = Infinity;
    for (let i = 0; i + 3 <= key.length; i++) {
      const posting = view.trigrams.get(trigramCode(key, i));
      if (posting === undefined) return { kind: "exact", count: 0 };
      atMost = Math.min(atMost, posting.active);
    }
    // A walk from the start gives the count whole, and tallies the asker's sole holdings on the
    // way: then its own keys are not scanned (nor joined first: 2.5 ms for 3,906 names at 1M).
    const soleOf = record?.active ? record.number : 0;
    let fromStart: NameLister | undefined;
    const count = view.broad.count(key, (resumeFrom, maxSteps) => {
      const walk = lister(view.parts, {
        key,
        asker: 0,
        afterLabel: resumeFrom === undefined ? 0 : this.#order.labelBefore(resumeFrom),
        maxSteps,
        soleOf: resumeFrom === undefined ? soleOf : 0,
      });
      if (resumeFrom === undefined) fromStart = walk;
      return walk;
    }, this.#maxSteps);
    if (count === undefined) return { kind: "tooBroad", atMost };
    const sole = soleOf !== 0 && fromStart?.stopped === "end" && fromStart.soleCount !== undefined
      ? fromStart.soleCount
      : this.#shares.soleHoldings(view, key, record);
    return { kind: "exact", count: count - sole };
  }

  #addName(name: string): number {
    const table = this.#table;
    if (table.capacity > MAX_POSTING_ID) throw new RangeError("too many names to index");
    const folded = this.#fold === undefined ? name : this.#fold(name);
    // Most names fold to themselves: keep one string, not an equal copy per name.
    const id = table.add(name, folded === name ? name : folded);
    let bits = 0;
    for (const view of this.#views) if (view.accepts?.(name) ?? true) bits |= view.bit;
    table.views[id] = bits;
    this.#order.insert(id);
    const ord = table.ord;
    for (const view of this.#views) {
      if ((bits & view.bit) === 0) continue;
      view.size++;
      const key = view.keys(table)[id];
      forEachTrigram(key, (code, mask) => {
        let posting = view.trigrams.get(code);
        if (posting === undefined) {
          posting = new Posting(code, this.#pool);
          view.trigrams.set(code, posting);
          for (const short of shortGramsOfTrigram(code)) {
            let set = view.postingsWith.get(short);
            if (set === undefined) view.postingsWith.set(short, set = new Set());
            set.add(posting);
          }
        }
        posting.insert(id, mask, ord);
      });
      if (key.length > 0 && key.length < 3) view.shortKeys.insert(id, 0, ord);
    }
    return id;
  }

  #removeName(id: number): void {
    const table = this.#table;
    const ord = table.ord;
    const bits = table.views[id];
    for (const view of this.#views) {
      if ((bits & view.bit) === 0) continue;
      view.size--;
      const key = view.keys(table)[id];
      forEachTrigram(key, (code) => {
        const posting = view.trigrams.get(code) as Posting;
        posting.remove(id, ord);
        if (posting.size === 0) {
          view.trigrams.delete(code);
          for (const short of shortGramsOfTrigram(code)) {
            const set = view.postingsWith.get(short) as Set<Posting>;
            set.delete(posting);
            if (set.size === 0) view.postingsWith.delete(short);
          }
        }
      });
      if (key.length > 0 && key.length < 3) view.shortKeys.remove(id, ord);
    }
    this.#order.delete(id);
    table.remove(id);
  }

  #holderJoins(id: number, number: number): void {
    const table = this.#table;
    const before = table.active[id];
    if (before === 1) this.#shares.soleChanged(table.activeXor[id], id, -1);
    table.activeXor[id] ^= number;
    table.active[id] = before + 1;
    if (before === 0) {
      this.#nameCounts(id, 1);
      this.#shares.soleChanged(number, id, 1);
    }
  }

  #holderLeaves(id: number, number: number): void {
    const table = this.#table;
    const before = table.active[id];
    table.activeXor[id] ^= number;
    table.active[id] = before - 1;
    if (before === 1) {
      this.#shares.soleChanged(number, id, -1);
      this.#nameCounts(id, -1);
    } else if (before === 2) this.#shares.soleChanged(table.activeXor[id], id, 1);
  }

  // A name gained its first active holder (+1) or lost its last (-1): every counter of its grams,
  // in every view holding it.
  #nameCounts(id: number, delta: 1 | -1): void {
    const table = this.#table;
    const bits = table.views[id];
    const name = table.names[id];
    for (const view of this.#views) {
      if ((bits & view.bit) === 0) continue;
      const key = view.keys(table)[id];
      view.activeNames += delta;
      view.broad.changed(name, key, delta);
      forEachTrigram(key, (code) => {
        (view.trigrams.get(code) as Posting).active += delta;
      });
      const counters = view.shortActive;
      forEachShortGram(key, (code) => {
        const count = (counters.get(code) ?? 0) + delta;
        if (count === 0) counters.delete(code);
        else counters.set(code, count);
      });
    }
  }
}
