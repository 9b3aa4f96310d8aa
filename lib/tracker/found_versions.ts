/**
 * The versions a v2 `FIND` reports of one file: its live holders' publications grouped by size
 * and digest (v1 holders, with neither, together), most holders first. Pure; `state.ts` picks the
 * holders.
 *
 * @module
 */

import { FOUND_DIGEST_HEX_DIGITS, type FoundVersion } from "../protocol/mod.ts";
import { MAX_FOUND_VERSIONS } from "./defaults.ts";
import type { FileMeta } from "./publications.ts";

/**
 * One version per distinct size and digest among `metas` (one per holder; `undefined` for a v1
 * holder), most holders first; among equals, versions with a digest before v1's, then by digest;
 * at most `MAX_FOUND_VERSIONS`.
 *
 * @example
 * ```ts
 * import { foundVersions } from "./found_versions.ts";
 * const meta = { size: 3, sha256: "ab".repeat(32) };
 * const versions = foundVersions([meta, undefined, meta]);
 * console.assert(versions[0].holders === 2 && versions[1].digestPrefix === undefined);
 * ```
 */
export function foundVersions(metas: Iterable<FileMeta | undefined>): FoundVersion[] {
  const byVersion = new Map<string, { size?: number; digestPrefix?: string; holders: number }>();
  for (const meta of metas) {
    const key = meta ? `${meta.size} ${meta.sha256}` : "";
    const version = byVersion.get(key);
    if (version) version.holders++;
    else {
      byVersion.set(
        key,
        meta
          ? {
            size: meta.size,
            digestPrefix: meta.sha256.slice(0, FOUND_DIGEST_HEX_DIGITS),
            holders: 1,
          }
          : { holders: 1 },
      );
    }
  }
  const rank = (v: FoundVersion) => v.digestPrefix ?? "~";
  return [...byVersion.values()]
    .sort((a, b) => b.holders - a.holders || (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0))
    .slice(0, MAX_FOUND_VERSIONS);
}
