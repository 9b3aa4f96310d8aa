/**
 * Waiting that a stop signal can cut short — the two helpers Deno's standard library calls
 * `delay` and `abortable` (`@std/async`, which cannot be fetched on our machines), with the same
 * meaning: an aborted signal rejects with its reason.
 *
 * @module
 */

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts (the timer
 * is then cleared).
 *
 * @example
 * ```ts
 * import { delay } from "./async.ts";
 * await delay(1);
 * const stop = new AbortController();
 * stop.abort(new Error("stopped"));
 * console.assert(await delay(1000, { signal: stop.signal }).catch((error) => error.message) === "stopped");
 * ```
 */
export function delay(ms: number, options: { readonly signal?: AbortSignal } = {}): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Resolves with `promise`, or rejects with the signal's reason as soon as `signal` aborts (the
 * promise itself then runs on, unobserved).
 *
 * @example
 * ```ts
 * import { abortable } from "./async.ts";
 * const stop = new AbortController();
 * const waiting = abortable(new Promise(() => {}), stop.signal);
 * stop.abort(new Error("stopped"));
 * console.assert(await waiting.catch((error) => error.message) === "stopped");
 * ```
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Gives the event loop a turn every `every` steps of a long synchronous job (loading a million
 * rows), so signal handlers waiting behind it run, and stops the job once `signal` aborts.
 *
 * @example
 * ```ts
 * import { TurnTaker } from "./async.ts";
 * const stop = new AbortController();
 * const turns = new TurnTaker({ every: 2, signal: stop.signal });
 * let steps = 0;
 * setTimeout(() => stop.abort(new Error("stopped")), 0);
 * const outcome = await (async () => {
 *   for (;;) {
 *     steps++;
 *     if (turns.due()) await turns.turn();
 *   }
 * })().catch((error) => error.message);
 * console.assert(outcome === "stopped" && steps === 2);
 * ```
 */
export class TurnTaker {
  #since = 0;
  readonly #every: number;
  readonly #signal: AbortSignal | undefined;

  constructor(options: { readonly every: number; readonly signal?: AbortSignal }) {
    this.#every = options.every;
    this.#signal = options.signal;
  }

  /** Counts one step; true when a turn is due (every `every` steps). */
  due(): boolean {
    if (++this.#since < this.#every) return false;
    this.#since = 0;
    return true;
  }

  /** Waits one turn of the event loop; rejects with the signal's reason once it aborted. */
  turn(): Promise<void> {
    return delay(0, this.#signal === undefined ? {} : { signal: this.#signal });
  }
}
