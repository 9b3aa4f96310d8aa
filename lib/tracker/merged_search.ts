/**
 * Two indexes searched as one: v2 `FIND e` (exact) reads the names without a space and those
 * with one (`publications.ts` keeps them apart so that v1 never sees the second kind). Counts
 * add up; listings merge in code-unit order, each index walked as far as the merge pulls it.
 * Pure.
 *
 * @module
 */

import type { ListOptions, ListStop, NameIndex, SearchCount } from "./name_index.ts";
import type { Searchable } from "./search_pages.ts";

interface Lister {
  next(): string | undefined;
  readonly stopped: ListStop | undefined;
}

/**
 * The exact search over `plain` (names without a space) and `spaced` (names with one). A query
 * with a space can only match `spaced`.
 *
 * @example
 * ```ts
 * import { NameIndex } from "./name_index.ts";
 * import { MergedSearch } from "./merged_search.ts";
 * const plain = new NameIndex();
 * const spaced = new NameIndex();
 * for (const index of [plain, spaced]) index.setActive("bob", true);
 * plain.publish("bob", "report.pdf");
 * spaced.publish("bob", "my report.pdf");
 * const both = new MergedSearch(plain, spaced);
 * const found = both.list("report", { asker: "alice" });
 * console.assert(found.next() === "my report.pdf" && found.next() === "report.pdf");
 * ```
 */
export class MergedSearch implements Searchable {
  constructor(readonly plain: NameIndex, readonly spaced: NameIndex) {}

  count(query: string, asker?: string): SearchCount {
    const spaced = this.spaced.count(query, asker);
    if (query.includes(" ")) return spaced;
    const plain = this.plain.count(query, asker);
    if (plain.kind === "tooBroad" || spaced.kind === "tooBroad") {
      const atMost = (c: SearchCount) => c.kind === "exact" ? c.count : c.atMost;
      return { kind: "tooBroad", atMost: atMost(plain) + atMost(spaced) };
    }
    return { kind: "exact", count: plain.count + spaced.count };
  }

  list(query: string, options: ListOptions = {}): Lister {
    const spaced = this.spaced.list(query, options);
    if (query.includes(" ")) return spaced;
    return new MergeLister(this.plain.list(query, options), spaced);
  }
}

/** Two sorted listers as one; stops at a cap of either, since the capped one may have more. */
class MergeLister implements Lister {
  stopped: ListStop | undefined;
  #a: string | undefined;
  #b: string | undefined;

  constructor(readonly first: Lister, readonly second: Lister) {
    this.#a = first.next();
    this.#b = second.next();
  }

  next(): string | undefined {
    if (this.stopped) return undefined;
    const a = this.#a;
    const b = this.#b;
    if (
      (a === undefined && this.first.stopped === "cap") ||
      (b === undefined && this.second.stopped === "cap")
    ) {
      this.stopped = "cap";
      return undefined;
    }
    if (a === undefined && b === undefined) {
      this.stopped = "end";
      return undefined;
    }
    if (b === undefined || (a !== undefined && a < b)) {
      this.#a = this.first.next();
      return a;
    }
    this.#b = this.second.next();
    return b;
  }
}
