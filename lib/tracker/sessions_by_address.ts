/**
 * The live sessions by the address they logged in from, found without building a key string and
 * with one probe of one array: an open-addressing table (linear probing) whose slots hold the
 * address beside the session. A lookup hashes the hostname's characters and the port and compares
 * the slots of its run, so it reads no session and no string to tell whether it found the one: a
 * dotted IPv4 address (the hostname the socket gives, in its one canonical spelling) and the port
 * are kept as two small integers; any other hostname as a string, compared as one.
 *
 * Keyed by `addressKey` strings, each session kept a ~66-byte string of its own and every lookup
 * built one (issue 11: memory); by hostname and then by port (a `Map` a host, for a NAT), a
 * heartbeat at 100,000 sessions went through two maps' buckets and entries and the stored
 * hostname, each a cache miss that 1,000 sessions do not have (issue 11: the same request costs
 * the same).
 *
 * The hash is seeded per table with random bits, so which addresses share a probe run cannot be
 * chosen from outside; only logged-in sessions are in the table, at most four fifths full.
 *
 * @module
 */

import type { Address } from "./session.ts";

/** How a {@linkcode SessionsByAddress} is set up. */
export interface SessionsByAddressOptions {
  /** The hash's seed; random by default (tests fix it to repeat a layout). */
  readonly seed?: number;
  /**
   * How many low bits of the hash choose the slot, at most (and by default) 30. Tests keep a few,
   * so that different addresses share runs and only the keys tell them apart.
   */
  readonly hashBits?: number;
}

const MIN_SLOTS = 8;

// A slot is three elements: the value (`undefined` when empty) and the address as `low` and `high`
// (see `#key`), 24 bytes.
const STRIDE = 3;
const HASH_BITS = 30;

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
  readonly #seed: number;
  readonly #hashMask: number;
  // Slot `i` at `3i` to `3i + 2`: one array, so a probe reads one cache line (or two).
  #slots: (V | number | string | undefined)[];
  #mask: number;
  #size = 0;
  // The key `#key` worked out last, read at once by its caller (fields, not an object a lookup).
  #hash = 0;
  #low = 0;
  #high: number | string = 0;

  constructor(options: SessionsByAddressOptions = {}) {
    this.#seed = options.seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
    this.#hashMask = 2 ** Math.min(HASH_BITS, options.hashBits ?? HASH_BITS) - 1;
    this.#slots = emptySlots(MIN_SLOTS);
    this.#mask = MIN_SLOTS - 1;
  }

  /** Number of values. */
  get size(): number {
    return this.#size;
  }

  /** The value at exactly `address`, if any. */
  get(address: Address): V | undefined {
    this.#key(address.hostname, address.port);
    const low = this.#low;
    const high = this.#high;
    const slots = this.#slots;
    const mask = this.#mask;
    for (let slot = this.#hash & mask;; slot = (slot + 1) & mask) {
      const at = slot * STRIDE;
      const value = slots[at];
      if (value === undefined) return undefined;
      if (slots[at + 1] === low && slots[at + 2] === high) return value as V;
    }
  }

  /** Adds `value`; the caller has made sure its address is free. */
  add(value: V): void {
    // At most four fifths full: a found entry is ~3 slots into its run on average, a stranger's
    // address ~13 (a few cache lines, read in order), and the slots take ~3.75 words an entry,
    // about what a `Map` takes (100,000 sessions fit in 2^17 slots, which three quarters did not).
    if ((this.#size + 1) * 5 > (this.#mask + 1) * 4) this.#resize((this.#mask + 1) * 2);
    this.#place(value);
    this.#size++;
  }

  /** Removes `value` if it is the one at its address; false when it is not. */
  delete(value: V): boolean {
    const slots = this.#slots;
    const mask = this.#mask;
    let slot = this.#homeOf(value);
    for (;; slot = (slot + 1) & mask) {
      const found = slots[slot * STRIDE];
      if (found === undefined) return false;
      if (found === value) break;
    }
    // Backward-shift deletion: each entry after the hole in its run moves into it unless it hashes
    // to a slot between the hole and itself, so every run stays unbroken and no tombstone is left.
    // (The home slot is worked out again from the entry's address: deletes are logouts, rare.)
    let hole = slot;
    for (let next = (hole + 1) & mask;; next = (next + 1) & mask) {
      const entry = slots[next * STRIDE];
      if (entry === undefined) break;
      const home = this.#homeOf(entry as V);
      // Moves when its home is not in (hole, next] going round the ring.
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        for (let k = 0; k < STRIDE; k++) slots[hole * STRIDE + k] = slots[next * STRIDE + k];
        hole = next;
      }
    }
    slots[hole * STRIDE] = undefined;
    slots[hole * STRIDE + 1] = 0;
    slots[hole * STRIDE + 2] = 0;
    this.#size--;
    // Shrinks once an eighth full, so a table emptied after a peak gives its memory back.
    if (this.#size * 8 < mask + 1 && mask + 1 > MIN_SLOTS) this.#resize((mask + 1) / 2);
    return true;
  }

  /**
   * Works out an address's hash (seeded, of the hostname's characters and the port) and its key:
   * for a dotted IPv4 address in canonical form (no leading zeros, each part at most 255) and a
   * port of 16 bits, the 32 bits of the address and the port as two integers under 2^30 (`high`
   * the address's top 30 bits, `low` its last 2 and the port); else the port and the hostname
   * itself. Two addresses have the same key exactly when they are the same address, and comparing
   * integers reads no string.
   */
  #key(hostname: string, port: number): void {
    let hash = Math.imul(this.#seed ^ port, 0x9e37_79b1);
    let dotted = (port & 0xffff) === port;
    let ip = 0;
    let part = 0;
    let digits = 0;
    let dots = 0;
    for (let i = 0; i < hostname.length; i++) {
      const code = hostname.charCodeAt(i);
      hash = Math.imul(hash ^ code, 0x0100_0193);
      if (code === 0x2e) {
        dotted &&= digits > 0;
        ip = ip * 256 + part;
        part = 0;
        digits = 0;
        dots++;
      } else if (code >= 0x30 && code <= 0x39) {
        dotted &&= digits === 0 || part > 0;
        part = part * 10 + code - 0x30;
        digits++;
        dotted &&= part <= 255;
      } else {
        dotted = false;
      }
    }
    // The finish of MurmurHash3: every bit of the input moves the low bits the slot is taken from.
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85eb_ca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2_ae35);
    hash ^= hash >>> 16;
    this.#hash = hash & this.#hashMask;
    if (dotted && digits > 0 && dots === 3) {
      ip = ip * 256 + part;
      this.#low = (ip % 4) * 0x1_0000 + port;
      this.#high = Math.floor(ip / 4);
    } else {
      this.#low = port;
      this.#high = hostname;
    }
  }

  #homeOf(value: V): number {
    this.#key(value.address.hostname, value.address.port);
    return this.#hash & this.#mask;
  }

  #place(value: V): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let slot = this.#homeOf(value);
    while (slots[slot * STRIDE] !== undefined) slot = (slot + 1) & mask;
    const at = slot * STRIDE;
    slots[at] = value;
    slots[at + 1] = this.#low;
    slots[at + 2] = this.#high;
  }

  #resize(count: number): void {
    const old = this.#slots;
    this.#slots = emptySlots(count);
    this.#mask = count - 1;
    for (let at = 0; at < old.length; at += STRIDE) {
      const value = old[at];
      if (value !== undefined) this.#place(value as V);
    }
  }
}

function emptySlots(count: number): (number | undefined)[] {
  // Made at its length and filled (measured: an array grown by pushes here took more room).
  const slots = new Array<number | undefined>(count * STRIDE).fill(0);
  for (let at = 0; at < slots.length; at += STRIDE) slots[at] = undefined;
  return slots;
}
