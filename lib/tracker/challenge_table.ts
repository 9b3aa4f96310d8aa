/**
 * Login challenges waiting for their proof, bounded in all and per source host. A first-come
 * table let three hosts sending `LOGIN`s at their flood limit (2,000/s each) push every other
 * host's challenge out within a second, so no login whose proof took longer (a slow link, a
 * verifier with many PBKDF2 rounds) could finish. Here a host past its share forgets its own
 * oldest challenge, never another host's; only a storm from more hosts than the table has shares
 * for reaches other hosts' challenges. Pure.
 *
 * @module
 */

/** Where a challenge is kept: the host it was sent to (as `hostGroup` groups addresses). */
interface Entry<V> {
  readonly host: string;
  readonly value: V;
}

/**
 * Challenges by nonce, at most `capacity` in all and `perHost` for one host.
 *
 * @example
 * ```ts
 * import { ChallengeTable } from "./challenge_table.ts";
 * const table = new ChallengeTable<string>({ capacity: 4, perHost: 2 });
 * table.add("10.0.0.1", "n1", "alice");
 * table.add("10.0.0.2", "n2", "bob");
 * table.add("10.0.0.2", "n3", "bob");
 * console.assert(table.add("10.0.0.2", "n4", "bob")); // bob's host forgets n2, its oldest
 * console.assert(table.peek("n1") === "alice" && table.peek("n2") === undefined);
 * console.assert(table.take("n1") === "alice" && table.size === 2);
 * ```
 */
export class ChallengeTable<V> {
  readonly #byNonce = new Map<string, Entry<V>>();
  readonly #byHost = new Map<string, string[]>();
  readonly #capacity: number;
  readonly #perHost: number;
  // As in `BoundedMap`: one iterator kept from call to call finds the oldest entry, since every
  // entry before its place has been removed.
  #oldest: Iterator<string> | undefined;

  constructor(options: { readonly capacity: number; readonly perHost: number }) {
    this.#capacity = options.capacity;
    this.#perHost = options.perHost;
  }

  /** Challenges kept. */
  get size(): number {
    return this.#byNonce.size;
  }

  /** The challenge of `nonce`, left in the table. */
  peek(nonce: string): V | undefined {
    return this.#byNonce.get(nonce)?.value;
  }

  /** Removes the challenge of `nonce` and returns it. */
  take(nonce: string): V | undefined {
    const entry = this.#byNonce.get(nonce);
    if (entry !== undefined) this.#remove(nonce, entry);
    return entry?.value;
  }

  /**
   * Keeps `value` under `nonce` for `host`; returns true when an older challenge was forgotten
   * for it (the host's own oldest when it holds its share, else the oldest of all).
   */
  add(host: string, nonce: string, value: V): boolean {
    this.take(nonce);
    let evicted = false;
    const own = this.#byHost.get(host);
    if (own !== undefined && own.length >= this.#perHost) {
      this.take(own[0]);
      evicted = true;
    } else if (this.#byNonce.size >= this.#capacity) {
      this.#forgetOldest();
      evicted = true;
    }
    this.#byNonce.set(nonce, { host, value });
    const queue = this.#byHost.get(host);
    if (queue === undefined) this.#byHost.set(host, [nonce]);
    else queue.push(nonce);
    return evicted;
  }

  #forgetOldest(): void {
    let oldest = this.#oldest?.next();
    if (oldest === undefined || oldest.done) {
      this.#oldest = this.#byNonce.keys();
      oldest = this.#oldest.next();
    }
    if (!oldest.done) this.take(oldest.value);
  }

  #remove(nonce: string, entry: Entry<V>): void {
    this.#byNonce.delete(nonce);
    const queue = this.#byHost.get(entry.host);
    if (queue === undefined) return;
    // A host's queue holds at most `perHost` nonces, oldest first.
    const index = queue.indexOf(nonce);
    if (index >= 0) queue.splice(index, 1);
    if (queue.length === 0) this.#byHost.delete(entry.host);
  }
}
