/**
 * The clock that session silence is measured on: real time while the tracker hears everything,
 * slowed while it may not have — its loop stalled (a long GC pause, a descheduled process, a
 * stopped VM), or the kernel dropped datagrams because its receive buffer was full. A heartbeat
 * lost there was the tracker's fault, not the peer's: counting that time at full speed expired
 * live sessions (issue 11's soak: 50 of 20,000 once in eight runs; 179 of 4,000 on a loaded
 * machine, each of them beating every second).
 *
 * Slowed, not stopped: under overload that never ends, a peer that really left still goes, after
 * at most `1 / deafRate` times the timeout (12 s for 3 s at the default rate of 1/4).
 *
 * Pure: the real clock is given, and so are the kernel's drop counts ({@linkcode noteDrops}, read
 * by the edge from `/proc/net/udp`); {@linkcode tick} is called on a timer, so a call to `now`
 * long after the last tick knows the loop was stalled before any timer could run.
 *
 * @example
 * ```ts
 * import { SilenceClock } from "./silence_clock.ts";
 * let real = 0;
 * const clock = new SilenceClock({ now: () => real, stallMs: 1000, deafRate: 0.25 });
 * real = 500;
 * clock.tick();
 * real = 5500; // the loop was stalled 5 s: only 1 s of it counts fully, the rest at 1/4
 * console.assert(clock.now() === 500 + 1000 + 1000);
 * ```
 *
 * @module
 */

export interface SilenceClockOptions {
  /** Real monotonic milliseconds. */
  readonly now: () => number;
  /** A gap between ticks longer than this is a stall: the loop could not read its socket. */
  readonly stallMs?: number;
  /** How fast silence counts while the tracker may not have heard (0 < rate ≤ 1). */
  readonly deafRate?: number;
}

/** The tracker ticks the clock 4 times a second: a gap of 1 s is a stall. */
export const SILENCE_STALL_MS = 1000;
/** At most 4 timeouts for a peer that left while the tracker was overloaded all along. */
export const SILENCE_DEAF_RATE = 0.25;

/** What one {@linkcode SilenceClock.noteDrops} found. */
export interface DropNews {
  /** Datagrams the kernel dropped since the previous count. */
  readonly dropped: number;
}

export class SilenceClock {
  readonly #realNow: () => number;
  readonly #stallMs: number;
  readonly #deafRate: number;
  /** Silence time at `#baseReal`. */
  #base: number;
  #baseReal: number;
  /** The rate from `#baseReal` on: 1, or the deaf rate after the kernel dropped datagrams. */
  #rate = 1;
  #lastTickReal: number;
  #drops: number | undefined;
  /** Never goes back, whatever the order of the calls. */
  #last: number;

  constructor(options: SilenceClockOptions) {
    this.#realNow = options.now;
    this.#stallMs = options.stallMs ?? SILENCE_STALL_MS;
    const rate = options.deafRate ?? SILENCE_DEAF_RATE;
    if (!(rate > 0 && rate <= 1)) throw new RangeError(`deafRate must be in (0, 1], not ${rate}`);
    this.#deafRate = rate;
    const real = this.#realNow();
    this.#base = real;
    this.#baseReal = real;
    this.#lastTickReal = real;
    this.#last = real;
  }

  /** Silence time now, in milliseconds (monotonic; equal to real time until the first deafness). */
  readonly now = (): number => {
    const real = this.#realNow();
    // Up to a stall's length after the last tick the loop may just be busy; beyond it, it was not
    // reading, and that part counts at the deaf rate.
    const heard = Math.min(real, this.#lastTickReal + this.#stallMs);
    const stalled = Math.max(0, real - Math.max(heard, this.#baseReal));
    const value = this.#base + this.#rate * Math.max(0, heard - this.#baseReal) +
      this.#deafRate * stalled;
    if (value > this.#last) this.#last = value;
    return this.#last;
  };

  /**
   * Called on a timer: the loop was running at this moment. Returns how long the loop went
   * without a tick, for the edge to say when that was a stall.
   */
  tick(): number {
    const gap = this.#realNow() - this.#lastTickReal;
    this.#rebase(this.#rate);
    return gap;
  }

  /**
   * Takes the kernel's running count of datagrams dropped on the socket: when it grew, silence
   * counts at the deaf rate until a count finds it unchanged.
   */
  noteDrops(total: number): DropNews {
    const dropped = this.#drops === undefined ? 0 : Math.max(0, total - this.#drops);
    this.#drops = total;
    this.#rebase(dropped > 0 ? this.#deafRate : 1);
    return { dropped };
  }

  #rebase(rate: number): void {
    const silence = this.now();
    const real = this.#realNow();
    this.#base = silence;
    this.#baseReal = real;
    this.#lastTickReal = real;
    this.#rate = rate;
  }
}
