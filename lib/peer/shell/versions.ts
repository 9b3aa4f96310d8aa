/**
 * Names with several versions, as the shell shows them and lets the user choose (issue 13):
 * search results with size and holder count, numbered versions when one name has several, and
 * `get -v N|DIGEST` picking one of a `GET`'s holders. Numbering is the tracker's `FIND` order —
 * most holders first, then by digest, v1 holders (no digest) last — so the number `sch` shows is
 * the one `get -v` takes. Pure.
 *
 * @module
 */

import type { FoundName, FoundVersion, Holder } from "../../protocol/mod.ts";
import { formatBytes } from "../../util/mod.ts";
import type { VersionChoice } from "./commands.ts";
import { showName } from "./words.ts";

/** One version of a name among a `GET`'s holders. */
export interface HolderVersion {
  readonly size?: number;
  readonly sha256?: string;
  readonly holders: readonly Holder[];
}

const rank = (digest: string | undefined) => digest ?? "~"; // after every hex digest

/**
 * The versions among `holders`, numbered as `sch` shows them (index 0 is version 1).
 *
 * @example
 * ```ts
 * import { holderVersions } from "./versions.ts";
 * const versions = holderVersions([
 *   { user: "a", host: "::1", port: 1, size: 3, sha256: "b".repeat(64) },
 *   { user: "b", host: "::1", port: 2, size: 3, sha256: "a".repeat(64) },
 *   { user: "c", host: "::1", port: 3, size: 3, sha256: "b".repeat(64) },
 * ]);
 * console.assert(versions.length === 2 && versions[0].holders.length === 2);
 * ```
 */
export function holderVersions(holders: readonly Holder[]): HolderVersion[] {
  const byKey = new Map<string, { size?: number; sha256?: string; holders: Holder[] }>();
  for (const holder of holders) {
    const key = holder.sha256 === undefined ? "" : `${holder.size} ${holder.sha256}`;
    let version = byKey.get(key);
    if (version === undefined) {
      version = holder.sha256 === undefined
        ? { holders: [] }
        : { size: holder.size, sha256: holder.sha256, holders: [] };
      byKey.set(key, version);
    }
    version.holders.push(holder);
  }
  return [...byKey.values()].sort((a, b) =>
    b.holders.length - a.holders.length ||
    (rank(a.sha256) < rank(b.sha256) ? -1 : rank(a.sha256) > rank(b.sha256) ? 1 : 0)
  );
}

/** The version `choice` names, or why none does. */
export function chooseVersion(
  versions: readonly HolderVersion[],
  choice: VersionChoice,
): { readonly ok: true; readonly version: HolderVersion } | {
  readonly ok: false;
  readonly reason: string;
} {
  if (choice.kind === "number") {
    const version = versions[choice.number - 1];
    return version
      ? { ok: true, version }
      : { ok: false, reason: `there is no version ${choice.number}` };
  }
  const matching = versions.filter((version) => version.sha256?.startsWith(choice.prefix));
  if (matching.length === 1) return { ok: true, version: matching[0] };
  return {
    ok: false,
    reason: matching.length === 0
      ? `no version has a SHA-256 starting ${choice.prefix}`
      : `several versions have a SHA-256 starting ${choice.prefix}; give more digits`,
  };
}

function holdersText(count: number): string {
  return `${count} holder${count === 1 ? "" : "s"}`;
}

function versionText(size: number | undefined, digest: string | undefined, holders: number) {
  return size === undefined || digest === undefined
    ? `size unknown (v1)  ${holdersText(holders)}`
    : `${formatBytes(size)}  sha256 ${digest.slice(0, 16)}  ${holdersText(holders)}`;
}

/** The numbered lines of several versions, indented under their name. */
export function versionLines(
  versions: readonly { size?: number; digest?: string; holders: number }[],
): string[] {
  return versions.map((version, index) =>
    `  ${index + 1}) ${versionText(version.size, version.digest, version.holders)}`
  );
}

/**
 * The long lines of one found name: `report.pdf  1.2 MiB  3 holders`, or the name, its number
 * of versions, and one numbered line per version.
 *
 * @example
 * ```ts
 * import { foundLines } from "./versions.ts";
 * const lines = foundLines({
 *   name: "report.pdf",
 *   versions: [{ size: 1258291, digestPrefix: "0123456789abcdef", holders: 3 }],
 * });
 * console.assert(lines[0] === "report.pdf  1.2 MiB  3 holders");
 * ```
 */
export function foundLines(found: FoundName): string[] {
  const name = showName(found.name);
  const versions = found.versions.map((version: FoundVersion) => ({
    ...(version.size === undefined ? {} : { size: version.size }),
    ...(version.digestPrefix === undefined ? {} : { digest: version.digestPrefix }),
    holders: version.holders,
  }));
  if (versions.length === 0) return [`${name}  ${holdersText(0)}`];
  if (versions.length === 1) {
    const [only] = versions;
    const size = only.size === undefined ? "size unknown (v1)" : formatBytes(only.size);
    return [`${name}  ${size}  ${holdersText(only.holders)}`];
  }
  return [`${name}  ${versions.length} versions:`, ...versionLines(versions)];
}
