/**
 * What the tracker counts about its datagrams, for `/metrics` and the status page: requests by
 * protocol version and command, error replies by command and code, datagrams dropped by each
 * limit, and table caps hit. The router calls it once per datagram; every call is a map lookup
 * and an integer increment (a counter is made only the first time a label is seen), so counting
 * costs the datagram path no allocation. Pure.
 *
 * @module
 */

import type { TableLimit } from "../outcome.ts";

/** A protocol version, as the router tells them apart. */
export type ProtocolVersion = 1 | 2;

/**
 * A guard that drops a datagram before any handler sees it: `hostRate` (one host over its
 * rate, any port), `sourceRate` (one address over its rate), `forgedSealed` (a sealed v2 datagram
 * that does not open: forged, altered, replayed, from the wrong address, malformed).
 */
export type DropKind = "hostRate" | "sourceRate" | "forgedSealed";

/** Every drop kind, in the order `/metrics` lists them. */
export const DROP_KINDS: readonly DropKind[] = ["hostRate", "sourceRate", "forgedSealed"];

/** Every table cap, in the order `/metrics` lists them. */
export const TABLE_LIMITS: readonly TableLimit[] = [
  "sessions",
  "publications",
  "challenges",
  "handshakeReplies",
  "verifications",
  "searchCost",
];

/**
 * Distinct labels kept per table: command words and error replies come from a fixed set, but the
 * cap keeps a bug (or a future command) from growing a table without bound.
 */
export const MAX_LABELS = 64;

/** The label a command or error is counted under once {@linkcode MAX_LABELS} are taken. */
export const OTHER_LABEL = "other";

/** One mutable count: incremented in place, so a lookup plus `++` allocates nothing. */
export class Counter {
  value = 0;
}

/** Counters keyed by a label, bounded by {@linkcode MAX_LABELS}. */
export class LabelledCounters {
  readonly #counters = new Map<string, Counter>();

  /** The counter of `label`, made on first use (or the {@linkcode OTHER_LABEL} one when full). */
  of(label: string): Counter {
    let counter = this.#counters.get(label);
    if (counter === undefined) {
      const key = this.#counters.size < MAX_LABELS - 1 ? label : OTHER_LABEL;
      counter = this.#counters.get(key) ?? new Counter();
      this.#counters.set(key, counter);
    }
    return counter;
  }

  /** Every label and its count, in first-seen order. */
  entries(): IterableIterator<[string, Counter]> {
    return this.#counters.entries();
  }
}

/** What one handled datagram said, as far as counting goes (a router outcome fits). */
export interface CountedOutcome {
  readonly command?: string;
  readonly summary?: string;
  readonly limit?: TableLimit;
}

/**
 * The tracker's datagram counters.
 *
 * @example
 * ```ts
 * import { TrafficCounters } from "./traffic.ts";
 * const traffic = new TrafficCounters();
 * traffic.received(3);
 * traffic.handled(1, { command: "LAP", summary: "ERR" });
 * traffic.dropped("hostRate");
 * console.assert(traffic.requests[0].of("LAP").value === 1);
 * console.assert(traffic.errorsOf(1, "LAP").of("ERR").value === 1);
 * console.assert(traffic.drops.hostRate === 1);
 * ```
 */
export class TrafficCounters {
  /** Datagrams received, any kind, dropped or not. */
  datagrams = 0;
  /** Their bytes. */
  bytesReceived = 0;
  /** Replies the router produced (sent unless the tracker was stopping). */
  replies = 0;
  /** Their bytes. */
  bytesReplied = 0;
  /** Requests handled, by command: `[v1, v2]`. */
  readonly requests: readonly [LabelledCounters, LabelledCounters] = [
    new LabelledCounters(),
    new LabelledCounters(),
  ];
  /** Error replies, per version, by command, then by the reply (`ERR`, `ERR auth` …). */
  readonly #errors: readonly [Map<string, LabelledCounters>, Map<string, LabelledCounters>] = [
    new Map(),
    new Map(),
  ];
  /** Datagrams dropped before a handler, by guard. */
  readonly drops: Record<DropKind, number> = { hostRate: 0, sourceRate: 0, forgedSealed: 0 };
  /** Requests refused (or entries forgotten) because a table was at its cap. */
  readonly limits: Record<TableLimit, number> = {
    sessions: 0,
    publications: 0,
    challenges: 0,
    handshakeReplies: 0,
    verifications: 0,
    searchCost: 0,
  };

  /** A datagram of `bytes` arrived. */
  received(bytes: number): void {
    this.datagrams++;
    this.bytesReceived += bytes;
  }

  /** A guard dropped the datagram. */
  dropped(kind: DropKind): void {
    this.drops[kind]++;
  }

  /** A handler decided about a request (its reply may still be pending). */
  handled(version: ProtocolVersion, outcome: CountedOutcome & { readonly reply?: Uint8Array }) {
    this.requests[version - 1].of(outcome.command ?? OTHER_LABEL).value++;
    this.answered(version, outcome);
  }

  /** A reply was decided: counts its bytes, an error reply and a table cap. */
  answered(version: ProtocolVersion, outcome: CountedOutcome & { readonly reply?: Uint8Array }) {
    if (outcome.reply !== undefined) {
      this.replies++;
      this.bytesReplied += outcome.reply.length;
    }
    if (outcome.limit !== undefined) this.limits[outcome.limit]++;
    const summary = outcome.summary;
    if (outcome.command === "INVALID" || summary?.startsWith("ERR")) {
      this.errorsOf(version, outcome.command ?? OTHER_LABEL).of(summary ?? "none").value++;
    }
  }

  /** The error counters of one version's command, keyed by the reply (`none` when unanswered). */
  errorsOf(version: ProtocolVersion, command: string): LabelledCounters {
    const table = this.#errors[version - 1];
    let counters = table.get(command);
    if (counters === undefined) {
      const key = table.size < MAX_LABELS - 1 ? command : OTHER_LABEL;
      counters = table.get(key) ?? new LabelledCounters();
      table.set(key, counters);
    }
    return counters;
  }

  /** Every command with error counters, for one version. */
  errorCommands(version: ProtocolVersion): IterableIterator<[string, LabelledCounters]> {
    return this.#errors[version - 1].entries();
  }

  /** Requests handled in all, both versions (the status page's rate). */
  get requestTotal(): number {
    let total = 0;
    for (const table of this.requests) {
      for (const [, counter] of table.entries()) total += counter.value;
    }
    return total;
  }
}
