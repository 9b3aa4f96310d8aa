/**
 * Counting what each remote peer holds of a shared resource — upload slots, or connections that
 * have not yet sent their request — against a cap for everyone together and a cap per peer, so one
 * host cannot take everything. A "peer" is an address as {@linkcode peerKey} groups it. Pure.
 *
 * @module
 */

import { hostGroup } from "../../protocol/mod.ts";

/**
 * The key a remote address is counted under: the host it belongs to as
 * {@linkcode hostGroup} says (an IPv6 address by its /64 prefix), as the tracker counts hosts.
 *
 * @example
 * ```ts
 * import { peerKey } from "./per_peer_limit.ts";
 * console.assert(peerKey("::ffff:127.0.0.2") === "127.0.0.2");
 * console.assert(peerKey("2001:db8:1:2::5") === peerKey("2001:db8:1:2:ffff::9"));
 * console.assert(peerKey("2001:db8:1:2::5") !== peerKey("2001:db8:1:3::5"));
 * ```
 */
export function peerKey(hostname: string): string {
  return hostGroup(hostname);
}

/** Caps of a {@linkcode PerPeerLimit}. */
export interface PerPeerLimitOptions {
  /** Held by everyone together at most. */
  readonly total: number;
  /** Held by one peer at most. */
  readonly perPeer: number;
}

/** Why {@linkcode PerPeerLimit.enter} said no. */
export type LimitRefusal = "total" | "peer";

/**
 * Counts held units per peer under a total cap and a per-peer cap.
 *
 * @example
 * ```ts
 * import { PerPeerLimit } from "./per_peer_limit.ts";
 * const slots = new PerPeerLimit({ total: 3, perPeer: 2 });
 * console.assert(slots.enter("a") === undefined && slots.enter("a") === undefined);
 * console.assert(slots.enter("a") === "peer");
 * console.assert(slots.enter("b") === undefined && slots.enter("c") === "total");
 * slots.leave("a");
 * console.assert(slots.enter("c") === undefined);
 * ```
 */
export class PerPeerLimit {
  readonly #held = new Map<string, number>();
  #total = 0;

  constructor(readonly options: PerPeerLimitOptions) {}

  /** Units held now, by everyone. */
  get total(): number {
    return this.#total;
  }

  /** Units `key` holds now. */
  heldBy(key: string): number {
    return this.#held.get(key) ?? 0;
  }

  /** Takes one unit for `key`, or says which cap is reached (and takes nothing). */
  enter(key: string): LimitRefusal | undefined {
    if (this.#total >= this.options.total) return "total";
    const held = this.heldBy(key);
    if (held >= this.options.perPeer) return "peer";
    this.#held.set(key, held + 1);
    this.#total++;
    return undefined;
  }

  /** Gives back one unit `key` took. */
  leave(key: string): void {
    const held = this.heldBy(key);
    if (held === 0) return;
    if (held === 1) this.#held.delete(key);
    else this.#held.set(key, held - 1);
    this.#total--;
  }
}
