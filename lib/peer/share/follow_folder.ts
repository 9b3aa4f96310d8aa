/**
 * Following the share folder: `onChange` runs after each burst of file-system events has
 * settled, and on a timer as well (a change `Deno.watchFs` misses — a network file system, a
 * folder replaced — is still found), one run at a time, until the signal. Used by `seed` and by
 * a session keeping its publications true.
 *
 * @module
 */

import { delay } from "../../util/mod.ts";

/** How to follow a folder. */
export interface FollowOptions {
  readonly dir: string;
  /** Stops following (the promise then resolves). */
  readonly signal: AbortSignal;
  /** Runs after a change settled, or when the timer fires; never two at once. */
  readonly onChange: () => Promise<void>;
  /** How long the folder must be quiet before `onChange` (a copy in progress settles); 300 ms. */
  readonly settleMs?: number;
  /** Runs `onChange` this often even without events; off when unset. */
  readonly intervalMs?: number;
}

/** How long the folder must be quiet before it is looked at again, by default. */
export const DEFAULT_SETTLE_MS = 300;

/**
 * Follows `dir` until `signal`; resolves then. An error from `onChange` (other than the stop)
 * rejects.
 *
 * @example
 * ```ts ignore
 * import { followFolder } from "./follow_folder.ts";
 * await followFolder({ dir, signal, onChange: async () => console.log("changed") });
 * ```
 */
export async function followFolder(options: FollowOptions): Promise<void> {
  const { dir, signal, onChange } = options;
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  if (signal.aborted) return;
  const watcher = Deno.watchFs(dir, { recursive: false });
  const events = watcher[Symbol.asyncIterator]();
  const stopped = new Promise<"stop">((resolve) => {
    signal.addEventListener("abort", () => resolve("stop"), { once: true });
  });
  let timer: ReturnType<typeof setInterval> | undefined;
  let tick: (() => void) | undefined;
  const ticked = () => new Promise<"tick">((resolve) => tick = () => resolve("tick"));
  if (options.intervalMs !== undefined) {
    timer = setInterval(() => tick?.(), options.intervalMs);
  }
  let pendingEvent: Promise<IteratorResult<Deno.FsEvent> | "stop"> | undefined;
  try {
    for (;;) {
      // One read of the watcher at a time: a tick must not drop an event already asked for.
      pendingEvent ??= Promise.race([events.next(), stopped]);
      const next = await Promise.race([pendingEvent, ticked(), stopped]);
      if (next === "stop") break;
      if (next !== "tick") {
        pendingEvent = undefined;
        if (next.done) break;
        // Let a burst of events (a copy, an editor's save) settle, then look once.
        await delay(settleMs, { signal });
      }
      await onChange();
    }
  } catch (error) {
    // A stop in the middle of a change is the normal way out.
    if (!signal.aborted) throw error;
  } finally {
    clearInterval(timer);
    watcher.close();
  }
}
