/**
 * What the live status page shows, as the JSON `/status.json` serves: headline figures, the
 * request rate of the last minutes, active peers and the most-published names. Lists are bounded
 * (the first peers by name from the state's sorted view; the top names by holders, walked in
 * slices by `top_names.ts`), so a poll costs what it shows, not what the tracker holds. Pure:
 * clocks are injected.
 *
 * @module
 */

import { addressKey, type TrackerState } from "../state.ts";
import type { TrackerFigures } from "./figures.ts";
import { DROP_KINDS } from "./traffic.ts";
import { DROP_LABELS } from "./tracker_metrics.ts";
import { type NameRow, TopNames } from "./top_names.ts";

/** Peers listed on the page at most (the first by user name). */
export const MAX_LISTED_PEERS = 100;
/** Seconds of request rate kept for the chart. */
export const RATE_HISTORY_SECONDS = 120;

/** One active peer on the page. */
export interface PeerRow {
  readonly user: string;
  /** The UDP address it logged in from, `ip:port`. */
  readonly address: string;
  readonly version: "v1" | "v2";
}

/** The body of `/status.json`. */
export interface StatusSnapshot {
  readonly startedAt: string;
  readonly uptimeSeconds: number;
  readonly usersOnline: number;
  readonly sessions: { readonly v1: number; readonly v2: number };
  readonly publications: number;
  readonly names: number;
  readonly requests: number;
  readonly errors: number;
  readonly drops: Readonly<Record<string, number>>;
  readonly storePending?: number;
  /** Requests per second, one a second, oldest first. */
  readonly requestRate: readonly number[];
  readonly peers: readonly PeerRow[];
  readonly topNames: readonly NameRow[];
}

/**
 * Requests per second over the last {@linkcode RATE_HISTORY_SECONDS}, from a running total read
 * about once a second.
 *
 * @example
 * ```ts
 * import { RateHistory } from "./status_snapshot.ts";
 * const history = new RateHistory();
 * history.sample(0, 0);
 * history.sample(50, 1_000);
 * history.sample(150, 2_000);
 * console.assert(history.rates().join() === "50,100");
 * ```
 */
export class RateHistory {
  readonly #rates: number[] = [];
  #last: { total: number; at: number } | undefined;

  constructor(readonly capacity = RATE_HISTORY_SECONDS) {}

  /** Records the running `total` at `atMs` (monotonic milliseconds). */
  sample(total: number, atMs: number): void {
    const last = this.#last;
    this.#last = { total, at: atMs };
    if (last === undefined || atMs <= last.at) return;
    const rate = Math.max(0, total - last.total) * 1000 / (atMs - last.at);
    this.#rates.push(Math.round(rate * 10) / 10);
    if (this.#rates.length > this.capacity) this.#rates.shift();
  }

  /** The rates recorded, oldest first. */
  rates(): number[] {
    return [...this.#rates];
  }
}

/**
 * Lists the first active peers by user name: read from the state's sorted view of active users,
 * so the cost follows the list, not the number of sessions.
 */
export function activePeers(state: TrackerState, limit = MAX_LISTED_PEERS): PeerRow[] {
  // No user is named "" (an empty field is refused), so asking as "" leaves no one out.
  const users = state.activeUsersFrom("", 0);
  const sessions = state.operatorView().sessions;
  const rows: PeerRow[] = [];
  for (let user = users.next(); user !== undefined && rows.length < limit; user = users.next()) {
    const session = sessions.get(user);
    if (session === undefined) continue;
    rows.push({
      user,
      address: addressKey(session.address),
      version: session.version === 1 ? "v1" : "v2",
    });
  }
  return rows;
}

/**
 * Builds status snapshots; the most-published names come from walks in slices (`top_names.ts`),
 * so a snapshot may show names up to a few seconds old.
 */
export class StatusSnapshots {
  readonly #state: TrackerState;
  readonly #topNames: TopNames;

  constructor(options: {
    readonly state: TrackerState;
    readonly now: () => number;
    /** Resolves in a later turn of the event loop. */
    readonly nextTurn: () => Promise<void>;
  }) {
    this.#state = options.state;
    this.#topNames = new TopNames({
      entries: () => options.state.operatorView().publications.holdersByName(),
      now: options.now,
      nextTurn: options.nextTurn,
    });
  }

  /** The snapshot of `figures`, with the chart's `rates`. */
  take(figures: TrackerFigures, rates: readonly number[]): StatusSnapshot {
    this.#topNames.refresh();
    const traffic = figures.traffic;
    let errors = 0;
    for (const version of [1, 2] as const) {
      for (const [, replies] of traffic.errorCommands(version)) {
        for (const [, count] of replies.entries()) errors += count.value;
      }
    }
    const drops: Record<string, number> = {};
    for (const kind of DROP_KINDS) drops[DROP_LABELS[kind]] = traffic.drops[kind];
    if (figures.udp !== undefined) drops.receive_buffer = figures.udp.drops;
    return {
      startedAt: new Date(figures.startedAtMs).toISOString(),
      uptimeSeconds: Math.floor(figures.uptimeSeconds),
      usersOnline: figures.sessions.v1 + figures.sessions.v2,
      sessions: figures.sessions,
      publications: figures.publications,
      names: figures.names,
      requests: traffic.requestTotal,
      errors,
      drops,
      storePending: figures.store?.pending,
      requestRate: rates,
      peers: activePeers(this.#state),
      topNames: this.#topNames.rows,
    };
  }

  /** Stops a walk in progress and waits for it. */
  close(): Promise<void> {
    return this.#topNames.close();
  }
}
