/**
 * Builds list replies from names given one at a time, measuring only the names that can still
 * fit: a v1 list of at most 1024 bytes ending with `…and N more`, and a v2 page of one datagram.
 * The byte rules are those of `fitNameList` and `pageLength` in `lib/protocol/`, which the tests
 * hold these to.
 *
 * @module
 */

import {
  MAX_DATAGRAM_BYTES,
  type NameList,
  utf8Length,
  V1_MAX_REPLY_BYTES,
} from "../protocol/mod.ts";

/** The next name of a list in order, or `undefined` at its end. */
export type NextName = () => string | undefined;

const SEPARATOR_BYTES = 2; // ", "

function omittedItemBytes(count: number): number {
  // "…" is 3 bytes of UTF-8, then "and ", the digits and " more".
  return 3 + 4 + String(count).length + 5;
}

/**
 * The v1 list of a list of `total` names whose names come from `next` in order: as many leading
 * names as fit in `maxBytes` with a last item `…and N more` (N = `total` minus those kept), the
 * same answer `fitNameList` gives for the whole list. Pulls at most the names whose joined length
 * stays within `maxBytes`, plus one.
 *
 * When `next` ends before `total` names (a search that stopped at its cost cap), the names it gave
 * are kept as far as they fit, and N still counts every name left out.
 *
 * @example
 * ```ts
 * import { fitNames } from "./list_fit.ts";
 * import { formatNameList } from "../protocol/mod.ts";
 * const names = ["alpha", "bravo", "charlie", "delta"].values();
 * const list = fitNames(4, () => names.next().value, 24);
 * console.assert(formatNameList(list) === "alpha, \u2026and 3 more");
 * ```
 */
export function fitNames(total: number, next: NextName, maxBytes = V1_MAX_REPLY_BYTES): NameList {
  const names: string[] = [];
  const sizes: number[] = [];
  let joined = 0;
  while (names.length < total && joined <= maxBytes) {
    const name = next();
    if (name === undefined) break;
    const size = utf8Length(name);
    joined += (names.length > 0 ? SEPARATOR_BYTES : 0) + size;
    names.push(name);
    sizes.push(size);
  }
  if (names.length === total && joined <= maxBytes) return { names, omitted: 0 };
  // The prefix plus the "…and N more" item grows with every name kept, so the longest prefix
  // that fits is the first one that fits, going down.
  for (let kept = Math.min(names.length, total - 1); kept >= 0; kept--) {
    if (kept < names.length) {
      joined -= sizes[kept] + (kept > 0 ? SEPARATOR_BYTES : 0);
    }
    const tail = omittedItemBytes(total - kept) + (kept > 0 ? SEPARATOR_BYTES : 0);
    if (joined + tail <= maxBytes) return { names: names.slice(0, kept), omitted: total - kept };
  }
  return { names: [], omitted: total };
}

/**
 * The names of one v2 page: as many as fit in one datagram of `maxBytes` after a header of
 * `headerBytes`, each taking its UTF-8 length (or what `sizeOf` says its entry takes) plus one
 * separating space (as `pageLength`).
 * Pulls one name more than it returns, unless the list ends first.
 *
 * @example
 * ```ts
 * import { fillPage } from "./list_fit.ts";
 * const names = ["alpha", "bravo", "charlie"].values();
 * console.assert(fillPage(() => names.next().value, 4, 16).join() === "alpha,bravo");
 * ```
 */
export function fillPage(
  next: NextName,
  headerBytes: number,
  maxBytes = MAX_DATAGRAM_BYTES,
  sizeOf: (name: string) => number = utf8Length,
): string[] {
  const names: string[] = [];
  let used = headerBytes;
  for (let name = next(); name !== undefined; name = next()) {
    used += 1 + sizeOf(name);
    if (used > maxBytes) break;
    names.push(name);
  }
  return names;
}
