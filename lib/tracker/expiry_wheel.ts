/**
 * Items that expire a fixed time after their last sign of life, kept so that a sign of life costs
 * one field write: the wheel files each item under the time slot of the `lastSeen` it had when it
 * was filed, and only when that slot comes due does it look at the item again — expiring it, or
 * filing it again under the slot of its present `lastSeen`. A set in order of last sign of life
 * (delete and add per heartbeat) cost two hash operations a heartbeat, which missed the cache at
 * 100,000 sessions (issue 11: the same request costs the same at any table size).
 *
 * Exact: an item is reported by the first sweep at a time `now` with `now - lastSeen > timeoutMs`,
 * never earlier, whatever the order of heartbeats; `nextDue` is a lower bound of the next such
 * time, so a sweep before it is one comparison. Time is monotonic (an item's `lastSeen` never goes
 * back); a slot is a bucket, not an order, so items that expire in one sweep come out by slot.
 *
 * @module
 */

/** What the wheel reads of an item: its last sign of life, in the wheel's milliseconds. */
export interface Expiring {
  readonly lastSeen: number;
}

/** How an {@linkcode ExpiryWheel} is set up. */
export interface ExpiryWheelOptions<T> {
  /** An item expires once `now - lastSeen > timeoutMs`. */
  readonly timeoutMs: number;
  /**
   * False for an item its owner has removed (a logout): the wheel drops it when its slot comes
   * due, so removing costs the owner a field write, not a search of the wheel.
   */
  readonly isQueued: (item: T) => boolean;
}

// About this many slots per timeout: a slot of 2 ms at the 3 s default, so an item filed again
// lands in a slot of its own time, and a slot that is partly due is walked again only for the few
// items of the same 2 ms.
const SLOTS_PER_TIMEOUT = 2048;

/**
 * A timing wheel of items by last sign of life.
 *
 * @example
 * ```ts
 * import { ExpiryWheel } from "./expiry_wheel.ts";
 * const wheel = new ExpiryWheel<{ lastSeen: number }>({ timeoutMs: 3000, isQueued: () => true });
 * const alice = { lastSeen: 0 };
 * wheel.add(alice);
 * alice.lastSeen = 2000; // a heartbeat: nothing else to do
 * const expired: { lastSeen: number }[] = [];
 * wheel.sweep(4000, (item) => expired.push(item));
 * console.assert(expired.length === 0);
 * wheel.sweep(5001, (item) => expired.push(item));
 * console.assert(expired[0] === alice);
 * ```
 */
export class ExpiryWheel<T extends Expiring> {
  readonly timeoutMs: number;
  readonly #slotMs: number;
  readonly #isQueued: (item: T) => boolean;
  // Slot `index` (a time of index × slotMs) lives at `index mod length`; every filed item's
  // index is in [head, top], and that range is always shorter than the ring.
  #ring: (T[] | undefined)[];
  #head = 0;
  #top = -1;
  #nextDue = Infinity;

  constructor(options: ExpiryWheelOptions<T>) {
    this.timeoutMs = options.timeoutMs;
    this.#isQueued = options.isQueued;
    this.#slotMs = Math.max(1, Math.ceil(options.timeoutMs / SLOTS_PER_TIMEOUT));
    // Twice the timeout: a sweep that comes up to a timeout late still walks a ring that holds
    // every slot from its head to now; a later one rebuilds (`#refile`).
    this.#ring = new Array(2 * Math.ceil(options.timeoutMs / this.#slotMs) + 4);
  }

  /** No item expires at a time up to this one (a lower bound: a sweep before it does nothing). */
  get nextDue(): number {
    return this.#nextDue;
  }

  /** Files `item` under its present `lastSeen`; the owner adds each item once. */
  add(item: T): void {
    this.#file(item, Math.floor(item.lastSeen / this.#slotMs));
    if (item.lastSeen + this.timeoutMs < this.#nextDue) {
      this.#nextDue = item.lastSeen + this.timeoutMs;
    }
  }

  /**
   * Reports (through `expired`) every queued item with `now - lastSeen > timeoutMs`, and forgets
   * it and every removed item in the slots it walks.
   */
  sweep(now: number, expired: (item: T) => void): void {
    if (now <= this.#nextDue) return;
    const slotMs = this.#slotMs;
    const timeoutMs = this.timeoutMs;
    const current = Math.floor(now / slotMs);
    // A sweep a timeout late (a clock that jumped, a loop that stalled) could file an item again
    // onto a slot the ring still has to walk: take everything out and file it afresh instead.
    if (current - this.#head >= this.#ring.length - 1) this.#refile(now, expired);
    // The slots whose earliest possible expiry has passed: index × slotMs + timeoutMs < now.
    const last = Math.ceil((now - timeoutMs) / slotMs) - 1;
    let head = this.#head;
    let keptFrom = Infinity;
    for (; head <= last && head <= this.#top; head++) {
      const slot = this.#ring[this.#at(head)];
      if (slot === undefined || slot.length === 0) continue;
      let kept = 0;
      for (let k = 0; k < slot.length; k++) {
        const item = slot[k];
        if (!this.#isQueued(item)) continue;
        const lastSeen = item.lastSeen;
        if (now - lastSeen > timeoutMs) {
          expired(item);
          continue;
        }
        const index = Math.floor(lastSeen / slotMs);
        if (index > head) {
          // Later than this slot (and never past `current`, which the ring holds apart from
          // the slots still to walk): filed again where its present sign of life belongs.
          this.#push(item, index);
        } else {
          // Of this very slot, not yet due: it stays, and the next sweep starts here.
          slot[kept++] = item;
          if (lastSeen < keptFrom) keptFrom = lastSeen;
        }
      }
      slot.length = kept;
      if (kept > 0) break;
    }
    // Empty slots up to now are skipped, never past it: an item added at `now` files at `current`.
    while (head < current && head <= this.#top) {
      const slot = this.#ring[this.#at(head)];
      if (slot !== undefined && slot.length > 0) break;
      head++;
    }
    if (head > this.#top && head > current) head = current;
    this.#head = head;
    this.#nextDue = keptFrom !== Infinity
      ? keptFrom + timeoutMs
      : this.#top < head
      ? Infinity
      : head * slotMs + timeoutMs;
  }

  #at(index: number): number {
    const length = this.#ring.length;
    return ((index % length) + length) % length;
  }

  #push(item: T, index: number): void {
    const at = this.#at(index);
    const slot = this.#ring[at];
    if (slot === undefined) this.#ring[at] = [item];
    else slot.push(item);
    if (index > this.#top) this.#top = index;
  }

  // Files an item added from outside: a range that no longer fits the ring (items added long
  // after the last sweep, or with an older time than the slots walked) grows it.
  #file(item: T, index: number): void {
    if (this.#top < this.#head) {
      // Nothing filed: the ring starts over at this item.
      this.#head = index;
      this.#top = index;
    }
    const low = Math.min(this.#head, index);
    const high = Math.max(this.#top, index);
    if (high - low >= this.#ring.length) this.#grow(low, high);
    this.#head = low;
    this.#push(item, index);
  }

  #grow(low: number, high: number): void {
    const old = this.#ring;
    const ring: (T[] | undefined)[] = new Array(2 * (high - low + 1));
    for (let index = this.#head; index <= this.#top; index++) {
      const slot = old[((index % old.length) + old.length) % old.length];
      if (slot !== undefined && slot.length > 0) {
        ring[((index % ring.length) + ring.length) % ring.length] = slot;
      }
    }
    this.#ring = ring;
  }

  // Takes every item out, reports the due ones and files the rest under their present time:
  // every live item then sits within a timeout of `now`, which the ring holds.
  #refile(now: number, expired: (item: T) => void): void {
    const items: T[] = [];
    for (let index = this.#head; index <= this.#top; index++) {
      const slot = this.#ring[this.#at(index)];
      if (slot === undefined) continue;
      for (const item of slot) items.push(item);
      slot.length = 0;
    }
    const slotMs = this.#slotMs;
    this.#head = Math.max(this.#head, Math.floor((now - this.timeoutMs) / slotMs));
    this.#top = this.#head - 1;
    for (const item of items) {
      if (!this.#isQueued(item)) continue;
      if (now - item.lastSeen > this.timeoutMs) expired(item);
      else this.#push(item, Math.max(this.#head, Math.floor(item.lastSeen / slotMs)));
    }
  }
}
