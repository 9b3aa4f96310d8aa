/**
 * `sch` replies built from the name index: the v1 list (exact count, then the names that fit),
 * and v2 pages, where a cursor remembered per asker and query lets page 2 continue after the last
 * name of page 1 instead of searching again and walking to its offset. Pure: time is injected.
 *
 * @module
 */

import { type NameList, V1_MAX_REPLY_BYTES } from "../protocol/mod.ts";
import { BoundedMap } from "./guard.ts";
import { fillPage, fitNames } from "./list_fit.ts";
import type { ListOptions, ListStop, NameIndex, SearchCount } from "./name_index.ts";

/**
 * What pages are read from: a {@linkcode NameIndex}, or several searched as one
 * (`merged_search.ts`).
 */
export interface Searchable {
  count(query: string, asker?: string): SearchCount;
  list(
    query: string,
    options?: ListOptions,
  ): { next(): string | undefined; readonly stopped: ListStop | undefined };
}

/** A search answered, or refused as costing more than the step cap allows. */
export type SearchReply<T> =
  | { readonly kind: "found"; readonly reply: T }
  | { readonly kind: "tooBroad"; readonly atMost: number };

/**
 * The v1 `sch` list: the names that fit in `maxBytes`, ending with `…and N more`, N exact.
 *
 * @example
 * ```ts
 * import { NameIndex } from "./name_index.ts";
 * import { searchNameList } from "./search_pages.ts";
 * const index = new NameIndex();
 * index.setActive("bob", true);
 * index.publish("bob", "notes.txt");
 * const found = searchNameList(index, "note", "alice");
 * console.assert(found.kind === "found" && found.reply.names[0] === "notes.txt");
 * ```
 */
export function searchNameList(
  index: NameIndex,
  query: string,
  asker: string,
  maxBytes = V1_MAX_REPLY_BYTES,
): SearchReply<NameList> {
  const count = index.count(query, asker);
  if (count.kind === "tooBroad") return count;
  const found = index.list(query, { asker });
  return { kind: "found", reply: fitNames(count.count, () => found.next(), maxBytes) };
}

/** One v2 page of a search. */
export interface SearchPage {
  readonly total: number;
  readonly offset: number;
  readonly names: readonly string[];
  /**
   * Why the page holds fewer names than fit, when it does: "cap" means the walk reached its step
   * cap (the next page continues after this one's last name).
   */
  readonly stopped?: ListStop;
}

/** Where v2 search pages continue from. */
export interface PageCursorsOptions {
  readonly now: () => number;
  /** How long a cursor is kept after its page (a peer asks for the next page at once). */
  readonly ttlMs?: number;
  /** Cursors kept at most; the least recently used goes first. */
  readonly capacity?: number;
}

interface Cursor {
  readonly nextOffset: number;
  readonly after: string;
  readonly total: number;
  readonly expiresAt: number;
}

/** Default lifetime of a search cursor. */
export const SEARCH_CURSOR_TTL_MS = 30_000;
/** Default number of search cursors kept. */
export const MAX_SEARCH_CURSORS = 4096;

/**
 * Cursors of v2 searches, one per asker and query: after a page from `offset` with `count` names,
 * the next request from `offset + count` continues after the page's last name, with the total
 * counted for the first page (so the pages of one listing agree with each other).
 */
export class PageCursors {
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #cursors: BoundedMap<string, Cursor>;

  constructor(options: PageCursorsOptions) {
    this.#now = options.now;
    this.#ttlMs = options.ttlMs ?? SEARCH_CURSOR_TTL_MS;
    this.#cursors = new BoundedMap(options.capacity ?? MAX_SEARCH_CURSORS);
  }

  /** Cursors held. */
  get size(): number {
    return this.#cursors.size;
  }

  /** The page of `query` from `offset` for `asker`; `session` tells askers' cursors apart. */
  page(
    index: Searchable,
    request: {
      readonly session: string;
      /** Tells apart cursors of different searches of one text (`SCH`, `FIND i`, `FIND e`). */
      readonly scope?: string;
      /** Bytes a name takes in the reply (default: its UTF-8 length). */
      readonly sizeOf?: (name: string) => number;
      readonly asker: string;
      readonly query: string;
      readonly offset: number;
      readonly headerBytes: number;
      readonly maxBytes?: number;
    },
  ): SearchReply<SearchPage> {
    const { asker, query, offset } = request;
    const key = `${request.session}\u0000${request.scope ?? ""}\u0000${query}`;
    const cursor = this.#cursors.get(key);
    let total: number;
    let list;
    if (cursor && cursor.nextOffset === offset && cursor.expiresAt >= this.#now()) {
      total = cursor.total;
      list = index.list(query, { asker, after: cursor.after });
    } else {
      const count = index.count(query, asker);
      if (count.kind === "tooBroad") return count;
      total = count.count;
      list = index.list(query, { asker });
      // No cursor for this offset (a peer that skips around): walk to it, within the step cap.
      for (let skipped = 0; skipped < offset && list.next() !== undefined; skipped++);
    }
    const names = fillPage(
      () => list.next(),
      request.headerBytes,
      request.maxBytes,
      request.sizeOf,
    );
    if (names.length > 0 && offset + names.length < total) {
      this.#cursors.set(key, {
        nextOffset: offset + names.length,
        after: names[names.length - 1],
        total,
        expiresAt: this.#now() + this.#ttlMs,
      });
    } else {
      this.#cursors.delete(key);
    }
    const page = { total, offset, names };
    return { kind: "found", reply: list.stopped ? { ...page, stopped: list.stopped } : page };
  }
}
