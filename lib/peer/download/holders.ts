/**
 * The holders the tracker named, as a download sees them: which version of the file to insist on
 * (the size and digest most of them published), how each is named in messages, and the addresses
 * to try for each. Pure.
 *
 * @module
 */

import { type Holder, hostPort } from "../../protocol/mod.ts";
import { formatBytes } from "../../util/mod.ts";

/** The size and digest a download must end with. */
export interface ExpectedFile {
  readonly size: number;
  /** SHA-256, 64 lowercase hex digits. */
  readonly sha256: string;
}

/** An address to connect to. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

export { hostPort };

/**
 * A holder as messages name it: `alice (127.0.0.1:4000)`.
 *
 * @example
 * ```ts
 * import { holderLabel } from "./holders.ts";
 * console.assert(holderLabel({ user: "alice", host: "::1", port: 4000 }) === "alice ([::1]:4000)");
 * ```
 */
export function holderLabel(holder: Holder): string {
  return `${holder.user} (${hostPort(holder.host, holder.port)})`;
}

/** The addresses to try for `holder`: the one the tracker saw, then the one it claimed. */
export function addressesOf(holder: Holder): Address[] {
  const addresses = [{ host: holder.host, port: holder.port }];
  if (holder.claimed) addresses.push({ host: holder.claimed.host, port: holder.claimed.port });
  return addresses;
}

/**
 * The size and digest most v2 holders agree on, or `undefined` when none has one (v1 holders
 * publish neither).
 *
 * @example
 * ```ts
 * import { expectedFromHolders } from "./holders.ts";
 * const a = { size: 3, sha256: "a".repeat(64) };
 * const b = { size: 4, sha256: "b".repeat(64) };
 * const expected = expectedFromHolders([
 *   { user: "x", host: "::1", port: 1, ...a },
 *   { user: "y", host: "::1", port: 2, ...b },
 *   { user: "z", host: "::1", port: 3, ...b },
 * ]);
 * console.assert(expected?.size === 4);
 * ```
 */
export function expectedFromHolders(holders: readonly Holder[]): ExpectedFile | undefined {
  return publishedVersions(holders)[0]?.expected;
}

/** One version of a file as the holders published it, and who published it. */
export interface PublishedVersion {
  readonly expected: ExpectedFile;
  /** The users that published it, in the tracker's order. */
  readonly users: readonly string[];
}

/**
 * Every version (size and digest) the v2 holders published, most holders first; versions with as
 * many holders keep the order in which the tracker first listed them. v1 holders publish none.
 *
 * @example
 * ```ts
 * import { publishedVersions } from "./holders.ts";
 * const a = { size: 3, sha256: "a".repeat(64) };
 * const b = { size: 4, sha256: "b".repeat(64) };
 * const versions = publishedVersions([
 *   { user: "x", host: "::1", port: 1, ...a },
 *   { user: "y", host: "::1", port: 2, ...b },
 *   { user: "z", host: "::1", port: 3, ...b },
 * ]);
 * console.assert(versions.length === 2 && versions[0].users.join() === "y,z");
 * ```
 */
export function publishedVersions(holders: readonly Holder[]): PublishedVersion[] {
  const versions = new Map<string, { expected: ExpectedFile; users: string[] }>();
  for (const { user, size, sha256 } of holders) {
    if (size === undefined || sha256 === undefined) continue;
    const key = `${size} ${sha256}`;
    const version = versions.get(key) ?? { expected: { size, sha256 }, users: [] };
    version.users.push(user);
    versions.set(key, version);
  }
  // A stable sort: equal counts stay in the tracker's order.
  return [...versions.values()].sort((a, b) => b.users.length - a.users.length);
}

/**
 * A version as messages name it: `12.0 KiB, SHA-256 9f9f5111f7b27a78…, from alice, bob`.
 *
 * @example
 * ```ts
 * import { versionLabel } from "./holders.ts";
 * const label = versionLabel({ expected: { size: 5, sha256: "ab".repeat(32) }, users: ["alice"] });
 * console.assert(label === "5 B, SHA-256 abababababababab…, from alice");
 * ```
 */
export function versionLabel(version: PublishedVersion): string {
  const { size, sha256 } = version.expected;
  const { users } = version;
  const from = users.length <= 3
    ? users.join(", ")
    : `${users.slice(0, 3).join(", ")} and ${users.length - 3} more`;
  return `${formatBytes(size)}, SHA-256 ${sha256.slice(0, 16)}…, from ${from}`;
}
