/**
 * What the live status page shows, as the JSON `/status.json` serves: headline figures, the
 * request rate of the last minutes, active peers and the most-published names. Lists are bounded
 * (the first peers by name, the top names by holders), picked in one pass without sorting whole
 * tables, and the top names are recomputed at most every few seconds however many pages poll.
 * Pure: clocks are injected.
 *
 * @module
 */

import { addressKey, type TrackerState } from "../state.ts";
import type { TrackerFigures } from "./figures.ts";
import { DROP_KINDS } from "./traffic.ts";
import { DROP_LABELS } from "./tracker_metrics.ts";

/** Peers listed on the page at most (the first by user name). */
export const MAX_LISTED_PEERS = 100;
/** Names listed as most published. */
export const TOP_NAMES = 10;
/** Seconds of request rate kept for the chart. */
export const RATE_HISTORY_SECONDS = 120;
/** The top names walk every published name: at most once per this many milliseconds. */
export const TOP_NAMES_REFRESH_MS = 5_000;

/** One active peer on the page. */
export interface PeerRow {
  readonly user: string;
  /** The UDP address it logged in from, `ip:port`. */
  readonly address: string;
  readonly version: "v1" | "v2";
}

/** One published name and how many users publish it (online or not). */
export interface NameRow {
  readonly name: string;
  readonly holders: number;
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
 * The `k` smallest items by `compare`, sorted, in one pass (a sorted window of at most `k`).
 *
 * @example
 * ```ts
 * import { smallest } from "./status_snapshot.ts";
 * console.assert(smallest([5, 1, 4, 2, 3], 2, (a, b) => a - b).join() === "1,2");
 * ```
 */
export function smallest<T>(items: Iterable<T>, k: number, compare: (a: T, b: T) => number): T[] {
  const kept: T[] = [];
  if (k <= 0) return kept;
  for (const item of items) {
    if (kept.length === k && compare(item, kept[k - 1]) >= 0) continue;
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compare(kept[middle], item) <= 0) low = middle + 1;
      else high = middle;
    }
    kept.splice(low, 0, item);
    if (kept.length > k) kept.pop();
  }
  return kept;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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

/** Lists the first active peers by user name. */
export function activePeers(state: TrackerState, limit = MAX_LISTED_PEERS): PeerRow[] {
  const sessions = smallest(
    state.operatorView().sessions,
    limit,
    (a, b) => byCodeUnit(a.user, b.user),
  );
  return sessions.map((session) => ({
    user: session.user,
    address: addressKey(session.address),
    version: session.version === 1 ? "v1" : "v2",
  }));
}

/** The names most users publish, most first, ties by name. */
export function mostPublished(state: TrackerState, limit = TOP_NAMES): NameRow[] {
  const rows = function* () {
    for (const [name, holders] of state.operatorView().publications.holdersByName()) {
      yield { name, holders: holders.size };
    }
  };
  return smallest(rows(), limit, (a, b) => b.holders - a.holders || byCodeUnit(a.name, b.name));
}

/**
 * Builds status snapshots, walking the published names at most once per
 * {@linkcode TOP_NAMES_REFRESH_MS}.
 */
export class StatusSnapshots {
  readonly #state: TrackerState;
  readonly #now: () => number;
  #topNames: { rows: NameRow[]; at: number } | undefined;

  constructor(options: { readonly state: TrackerState; readonly now: () => number }) {
    this.#state = options.state;
    this.#now = options.now;
  }

  /** The snapshot of `figures`, with the chart's `rates`. */
  take(figures: TrackerFigures, rates: readonly number[]): StatusSnapshot {
    const now = this.#now();
    if (this.#topNames === undefined || now - this.#topNames.at >= TOP_NAMES_REFRESH_MS) {
      this.#topNames = { rows: mostPublished(this.#state), at: now };
    }
    const traffic = figures.traffic;
    let errors = 0;
    for (const version of [1, 2] as const) {
      for (const [, replies] of traffic.errorCommands(version)) {
        for (const [, count] of replies.entries()) errors += count.value;
      }
    }
    const drops: Record<string, number> = {};
    for (const kind of DROP_KINDS) drops[DROP_LABELS[kind]] = traffic.drops[kind];
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
}
