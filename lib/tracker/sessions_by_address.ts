/**
 * The live sessions by the address they logged in from, found without building a key string: a
 * map by hostname (the very string the session's address holds) to the session, or to a map by
 * port when several sessions share a host (a NAT). Keyed by `addressKey` strings instead, each
 * session kept a ~66-byte string of its own and every lookup built one (issue 11: memory).
 *
 * @module
 */

import type { Address } from "./session.ts";

/**
 * Values that each have an address, at most one per address.
 *
 * @example
 * ```ts
 * import { SessionsByAddress } from "./sessions_by_address.ts";
 * const sessions = new SessionsByAddress<{ address: { hostname: string; port: number } }>();
 * const a = { address: { hostname: "10.0.0.1", port: 5000 } };
 * const b = { address: { hostname: "10.0.0.1", port: 5001 } };
 * sessions.add(a);
 * sessions.add(b);
 * console.assert(sessions.get({ hostname: "10.0.0.1", port: 5001 }) === b && sessions.size === 2);
 * sessions.delete(a);
 * console.assert(sessions.get(a.address) === undefined && sessions.size === 1);
 * ```
 */
export class SessionsByAddress<V extends { readonly address: Address }> {
  readonly #byHost = new Map<string, V | Map<number, V>>();
  #size = 0;

  /** Number of values. */
  get size(): number {
    return this.#size;
  }

  /** The value at exactly `address`, if any. */
  get(address: Address): V | undefined {
    const entry = this.#byHost.get(address.hostname);
    if (entry === undefined) return undefined;
    if (entry instanceof Map) return entry.get(address.port);
    return entry.address.port === address.port ? entry : undefined;
  }

  /** Adds `value`; the caller has made sure its address is free. */
  add(value: V): void {
    const { hostname, port } = value.address;
    const entry = this.#byHost.get(hostname);
    if (entry === undefined) this.#byHost.set(hostname, value);
    else if (entry instanceof Map) entry.set(port, value);
    else this.#byHost.set(hostname, new Map([[entry.address.port, entry], [port, value]]));
    this.#size++;
  }

  /** Removes `value` if it is the one at its address; false when it is not. */
  delete(value: V): boolean {
    const { hostname, port } = value.address;
    const entry = this.#byHost.get(hostname);
    if (entry === undefined) return false;
    if (entry instanceof Map) {
      if (entry.get(port) !== value) return false;
      entry.delete(port);
      // Back to the single value, so a host that once had two costs no map for ever.
      if (entry.size === 1) this.#byHost.set(hostname, entry.values().next().value as V);
    } else {
      if (entry !== value) return false;
      this.#byHost.delete(hostname);
    }
    this.#size--;
    return true;
  }
}
