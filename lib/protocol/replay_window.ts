/**
 * The receiver's anti-replay window for sealed datagrams (docs/protocol.md, "Sealed datagrams"):
 * which counters were already accepted. Pure, no clock.
 *
 * @module
 */

/** How far behind the newest counter a datagram may arrive (reordered) and still be accepted. */
export const REPLAY_WINDOW_SIZE = 1024;

/**
 * The receiver's memory of counters already accepted, in the manner of IPsec's and WireGuard's
 * anti-replay window: any counter more than {@linkcode REPLAY_WINDOW_SIZE} behind the newest is
 * refused, and each one within the window is accepted once. Call {@linkcode ReplayWindow.accept}
 * only for a datagram whose tag verified, so a forger cannot move the window.
 *
 * @example
 * ```ts
 * import { ReplayWindow } from "./replay_window.ts";
 * const window = new ReplayWindow();
 * console.assert(window.accept(5) && !window.accept(5) && window.accept(3));
 * ```
 */
export class ReplayWindow {
  #newest = -1;
  // One bit per counter (slot `c % REPLAY_WINDOW_SIZE`): a tracker keeps one window per v2
  // session, and a byte per counter made it ~1.3 KB of each session's ~1.9 KB of seal state.
  readonly #seen = new Int32Array(REPLAY_WINDOW_SIZE / 32);

  /** True (and remembered) the first time a counter within the window is seen. */
  accept(counter: number): boolean {
    if (!Number.isSafeInteger(counter) || counter < 0) return false;
    if (counter > this.#newest) {
      const advance = counter - this.#newest;
      if (advance >= REPLAY_WINDOW_SIZE) {
        this.#seen.fill(0);
      } else {
        for (let c = this.#newest + 1; c < counter; c++) this.#clear(c % REPLAY_WINDOW_SIZE);
      }
      this.#newest = counter;
      this.#mark(counter % REPLAY_WINDOW_SIZE);
      return true;
    }
    if (this.#newest - counter >= REPLAY_WINDOW_SIZE) return false;
    const slot = counter % REPLAY_WINDOW_SIZE;
    if ((this.#seen[slot >> 5] & (1 << (slot & 31))) !== 0) return false;
    this.#mark(slot);
    return true;
  }

  #mark(slot: number): void {
    this.#seen[slot >> 5] |= 1 << (slot & 31);
  }

  #clear(slot: number): void {
    this.#seen[slot >> 5] &= ~(1 << (slot & 31));
  }
}
