/**
 * Which tracker to use when several were given (`--tracker` repeated): the order to try them at
 * login and after the one in use stopped answering, when heartbeats say it stopped, and the lines
 * that say so. Pure: no sockets, no clocks; `failover.ts` does the logging in.
 *
 * @module
 */

/** A tracker as the user gave it. */
export interface TrackerAddress {
  /** The host as written (a name or an IP literal, IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
}

/**
 * `host:port`, with an IPv6 literal in brackets: how a tracker is named in failover notices.
 *
 * @example
 * ```ts
 * import { trackerLabel } from "./tracker_rotation.ts";
 * console.assert(trackerLabel({ host: "::1", port: 4000 }) === "[::1]:4000");
 * console.assert(trackerLabel({ host: "127.0.0.1", port: 4000 }) === "127.0.0.1:4000");
 * ```
 */
export function trackerLabel(address: TrackerAddress): string {
  return address.host.includes(":")
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}

/**
 * The trackers to try, by index, starting at `first` and wrapping round: at login `first` is 0
 * (the first that answers wins); after a failover, login retries start at the one in use.
 *
 * @example
 * ```ts
 * import { loginOrder } from "./tracker_rotation.ts";
 * console.assert(loginOrder(3, 1).join() === "1,2,0");
 * ```
 */
export function loginOrder(count: number, first = 0): number[] {
  const order: number[] = [];
  for (let step = 0; step < count; step++) order.push((first + step) % count);
  return order;
}

/**
 * The trackers to move to, by index, when the one at `current` stopped answering: the next ones
 * in the order given, wrapping round, never `current` itself (its silence is why we move).
 *
 * @example
 * ```ts
 * import { failoverOrder } from "./tracker_rotation.ts";
 * console.assert(failoverOrder(3, 1).join() === "2,0");
 * console.assert(failoverOrder(1, 0).length === 0);
 * ```
 */
export function failoverOrder(count: number, current: number): number[] {
  return loginOrder(count, current).slice(1);
}

/**
 * Heartbeats in a row that may go unanswered before the tracker counts as stopped: a tracker
 * forgets a session three intervals after its last sign of life (docs/protocol.md), so after
 * three unanswered beats it would no longer know this one anyway.
 */
export const SILENT_BEATS_BEFORE_FAILOVER = 3;

/**
 * Counts heartbeats that went unanswered in a row. {@linkcode SilenceWatch.missed} says when the
 * tracker counts as stopped: at the `limit`th silent beat, and again every `limit` beats while it
 * stays silent (a failover that found no other tracker is then tried again).
 *
 * @example
 * ```ts
 * import { SilenceWatch } from "./tracker_rotation.ts";
 * const watch = new SilenceWatch(2);
 * console.assert(!watch.missed() && watch.missed());
 * watch.answered();
 * console.assert(!watch.missed());
 * ```
 */
export class SilenceWatch {
  #silent = 0;
  constructor(readonly limit: number = SILENT_BEATS_BEFORE_FAILOVER) {}

  /** A beat was answered: the tracker is alive. */
  answered(): void {
    this.#silent = 0;
  }

  /** A beat went unanswered; true when that makes the tracker count as stopped. */
  missed(): boolean {
    this.#silent++;
    return this.#silent % this.limit === 0;
  }

  /** Unanswered beats in a row so far. */
  get silentBeats(): number {
    return this.#silent;
  }
}

/**
 * Why the peer leaves the tracker in use: it went `silent` (heartbeats or a request unanswered),
 * or it `lost` the session and would not take this user's login again.
 */
export type FailoverReason = "silent" | "lost";

function leaving(from: string, why: FailoverReason): string {
  return why === "silent"
    ? `Tracker ${from} stopped answering`
    : `Tracker ${from} lost this session and refused a new login`;
}

/**
 * The line said once when the peer moved to another tracker.
 *
 * @example
 * ```ts
 * import { failoverNotice } from "./tracker_rotation.ts";
 * console.assert(
 *   failoverNotice("127.0.0.1:4000", "127.0.0.1:4001") ===
 *     "Tracker 127.0.0.1:4000 stopped answering; now using 127.0.0.1:4001",
 * );
 * ```
 */
export function failoverNotice(from: string, to: string, why: FailoverReason = "silent"): string {
  return `${leaving(from, why)}; now using ${to}`;
}

/** The line said once when the tracker in use failed the session and no other one answers. */
export function noFailoverNotice(from: string, why: FailoverReason = "silent"): string {
  return `${leaving(from, why)}, and no other tracker answers; trying again in the background`;
}

/** Said at login for a tracker that did not answer, before the next one is tried. */
export function tryingNextNotice(from: TrackerAddress, next: TrackerAddress): string {
  return `Tracker at ${trackerLabel(from)} is not responding; trying ${trackerLabel(next)}`;
}
