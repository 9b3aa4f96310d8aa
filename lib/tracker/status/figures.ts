/**
 * One reading of everything an operator watches — the datagram counters, sessions by version,
 * publications, the store's queue, uptime — taken from the running parts on request (a scrape,
 * a status poll), never on the datagram path. Pure: the clocks are injected.
 *
 * @module
 */

import type { StoreStats } from "../store/mod.ts";
import type { Session, TrackerState } from "../state.ts";
import type { TrafficCounters } from "./traffic.ts";
import type { UdpSocketStats } from "./udp_socket_stats.ts";

/** Where the figures come from. */
export interface FigureSources {
  readonly state: TrackerState;
  readonly traffic: TrafficCounters;
  /** The publication store's counters (absent with `--store memory`: nothing to queue). */
  readonly storeStats?: () => StoreStats;
  /** Wall-clock milliseconds since the epoch when the tracker started. */
  readonly startedAtMs: number;
  /** Wall-clock milliseconds since the epoch, now. */
  readonly wallNow: () => number;
  /** The kernel's figures for the UDP socket (`udp_socket_stats.ts`), where it can tell. */
  readonly udpStats?: () => Promise<UdpSocketStats | undefined>;
}

/** One reading. */
export interface TrackerFigures {
  readonly traffic: TrafficCounters;
  readonly sessions: { readonly v1: number; readonly v2: number };
  readonly publications: number;
  readonly names: number;
  readonly store?: StoreStats;
  /** The kernel's drops and queue for the UDP socket, when known. */
  readonly udp?: UdpSocketStats;
  readonly startedAtMs: number;
  readonly uptimeSeconds: number;
}

/**
 * Reads the figures now, at scrape time: counting sessions by version walks the live sessions,
 * counting publications the users that publish (one pass each, no allocation per entry); the
 * rest is read as it stands.
 *
 * @example
 * ```ts
 * import { readFigures } from "./figures.ts";
 * import { TrafficCounters } from "./traffic.ts";
 * import { TrackerState } from "../state.ts";
 * const state = new TrackerState({ now: () => 0 });
 * state.openSession({ hostname: "127.0.0.1", port: 5000 }, "alice", { version: 1 });
 * const figures = readFigures({
 *   state,
 *   traffic: new TrafficCounters(),
 *   startedAtMs: 1_000,
 *   wallNow: () => 6_000,
 * });
 * console.assert(figures.sessions.v1 === 1 && figures.uptimeSeconds === 5);
 * ```
 */
export function readFigures(sources: FigureSources, udp?: UdpSocketStats): TrackerFigures {
  const view = sources.state.operatorView();
  const sessions = countByVersion(view.sessions.values());
  return {
    traffic: sources.traffic,
    sessions,
    publications: view.publications.count,
    names: view.publications.nameCount,
    store: sources.storeStats?.(),
    udp,
    startedAtMs: sources.startedAtMs,
    uptimeSeconds: Math.max(0, (sources.wallNow() - sources.startedAtMs) / 1000),
  };
}

function countByVersion(sessions: Iterable<Session>): { v1: number; v2: number } {
  let v1 = 0;
  let v2 = 0;
  for (const session of sessions) {
    if (session.version === 1) v1++;
    else v2++;
  }
  return { v1, v2 };
}
