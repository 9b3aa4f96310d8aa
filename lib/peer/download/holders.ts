/**
 * The holders the tracker named, as a download sees them: which version of the file to insist on
 * (the size and digest most of them published), how each is named in messages, and the addresses
 * to try for each. Pure.
 *
 * @module
 */

import type { Holder } from "../../protocol/mod.ts";

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

/**
 * `host:port`, with an IPv6 host in brackets so the port stays readable.
 *
 * @example
 * ```ts
 * import { hostPort } from "./holders.ts";
 * console.assert(hostPort("::1", 7000) === "[::1]:7000");
 * ```
 */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

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
  const votes = new Map<string, { expected: ExpectedFile; count: number }>();
  for (const { size, sha256 } of holders) {
    if (size === undefined || sha256 === undefined) continue;
    const key = `${size} ${sha256}`;
    const vote = votes.get(key) ?? { expected: { size, sha256 }, count: 0 };
    vote.count++;
    votes.set(key, vote);
  }
  let best: { expected: ExpectedFile; count: number } | undefined;
  for (const vote of votes.values()) if (!best || vote.count > best.count) best = vote;
  return best?.expected;
}
