/**
 * A cool-down for addresses whose readers the speed floor dropped: without it, a reader cut for
 * dripping reconnects at once and takes the slot again, so the floor frees nothing. An address
 * (grouped as {@linkcode peerKey} groups it) that was dropped is answered as busy for a while —
 * `baseMs` the first time, twice as long for each new drop while it is still remembered, up to
 * `maxMs`. The table is bounded: past `maxEntries` the entry touched longest ago is forgotten, so
 * a stranger cannot make it grow without bound. Pure: the caller passes the time.
 *
 * @module
 */

/** How long an address cools down, and how much is remembered. */
export interface CoolDownOptions {
  /** The first cool-down; 0 turns the rule off. */
  readonly baseMs: number;
  /** The longest cool-down, however often an address was dropped. */
  readonly maxMs: number;
  /** How long after a cool-down ends a new drop still counts as a repeat (and doubles it). */
  readonly memoryMs: number;
  /** Addresses remembered at most. */
  readonly maxEntries: number;
}

interface Entry {
  /** Drops in a row, each within `memoryMs` of the last cool-down's end. */
  strikes: number;
  /** When the cool-down ends. */
  until: number;
}

/**
 * Addresses cooling down after a speed-floor drop.
 *
 * @example
 * ```ts
 * import { SlowReaderCoolDown } from "./slow_reader_cool_down.ts";
 * const coolDown = new SlowReaderCoolDown({
 *   baseMs: 30_000,
 *   maxMs: 480_000,
 *   memoryMs: 600_000,
 *   maxEntries: 4,
 * });
 * console.assert(coolDown.dropped("10.0.0.2", 0) === 30_000);
 * console.assert(coolDown.remainingMs("10.0.0.2", 10_000) === 20_000);
 * console.assert(coolDown.remainingMs("10.0.0.2", 30_000) === 0);
 * console.assert(coolDown.dropped("10.0.0.2", 40_000) === 60_000); // a repeat: twice as long
 * ```
 */
export class SlowReaderCoolDown {
  // Insertion order is touch order: the first key is the one touched longest ago.
  readonly #entries = new Map<string, Entry>();

  constructor(readonly options: CoolDownOptions) {}

  /** Records a speed-floor drop of `peer` at `now`; returns how long it now cools down. */
  dropped(peer: string, now: number): number {
    const { baseMs, maxMs, memoryMs, maxEntries } = this.options;
    if (baseMs <= 0 || maxEntries <= 0) return 0;
    const previous = this.#entries.get(peer);
    // A drop during a cool-down (a slot taken before it began) is the same offence, not a new one.
    if (previous !== undefined && now < previous.until) return previous.until - now;
    const repeat = previous !== undefined && now - previous.until <= memoryMs;
    const strikes = repeat ? previous.strikes + 1 : 1;
    // Capped before doubling, so a long-remembered address never overflows to Infinity.
    const ms = Math.min(maxMs, baseMs * 2 ** Math.min(strikes - 1, 30));
    this.#entries.delete(peer);
    if (this.#entries.size >= maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(peer, { strikes, until: now + ms });
    return ms;
  }

  /** How long `peer` still cools down at `now` (0: it may be served). */
  remainingMs(peer: string, now: number): number {
    const entry = this.#entries.get(peer);
    if (entry === undefined) return 0;
    if (now >= entry.until) {
      // Past its memory, nothing about it matters any more.
      if (now - entry.until > this.options.memoryMs) this.#entries.delete(peer);
      return 0;
    }
    return entry.until - now;
  }

  /** The busy message for `peer` while it cools down at `now`; undefined when it may be served. */
  refusal(peer: string, now: number): string | undefined {
    const ms = this.remainingMs(peer, now);
    if (ms <= 0) return undefined;
    return `your address read below the speed floor and was dropped; try again in ${
      Math.ceil(ms / 1000)
    } s`;
  }

  /** Addresses remembered now (for tests and operators). */
  get size(): number {
    return this.#entries.size;
  }
}
