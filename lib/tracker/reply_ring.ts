/**
 * The last replies of one v2 session by request id (the protocol's reply cache: a retransmitted
 * request is answered again, never applied twice), the oldest forgotten first. Two arrays used as
 * a ring: the same order of forgetting as a `Map` trimmed from its front, without a map entry per
 * reply (a heartbeating session keeps 64 of them: ~2.4 KB as a `Map`, ~1.1 KB here).
 *
 * @module
 */

/**
 * Values by id, at most `capacity`, the earliest added forgotten first.
 *
 * @example
 * ```ts
 * import { ReplyRing } from "./reply_ring.ts";
 * const ring = new ReplyRing<string>(2);
 * ring.add(1, "a");
 * ring.add(2, "b");
 * ring.add(3, "c");
 * console.assert(ring.get(1) === undefined && ring.get(3) === "c");
 * ```
 */
export class ReplyRing<V> {
  /** The highest id added so far (0 before any). */
  highestId = 0;
  readonly #capacity: number;
  readonly #ids: number[] = [];
  readonly #values: V[] = [];
  // The slot the next id overwrites once the ring is full: the earliest added.
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The value added with `id`, if it is still kept. */
  get(id: number): V | undefined {
    // A scan of at most 64 numbers: cheaper than the hashing it replaces, per datagram.
    const at = this.#ids.indexOf(id);
    return at < 0 ? undefined : this.#values[at];
  }

  /** Adds `value` for `id`, which must not be kept already; forgets the earliest when full. */
  add(id: number, value: V): void {
    if (id > this.highestId) this.highestId = id;
    if (this.#ids.length < this.#capacity) {
      this.#ids.push(id);
      this.#values.push(value);
      return;
    }
    this.#ids[this.#next] = id;
    this.#values[this.#next] = value;
    this.#next = (this.#next + 1) % this.#capacity;
  }
}
