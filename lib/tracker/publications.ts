/**
 * Who publishes what: each user's publications with what they said of them (v2 size and digest),
 * the holders of each name, and the name index (`name_index.ts`) that answers `sch` and `lpf`
 * from structures kept in step with every change. Pure: sessions, liveness and the journal are
 * the state's (`state.ts`); this module only hears which users are active.
 *
 * Three indexes share the work (issue 13): `index`, the exact names without a space — all that v1
 * and the older v2 `SCH`/`LPF` may ever list —, `spaced`, the exact names with a space (v2 only),
 * and `folded`, every name under NFC case folding (v2 `FIND`, and `OWN`). A name is in `folded`
 * and in one of the other two. They are views of one shared index (`sharedIndexes`): one table of
 * names, one order and one set of per-user lists, told once of each change.
 *
 * Publications restored at start-up (`restore`) are indexed in one pass, in name order, when the
 * index is first needed or `flushRestored` is called: placed one by one in arrival order a
 * million names cost ~80 s (each lands in the middle of ~25 posting lists), in name order every
 * placement is an append.
 *
 * @module
 */

import { MAX_PUBLICATIONS_PER_USER } from "./defaults.ts";
import { hasSpace } from "../protocol/mod.ts";
import { foldCaseNfc } from "./grams.ts";
import type { TurnTaker } from "../util/mod.ts";
import { IndexCore } from "./index_core.ts";
import { DEFAULT_MAX_SEARCH_STEPS, NameIndex } from "./name_index.ts";
import type { ListFrom } from "./sorted_view.ts";

/** What a holder published along with a file name (v2 only). */
export interface FileMeta {
  readonly size: number;
  readonly sha256: string;
}

/** How {@linkcode Publications} are kept. */
export interface PublicationsOptions {
  readonly maxPerUser?: number;
  /** Most walk steps one search count or listing may take (`NameIndexOptions.maxSteps`). */
  readonly maxSearchSteps?: number;
  /** Whether a user is active, if the owner knows (`IndexCoreOptions.isActive`). */
  readonly isActive?: (user: string) => boolean;
}

const sameMeta = (a: FileMeta | undefined, b: FileMeta | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.size === b.size && a.sha256 === b.sha256);

/** Whether a publish changed anything the journal must keep. */
export type PublishResult = "added" | "metaChanged" | "unchanged" | "overCap";

/** What operators read of the publications: counts, and the whole table to walk. */
export interface PublicationFigures {
  readonly count: number;
  readonly nameCount: number;
  holdersByName(): IterableIterator<[string, ReadonlySet<string>]>;
}

/**
 * The publications of every user, indexed.
 *
 * @example
 * ```ts
 * import { Publications } from "./publications.ts";
 * const publications = new Publications();
 * publications.setActive("bob", true);
 * publications.publish("bob", "notes.txt");
 * console.assert(publications.index.count("note", "alice").kind === "exact");
 * ```
 */
export class Publications implements PublicationFigures {
  readonly #maxPerUser: number;
  // Who publishes what is the shared index's: its table answers a name's holders and its users
  // their publications (a map per name and one per user here cost ~80 bytes a name).
  readonly #core: IndexCore;
  // The meta of the publications that came with one (v2), by user and name.
  readonly #metaByUser = new Map<string, Map<string, FileMeta>>();
  readonly #index: NameIndex;
  readonly #spaced: NameIndex;
  readonly #folded: NameIndex;
  #count = 0;
  // Restored publications not yet in the index, by user.
  #restored = new Map<string, Set<string>>();

  constructor(options: PublicationsOptions = {}) {
    this.#maxPerUser = options.maxPerUser ?? MAX_PUBLICATIONS_PER_USER;
    const maxSteps = options.maxSearchSteps ?? DEFAULT_MAX_SEARCH_STEPS;
    const core = this.#core = new IndexCore([
      { accepts: (name) => !hasSpace(name) },
      { accepts: hasSpace },
      { fold: foldCaseNfc },
    ], { maxSteps, isActive: options.isActive });
    [this.#index, this.#spaced, this.#folded] = [0, 1, 2].map((view) =>
      new NameIndex({ maxSteps }, { core, view })
    );
  }

  /**
   * The exact index of the names without a space (what v1 may see), with every restored
   * publication in it.
   */
  get index(): NameIndex {
    this.flushRestored();
    return this.#index;
  }

  /** The exact index of the names with a space (v2 only). */
  get spacedIndex(): NameIndex {
    this.flushRestored();
    return this.#spaced;
  }

  /** Every name, NFC case-folded (v2 `FIND` by default, and `OWN`). */
  get foldedIndex(): NameIndex {
    this.flushRestored();
    return this.#folded;
  }

  /** Publishes `file` for `user`; publishing again replaces the meta. */
  publish(user: string, file: string, meta?: FileMeta): PublishResult {
    this.flushRestored();
    if (this.#core.holders.has(file, user)) {
      const before = this.metaOf(user, file);
      this.#setMeta(user, file, meta);
      return sameMeta(before, meta) ? "unchanged" : "metaChanged";
    }
    if (this.#folded.publishedCount(user) >= this.#maxPerUser) return "overCap";
    // One call reaches the three views.
    this.#core.publish(user, file);
    this.#setMeta(user, file, meta);
    this.#count++;
    return "added";
  }

  /**
   * Puts back a publication kept from an earlier run, indexed later in one pass. False when the
   * user is at the cap or already publishes `file`.
   */
  restore(user: string, file: string, meta?: FileMeta): boolean {
    let files = this.#restored.get(user);
    if (files?.has(file) || this.#core.holders.has(file, user)) return false;
    if ((files?.size ?? 0) + this.#folded.publishedCount(user) >= this.#maxPerUser) return false;
    if (files === undefined) this.#restored.set(user, files = new Set());
    files.add(file);
    this.#setMeta(user, file, meta);
    this.#count++;
    return true;
  }

  /** Indexes the restored publications, in name order (every posting then only grows at its end). */
  flushRestored(): void {
    const restored = this.#takeRestored();
    if (restored === undefined) return;
    for (const i of restored.order) this.#core.publish(restored.users[i], restored.files[i]);
    // A load in name order leaves each posting's last chunk about half empty: pack them.
    this.#core.compact();
  }

  /**
   * {@linkcode flushRestored}, giving the event loop a turn now and then (a million names take
   * seconds). Once `turns` rejects (a stop at start), the rest are dropped unindexed: the state
   * is then only fit to be thrown away.
   */
  async flushRestoredInTurns(turns: TurnTaker): Promise<void> {
    const restored = this.#takeRestored();
    if (restored === undefined) return;
    for (const i of restored.order) {
      this.#core.publish(restored.users[i], restored.files[i]);
      if (turns.due()) await turns.turn();
    }
    this.#core.compact();
  }

  /** The restored publications as two flat arrays and their name order, reserved in the index. */
  #takeRestored():
    | { readonly files: string[]; readonly users: string[]; readonly order: Uint32Array }
    | undefined {
    if (this.#restored.size === 0) return undefined;
    const restored = this.#restored;
    this.#restored = new Map();
    // Two flat arrays and an order, not an object per publication: a million of those, left
    // behind in the heap's pages among the names, kept the heap large after the load.
    const files: string[] = [];
    const users: string[] = [];
    for (const [user, set] of restored) {
      for (const file of set) {
        files.push(file);
        users.push(user);
      }
      restored.delete(user);
    }
    const order = new Uint32Array(files.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => (files[a] < files[b] ? -1 : files[a] > files[b] ? 1 : 0));
    let distinct = 0;
    for (let k = 0; k < order.length; k++) {
      if (k === 0 || files[order[k]] !== files[order[k - 1]]) distinct++;
    }
    this.#core.reserve(distinct);
    // A user marked active meanwhile is fine: the index counts a publication of an active user.
    return { files, users, order };
  }

  /** Withdraws a publication; false when `user` had not published `file`. */
  unpublish(user: string, file: string): boolean {
    this.flushRestored();
    if (!this.#core.unpublish(user, file)) return false;
    this.#setMeta(user, file, undefined);
    this.#count--;
    return true;
  }

  /** Withdraws every publication of `user`; returns how many went. */
  unpublishAll(user: string): number {
    const files: string[] = [];
    const all = this.allPublishedFrom(user);
    for (let file = all.next(); file !== undefined; file = all.next()) files.push(file);
    for (const file of files) this.unpublish(user, file);
    return files.length;
  }

  /** Marks `user`'s publications as searchable (a session opened) or not (it ended). */
  setActive(user: string, active: boolean): void {
    this.#core.setActive(user, active);
  }

  /** The users publishing `file`, live or not (no set when nobody does). */
  holdersOf(file: string): ReadonlySet<string> | undefined {
    this.flushRestored();
    return this.#core.holders.of(file);
  }

  /** What `user` published with `file`. */
  metaOf(user: string, file: string): FileMeta | undefined {
    return this.#metaByUser.get(user)?.get(file);
  }

  /**
   * `user`'s publications without a space, in code-unit order from the `offset`-th on (v1 `lpf`
   * and v2 `LPF`, whose peers cannot read a name with a space).
   */
  publishedFrom(user: string, offset = 0): ListFrom<string> {
    return this.index.published(user, offset);
  }

  /** Every publication of `user`, names with spaces too, in code-unit order (v2 `OWN`). */
  allPublishedFrom(user: string, offset = 0): ListFrom<string> {
    return this.foldedIndex.published(user, offset);
  }

  #setMeta(user: string, file: string, meta: FileMeta | undefined): void {
    let metas = this.#metaByUser.get(user);
    if (meta !== undefined) {
      if (metas === undefined) this.#metaByUser.set(user, metas = new Map());
      metas.set(file, meta);
    } else if (metas?.delete(file) && metas.size === 0) {
      this.#metaByUser.delete(user);
    }
  }

  /** Publications held, counting each (user, name) once, live users or not. */
  get count(): number {
    return this.#count;
  }

  /** Distinct names published by anyone, live or not. */
  get nameCount(): number {
    this.flushRestored();
    return this.#core.holders.nameCount;
  }

  /** Every published name with its holders, live or not (for the operator's status page). */
  holdersByName(): IterableIterator<[string, ReadonlySet<string>]> {
    this.flushRestored();
    return this.#core.holders.entries();
  }
}
