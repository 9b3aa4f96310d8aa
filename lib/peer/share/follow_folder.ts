/**
 * Following the share folder: `onChange` runs after each burst of file-system events has
 * settled (no event for `settleMs`, or ten times that since the burst began), and on a timer as
 * well (a change `Deno.watchFs` misses — a network file system, a folder replaced — is still
 * found), one run at a time, until the signal. Used by `seed` and by a session keeping its
 * publications true.
 *
 * @module
 */

import { basename } from "node:path";
import { isReservedName } from "./share_folder.ts";

/** How to follow a folder. */
export interface FollowOptions {
  readonly dir: string;
  /** Stops following (the promise then resolves). */
  readonly signal: AbortSignal;
  /** Runs after a change settled, or when the timer fires; never two at once. */
  readonly onChange: () => Promise<void>;
  /**
   * Runs once the folder is watched, before any change is handled: a first look that a change
   * made during it cannot slip past (a look before the watch starts misses what comes between).
   */
  readonly initial?: () => Promise<void>;
  /** How long the folder must be quiet before `onChange` (a copy in progress settles); 300 ms. */
  readonly settleMs?: number;
  /** Runs `onChange` this often even without events; off when unset. */
  readonly intervalMs?: number;
}

/** How long the folder must be quiet before it is looked at again, by default. */
export const DEFAULT_SETTLE_MS = 300;

/** However busy the folder, a look is never put off longer than this many settle times. */
const MAX_SETTLES = 10;

/** Whether every path of `event` is one of PeerSync's own files (digest cache, part files). */
function onlyOwnFiles(event: Deno.FsEvent): boolean {
  return event.paths.length > 0 && event.paths.every((path) => isReservedName(basename(path)));
}

/**
 * Follows `dir` until `signal`; resolves then. An error from `onChange` (other than the stop)
 * rejects. Events about PeerSync's own files are no change: the digest cache a look saves, or a
 * download's part file, would otherwise start the next look. Events that arrive while a look
 * runs are one more look, not one per event.
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
  // One read of the watcher at a time: a tick must not drop an event already asked for.
  let pendingEvent: Promise<IteratorResult<Deno.FsEvent> | "stop"> | undefined;
  const nextEvent = () => pendingEvent ??= Promise.race([events.next(), stopped]);
  /** Waits until no event came for `settleMs` (or the stop, or the watcher's end). */
  const settle = async (): Promise<"quiet" | "stop" | "done"> => {
    const deadline = performance.now() + MAX_SETTLES * settleMs;
    for (;;) {
      const wait = Math.min(settleMs, deadline - performance.now());
      if (wait <= 0) return "quiet";
      let quietTimer: ReturnType<typeof setTimeout> | undefined;
      const quiet = new Promise<"quiet">((resolve) =>
        quietTimer = setTimeout(resolve, wait, "quiet")
      );
      const next = await Promise.race([nextEvent(), quiet]);
      clearTimeout(quietTimer);
      if (next === "quiet" || next === "stop") return next;
      pendingEvent = undefined;
      if (next.done) return "done";
    }
  };
  try {
    await options.initial?.();
    for (;;) {
      const next = await Promise.race([nextEvent(), ticked(), stopped]);
      if (next === "stop") break;
      let done = false;
      if (next !== "tick") {
        pendingEvent = undefined;
        if (next.done) break;
        if (onlyOwnFiles(next.value)) continue;
        // Let a burst of events (a copy, an editor's save) settle, then look once.
        const settled = await settle();
        if (settled === "stop") break;
        done = settled === "done";
      }
      await onChange();
      if (done) break;
    }
  } catch (error) {
    // A stop in the middle of a change is the normal way out.
    if (!signal.aborted) throw error;
  } finally {
    clearInterval(timer);
    watcher.close();
  }
}
