/**
 * Keeps a session alive: the tracker drops a session whose last sign of life is older than 3 s,
 * so the peer sends `HBT` every 2 s for as long as it is logged in.
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
