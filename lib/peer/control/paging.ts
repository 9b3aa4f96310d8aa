/**
 * Following a paged v2 reply (`LIST`, `HOLDERS`) to its end, within limits. A tracker says how
 * many entries there are and the peer asks for pages until it has them; one that lies about the
 * total, or sends one entry a page, must not keep the peer asking, and collecting, forever.
 *
 * @module
 */

/** How far a peer follows one paged reply. */
export interface PagingLimits {
  readonly maxItems: number;
  readonly maxPages: number;
}

/**
 * What `lap`, `lpf` and `sch` collect at most: more names than anyone reads on a terminal, and
 * pages enough for them at 255-byte names (4 a page).
 */
export const LISTING_LIMITS: PagingLimits = { maxItems: 10_000, maxPages: 2_500 };

/** One page: its entries and the total the tracker claims. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
}

/** The entries collected, and how many more the tracker said it had. */
export interface Collected<T> {
  readonly items: T[];
  readonly omitted: number;
}

/**
 * Asks for pages from offset 0 until the claimed total is reached or a page comes back empty,
 * or `limits` are reached (then `omitted` is what the last page claimed beyond what was kept).
 *
 * @example
 * ```ts
 * import { collectPages } from "./paging.ts";
 * // A tracker that claims a million entries and sends one a page.
 * const liar = (offset: number) => Promise.resolve({ items: [offset], total: 1e6 });
 * const { items, omitted } = await collectPages(liar, { maxItems: 100, maxPages: 10 });
 * console.assert(items.length === 10 && omitted === 1e6 - 10);
 * ```
 */
export async function collectPages<T>(
  ask: (offset: number) => Promise<Page<T>>,
  limits: PagingLimits,
): Promise<Collected<T>> {
  const items: T[] = [];
  for (let pages = 1;; pages++) {
    const page = await ask(items.length);
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return { items, omitted: 0 };
    if (items.length >= limits.maxItems || pages >= limits.maxPages) {
      const kept = items.slice(0, limits.maxItems);
      return { items: kept, omitted: Math.max(0, page.total - kept.length) };
    }
  }
}
