/**
 * When each of the benchmarks' simulated sessions sends its heartbeat: every session keeps one
 * phase within the second, as a real peer's own timer does, so its beats are one second apart
 * however many sessions join meanwhile.
 *
 * The round-robin it replaces walked a list that grew while sessions logged in: the sessions at
 * its start then waited for the walk to wrap around a longer and longer list, 2 s and more with
 * 10,000 logins taking 4 s — close enough to the tracker's 3 s expiry that one soak run in eight
 * lost 50 of them (docs/performance.md).
 *
 * @module
 */

/** How many phases a second is cut into: the heartbeat timer's 5 ms tick. */
export const BEAT_SLOTS = 200;
const SLOT_MS = 1000 / BEAT_SLOTS;

export class BeatSchedule<T> {
  readonly #slots: T[][] = Array.from({ length: BEAT_SLOTS }, () => []);
  /** The absolute number of the next slot to send (slot `n` is due at `n * SLOT_MS`). */
  #next: number;

  constructor(now: number) {
    this.#next = Math.floor(now / SLOT_MS) + 1;
  }

  /**
   * Gives sessions that joined together phases spread over the coming second, the first one
   * slot after `now`: a thousand joining at once do not all beat in the same tick.
   */
  add(items: readonly T[], now: number): void {
    const start = Math.floor(now / SLOT_MS) + 1;
    for (let k = 0; k < items.length; k++) {
      const offset = Math.floor((k * BEAT_SLOTS) / items.length);
      this.#slots[(start + offset) % BEAT_SLOTS].push(items[k]);
    }
  }

  /**
   * The sessions whose phase passed since the last call. A caller late by more than a second
   * still gets each session once, not once per second missed.
   */
  due(now: number): T[] {
    const last = Math.floor(now / SLOT_MS);
    const first = Math.max(this.#next, last - BEAT_SLOTS + 1);
    const due: T[] = [];
    for (let slot = first; slot <= last; slot++) due.push(...this.#slots[slot % BEAT_SLOTS]);
    this.#next = Math.max(this.#next, last + 1);
    return due;
  }
}
