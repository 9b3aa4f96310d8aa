/**
 * The count for one asker, walked, when that is cheaper than correcting a counter with the
 * asker's own names (issue 11: a request's cost must not follow the table or the asker's share).
 *
 * A count from a counter or a kept count includes the names whose only active holder is the
 * asker; taking those out means scanning the asker's joined keys (`own_keys.ts`), whose cost
 * follows the asker's publications (4,000 names for a user of a million-name index of 256 users)
 * and, after any change to them, rebuilding the joined string (~0.6 µs a name at a million names:
 * 2.5 ms). When the query's rarest trigram is in few names, walking the join for the asker costs
 * what that posting holds instead: the same for the same query whatever else the table or the
 * asker's share holds.
 *
 * @module
 */

import { trigramCode } from "./grams.ts";
import { type IndexParts, lister } from "./name_query.ts";

/**
 * A walk over a posting entry costs about what scanning this many of the asker's own joined
 * keys costs: an entry's name is read at random in the per-name columns (a cache miss at a
 * million names, ~100–200 ns), a key of ~40 units is scanned in order by `indexOf` (~10 ns).
 */
export const KEYS_PER_ENTRY = 16;

/**
 * Before its keys are joined (after any change to its publications), walking is preferred up to
 * this many posting entries per name of the asker: joining costs a few entries' walk per key
 * (~0.6 µs a key at a million names), but serves the asker's next requests too.
 */
export const ENTRIES_PER_UNJOINED_KEY = 1;

/** What the asker holds in the view, for weighing the walk against its own keys. */
export interface AskerShare {
  /** The asker's number (nonzero). */
  readonly number: number;
  /** Its publications in the view. */
  readonly names: number;
  /** Whether its joined keys are built (else a correction would build them first). */
  readonly keysBuilt: boolean;
}

/**
 * The number of names containing `key` (3 units or more) that an active user other than the
 * asker holds, by walking the join, when the rarest trigram's posting is small enough that
 * this costs less than the asker's own-keys correction, and the walk ends within `maxSteps`;
 * `undefined` otherwise (the caller then counts as usual).
 */
export function walkCountFor(
  parts: IndexParts,
  key: string,
  share: AskerShare,
  maxSteps: number,
): number | undefined {
  let rarest = Infinity;
  for (let offset = 0; offset + 3 <= key.length; offset++) {
    const size = parts.trigrams.get(trigramCode(key, offset))?.size ?? 0;
    if (size < rarest) rarest = size;
  }
  const correction = share.keysBuilt
    ? share.names / KEYS_PER_ENTRY
    : share.names * ENTRIES_PER_UNJOINED_KEY;
  if (rarest > correction) return undefined;
  const walk = lister(parts, { key, asker: share.number, afterLabel: 0, maxSteps });
  if (walk.countRest === undefined) return undefined;
  const count = walk.countRest();
  return walk.stopped === "end" ? count : undefined;
}
