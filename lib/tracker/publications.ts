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
import { DEFAULT_MAX_SEARCH_STEPS, type NameIndex, sharedIndexes } from "./name_index.ts";
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
  readonly #filesByUser = new Map<string, Map<string, FileMeta | undefined>>();
  // The holders of each name: the user itself while there is one (most names), a set from the
  // second on. A set per name cost ~250 bytes, a third of the tracker's memory at 1M names.
  readonly #holdersByFile = new Map<string, string | Set<string>>();
  readonly #index: NameIndex;
  readonly #spaced: NameIndex;
  readonly #folded: NameIndex;
  // Restored publications not yet in the index.
  #restored: { readonly file: string; readonly user: string }[] = [];

  constructor(options: PublicationsOptions = {}) {
    this.#maxPerUser = options.maxPerUser ?? MAX_PUBLICATIONS_PER_USER;
    const maxSteps = options.maxSearchSteps ?? DEFAULT_MAX_SEARCH_STEPS;
    [this.#index, this.#spaced, this.#folded] = sharedIndexes([
      { accepts: (name) => !hasSpace(name) },
      { accepts: hasSpace },
      { fold: foldCaseNfc },
    ], { maxSteps });
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
    const files = this.#filesByUser.get(user);
    if (files?.has(file)) {
      const before = files.get(file);
      files.set(file, meta);
      return sameMeta(before, meta) ? "unchanged" : "metaChanged";
    }
    if (!this.#add(user, file, meta)) return "overCap";
    this.flushRestored();
    this.#indexPublish(user, file);
    return "added";
  }

  /**
   * Puts back a publication kept from an earlier run, indexed later in one pass. False when the
   * user is at the cap or already publishes `file`.
   */
  restore(user: string, file: string, meta?: FileMeta): boolean {
    if (this.#filesByUser.get(user)?.has(file)) return false;
    if (!this.#add(user, file, meta)) return false;
    this.#restored.push({ file, user });
    return true;
  }

  /** Indexes the restored publications, in name order (every posting then only grows at its end). */
  flushRestored(): void {
    if (this.#restored.length === 0) return;
    const restored = this.#restored;
    this.#restored = [];
    restored.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    // A user marked active meanwhile is fine: the index counts a publication of an active user.
    for (const { user, file } of restored) this.#indexPublish(user, file);
  }

  // One call reaches the three views (`sharedIndexes`).
  #indexPublish(user: string, file: string): void {
    this.#folded.publish(user, file);
  }

  /** Withdraws a publication; false when `user` had not published `file`. */
  unpublish(user: string, file: string): boolean {
    const files = this.#filesByUser.get(user);
    if (!files?.has(file)) return false;
    this.flushRestored();
    this.#folded.unpublish(user, file);
    files.delete(file);
    if (files.size === 0) this.#filesByUser.delete(user);
    const holders = this.#holdersByFile.get(file) as string | Set<string>;
    if (typeof holders === "string") {
      this.#holdersByFile.delete(file);
    } else {
      holders.delete(user);
      if (holders.size === 1) this.#holdersByFile.set(file, holders.values().next().value!);
    }
    return true;
  }

  /** Withdraws every publication of `user`; returns how many went. */
  unpublishAll(user: string): number {
    const files = [...this.#filesByUser.get(user)?.keys() ?? []];
    for (const file of files) this.unpublish(user, file);
    return files.length;
  }

  /** Marks `user`'s publications as searchable (a session opened) or not (it ended). */
  setActive(user: string, active: boolean): void {
    this.#folded.setActive(user, active);
  }

  /** The users publishing `file`, live or not (no set when nobody does). */
  holdersOf(file: string): ReadonlySet<string> | undefined {
    const holders = this.#holdersByFile.get(file);
    return typeof holders === "string" ? new Set([holders]) : holders;
  }

  /** What `user` published with `file`. */
  metaOf(user: string, file: string): FileMeta | undefined {
    return this.#filesByUser.get(user)?.get(file);
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

  #add(user: string, file: string, meta: FileMeta | undefined): boolean {
    let files = this.#filesByUser.get(user);
    if (files === undefined) {
      files = new Map();
      this.#filesByUser.set(user, files);
    }
    if (files.size >= this.#maxPerUser) return false;
    files.set(file, meta);
    const holders = this.#holdersByFile.get(file);
    if (holders === undefined) this.#holdersByFile.set(file, user);
    else if (typeof holders !== "string") holders.add(user);
    else this.#holdersByFile.set(file, new Set([holders, user]));
    return true;
  }

  /** Publications held, counting each (user, name) once, live users or not: O(users). */
  get count(): number {
    let count = 0;
    for (const files of this.#filesByUser.values()) count += files.size;
    return count;
  }

  /** Distinct names published by anyone, live or not. */
  get nameCount(): number {
    return this.#holdersByFile.size;
  }

  /** Every published name with its holders, live or not (for the operator's status page). */
  *holdersByName(): IterableIterator<[string, ReadonlySet<string>]> {
    for (const [file, holders] of this.#holdersByFile) {
      yield [file, typeof holders === "string" ? new Set([holders]) : holders];
    }
  }
}
