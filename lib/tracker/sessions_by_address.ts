/**
 * The live sessions by the address they logged in from, found without building a key string and
 * with one probe of one array: an open-addressing table (linear probing) whose slots hold a tag of
 * the address's hash and the address as small integers beside the session. A lookup hashes the
 * hostname's characters and the port and compares the slots of its run, so it reads no session
 * and no string to tell whether it found the one: a dotted IPv4 address (the hostname the socket
 * gives, in its one canonical spelling) and the port are two small integers; any other hostname is
 * kept as a string and compared as one.
 *
 * Keyed by `addressKey` strings, each session kept a ~66-byte string of its own and every lookup
 * built one (issue 11: memory); by hostname and then by port (a `Map` a host, for a NAT), a
 * heartbeat at 100,000 sessions went through two maps' buckets and entries and the stored
 * hostname, each a cache miss that 1,000 sessions do not have (issue 11: the same request costs
 * the same).
 *
 * The hash is seeded per table with random bits, so which addresses share a probe run cannot be
 * chosen from outside; only logged-in sessions are in the table, at most three quarters full.
 *
 * @module
 */

import type { Address } from "./session.ts";

/** How a {@linkcode SessionsByAddress} is set up. */
export interface SessionsByAddressOptions {
  /** The hash's seed; random by default (tests fix it to repeat a layout). */
  readonly seed?: number;
  /**
   * How many low bits of the hash a tag keeps, at most (and by default) 29. Tests keep a few, so
   * that different addresses share tags and runs and only the keys tell them apart.
   */
  readonly hashBits?: number;
}

const MIN_SLOTS = 8;

// A slot is four elements: the tag (0 when empty), the address as `high` and `low` (see `#key`)
// and the value; two slots fill a cache line. The tag is the hash's low 29 bits with bit 29 set:
// never 0, a small integer on every V8 build, and its low bits are the slot the entry hashes to, so
// moving entries on a delete or a resize needs no hashing again.
const STRIDE = 4;
const HASH_BITS = 29;
const TAG_SET = 0x2000_0000;

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
  // Slot `i` at `4i` to `4i + 3`: one array, so a probe reads one cache line (or two).
  #slots: (number | string | V | undefined)[];
  #mask: number;
  #size = 0;
  // The key `#key` worked out last, read at once by its caller (fields, not an object a lookup).
  #tag = 0;
  #high: number | string = 0;
  #low = 0;

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
    const tag = this.#tag;
    const high = this.#high;
    const low = this.#low;
    const slots = this.#slots;
    const mask = this.#mask;
    for (let slot = tag & mask;; slot = (slot + 1) & mask) {
      const at = slot * STRIDE;
      const found = slots[at];
      if (found === 0) return undefined;
      if (found === tag && slots[at + 2] === low && slots[at + 1] === high) {
        return slots[at + 3] as V;
      }
    }
  }

  /** Adds `value`; the caller has made sure its address is free. */
  add(value: V): void {
    // At most three quarters full: a run stays a few slots long, and a lookup of a stranger's
    // address stops at an empty slot soon.
    if ((this.#size + 1) * 4 > (this.#mask + 1) * 3) this.#resize((this.#mask + 1) * 2);
    this.#key(value.address.hostname, value.address.port);
    this.#place(this.#tag, this.#high, this.#low, value);
    this.#size++;
  }

  /** Removes `value` if it is the one at its address; false when it is not. */
  delete(value: V): boolean {
    const slots = this.#slots;
    const mask = this.#mask;
    this.#key(value.address.hostname, value.address.port);
    let slot = this.#tag & mask;
    for (;; slot = (slot + 1) & mask) {
      if (slots[slot * STRIDE] === 0) return false;
      if (slots[slot * STRIDE + 3] === value) break;
    }
    // Backward-shift deletion: each entry after the hole in its run moves into it unless it hashes
    // to a slot between the hole and itself, so every run stays unbroken and no tombstone is left.
    let hole = slot;
    for (let next = (hole + 1) & mask;; next = (next + 1) & mask) {
      const tag = slots[next * STRIDE] as number;
      if (tag === 0) break;
      const home = tag & mask;
      // Moves when its home is not in (hole, next] going round the ring.
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        for (let k = 0; k < STRIDE; k++) slots[hole * STRIDE + k] = slots[next * STRIDE + k];
        hole = next;
      }
    }
    slots[hole * STRIDE] = 0;
    slots[hole * STRIDE + 1] = 0;
    slots[hole * STRIDE + 2] = 0;
    slots[hole * STRIDE + 3] = undefined;
    this.#size--;
    // Shrinks once an eighth full, so a table emptied after a peak gives its memory back.
    if (this.#size * 8 < mask + 1 && mask + 1 > MIN_SLOTS) this.#resize((mask + 1) / 2);
    return true;
  }

  /**
   * Works out an address's tag (a seeded hash of the hostname's characters and the port) and its
   * key: for a dotted IPv4 address in canonical form (no leading zeros, each part at most 255) and
   * a port of 16 bits, the 32 bits of the address and the port as two integers under 2^30
   * (`high` the address's top 30 bits, `low` its last 2 and the port); else the hostname itself
   * and the port. Two addresses have the same key exactly when they are the same address, and
   * comparing integers reads no string.
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
    this.#tag = (hash & this.#hashMask) | TAG_SET;
    if (dotted && digits > 0 && dots === 3) {
      ip = ip * 256 + part;
      this.#high = Math.floor(ip / 4);
      this.#low = (ip % 4) * 0x1_0000 + port;
    } else {
      this.#high = hostname;
      this.#low = port;
    }
  }

  #place(tag: number, high: number | string, low: number, value: V): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let slot = tag & mask;
    while (slots[slot * STRIDE] !== 0) slot = (slot + 1) & mask;
    const at = slot * STRIDE;
    slots[at] = tag;
    slots[at + 1] = high;
    slots[at + 2] = low;
    slots[at + 3] = value;
  }

  #resize(count: number): void {
    const old = this.#slots;
    this.#slots = emptySlots(count);
    this.#mask = count - 1;
    for (let at = 0; at < old.length; at += STRIDE) {
      const tag = old[at] as number;
      if (tag !== 0) {
        this.#place(tag, old[at + 1] as number | string, old[at + 2] as number, old[at + 3] as V);
      }
    }
  }
}

function emptySlots(count: number): (number | undefined)[] {
  // Pushed, not `new Array(n)`: an array made with holes keeps checking for them on every read.
  const slots: (number | undefined)[] = [];
  for (let slot = 0; slot < count; slot++) slots.push(0, 0, 0, undefined);
  return slots;
}
