/**
 * Keeps a session alive: the tracker drops a session whose last sign of life is older than 3 s,
 * so the peer beats every 2 s (v1) or at the interval the tracker announced (v2, 1 s by default)
 * for as long as it is logged in. What one beat does is the link's: a v1 `HBT` is sent once; a
 * v2 `HBT` is retried until its `OK` comes or its interval ends (`V2Link.heartbeat`), so beats
 * may overlap by a moment and each gets its own request id.
 *
 * @module
 */

import { HEARTBEAT_INTERVAL_MS } from "../../protocol/mod.ts";

/** How to beat and when to stop. */
export interface HeartbeatOptions {
  /** Sends one `HBT`; a failure is ignored, because the next beat may well succeed. */
  readonly beat: () => Promise<void>;
  /** Stops the heartbeat (and clears its timer) when aborted. */
  readonly signal: AbortSignal;
  /** Defaults to {@linkcode HEARTBEAT_INTERVAL_MS}. */
  readonly intervalMs?: number;
}

/**
 * Calls `beat` every `intervalMs` until `signal` aborts. The first beat is one interval after
 * the start: login itself is the session's first sign of life.
 *
 * @example
 * ```ts
 * import { startHeartbeat } from "./heartbeat.ts";
 * const stop = new AbortController();
 * startHeartbeat({ beat: async () => {}, signal: stop.signal, intervalMs: 10 });
 * stop.abort();
 * ```
 */
export function startHeartbeat(options: HeartbeatOptions): void {
  const { beat, signal } = options;
  if (signal.aborted) return;
  const timer = setInterval(() => {
    beat().catch(() => {});
  }, options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  signal.addEventListener("abort", () => clearInterval(timer), { once: true });
}
