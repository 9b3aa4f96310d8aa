/**
 * The tracker's `/metrics`: its figures as Prometheus metric families, every name under
 * `peersync_tracker_`. The list here is the one `docs/operations.md` documents. Pure.
 *
 * @module
 */

import type { TableLimit } from "../outcome.ts";
import type { TrackerFigures } from "./figures.ts";
import { type MetricFamily, renderExposition, type Sample } from "./prometheus.ts";
import { DROP_KINDS, type DropKind, type ProtocolVersion, TABLE_LIMITS } from "./traffic.ts";

const PREFIX = "peersync_tracker_";

/** The `limit` label of each drop kind, in the snake case Prometheus labels use. */
export const DROP_LABELS: Readonly<Record<DropKind, string>> = {
  hostRate: "host_rate",
  sourceRate: "source_rate",
  forgedSealed: "forged_sealed",
};

/** The `limit` label of each table cap. */
export const LIMIT_LABELS: Readonly<Record<TableLimit, string>> = {
  sessions: "sessions",
  publications: "publications",
  challenges: "challenges",
  handshakeReplies: "handshake_replies",
  verifications: "verifications",
  searchCost: "search_cost",
};

const VERSIONS: readonly ProtocolVersion[] = [1, 2];

function counter(name: string, help: string, samples: readonly Sample[]): MetricFamily {
  return { name: PREFIX + name, help, type: "counter", samples };
}

function gauge(name: string, help: string, samples: readonly Sample[]): MetricFamily {
  return { name: PREFIX + name, help, type: "gauge", samples };
}

function requestSamples(figures: TrackerFigures): Sample[] {
  const samples: Sample[] = [];
  for (const version of VERSIONS) {
    for (const [command, count] of figures.traffic.requests[version - 1].entries()) {
      samples.push({ labels: { version: `v${version}`, command }, value: count.value });
    }
  }
  return samples;
}

function errorSamples(figures: TrackerFigures): Sample[] {
  const samples: Sample[] = [];
  for (const version of VERSIONS) {
    for (const [command, replies] of figures.traffic.errorCommands(version)) {
      for (const [reply, count] of replies.entries()) {
        samples.push({ labels: { version: `v${version}`, command, reply }, value: count.value });
      }
    }
  }
  return samples;
}

function udpFamilies(figures: TrackerFigures): MetricFamily[] {
  const udp = figures.udp;
  if (udp === undefined) return [];
  return [
    counter(
      "receive_buffer_drops_total",
      "Datagrams the kernel dropped because the UDP receive buffer was full (from /proc).",
      [{ value: udp.drops }],
    ),
    gauge("receive_queue_bytes", "Bytes waiting in the UDP receive buffer (from /proc).", [
      { value: udp.queuedBytes },
    ]),
  ];
}

function storeFamilies(figures: TrackerFigures): MetricFamily[] {
  const store = figures.store;
  if (store === undefined) return [];
  return [
    gauge("store_pending_changes", "Publication changes queued and not yet written.", [
      { value: store.pending },
    ]),
    counter("store_written_changes_total", "Publication changes written to the database.", [
      { value: store.written },
    ]),
    counter("store_write_failures_total", "Database write attempts that failed (retried).", [
      { value: store.failures },
    ]),
    counter(
      "store_dropped_changes_total",
      "Publication changes lost because the queue was full while writes failed.",
      [{ value: store.dropped }],
    ),
  ];
}

/**
 * The metric families of one reading.
 *
 * @example
 * ```ts
 * import { trackerMetricFamilies } from "./tracker_metrics.ts";
 * import { TrafficCounters } from "./traffic.ts";
 * const families = trackerMetricFamilies({
 *   traffic: new TrafficCounters(),
 *   sessions: { v1: 0, v2: 1 },
 *   publications: 2,
 *   names: 2,
 *   startedAtMs: 0,
 *   uptimeSeconds: 1,
 * });
 * console.assert(families.some((family) => family.name === "peersync_tracker_users_online"));
 * ```
 */
export function trackerMetricFamilies(figures: TrackerFigures): MetricFamily[] {
  const traffic = figures.traffic;
  return [
    counter(
      "requests_total",
      "Requests handled, by protocol version and command (INVALID: not a request).",
      requestSamples(figures),
    ),
    counter(
      "request_errors_total",
      "Requests answered with an error (reply ERR, ERR <code>) or not understood (reply none).",
      errorSamples(figures),
    ),
    counter("datagrams_received_total", "UDP datagrams received, dropped ones included.", [
      { value: traffic.datagrams },
    ]),
    counter("received_bytes_total", "Bytes of the datagrams received.", [
      { value: traffic.bytesReceived },
    ]),
    counter("replies_total", "Replies made (sent unless the tracker was stopping).", [
      { value: traffic.replies },
    ]),
    counter("reply_bytes_total", "Bytes of the replies sent.", [{ value: traffic.bytesReplied }]),
    counter(
      "dropped_datagrams_total",
      "Datagrams dropped unanswered by a guard: host_rate and source_rate (flood limits), " +
        "forged_sealed (a sealed v2 datagram that does not open).",
      DROP_KINDS.map((kind) => ({
        labels: { limit: DROP_LABELS[kind] },
        value: traffic.drops[kind],
      })),
    ),
    counter(
      "limit_hits_total",
      "Requests refused, or entries forgotten, because a table was at its cap.",
      TABLE_LIMITS.map((limit) => ({
        labels: { limit: LIMIT_LABELS[limit] },
        value: traffic.limits[limit],
      })),
    ),
    ...udpFamilies(figures),
    gauge("sessions", "Live sessions, by the protocol version they logged in with.", [
      { labels: { version: "v1" }, value: figures.sessions.v1 },
      { labels: { version: "v2" }, value: figures.sessions.v2 },
    ]),
    gauge("users_online", "Users with a live session.", [
      { value: figures.sessions.v1 + figures.sessions.v2 },
    ]),
    gauge("publications", "Publications held (user and name pairs), online users or not.", [
      { value: figures.publications },
    ]),
    gauge("published_names", "Distinct names published.", [{ value: figures.names }]),
    ...storeFamilies(figures),
    gauge("uptime_seconds", "Seconds since the tracker started.", [
      { value: figures.uptimeSeconds },
    ]),
    gauge("start_time_seconds", "When the tracker started, in seconds since the Unix epoch.", [
      { value: figures.startedAtMs / 1000 },
    ]),
  ];
}

/** The `/metrics` body of one reading. */
export function renderTrackerMetrics(figures: TrackerFigures): string {
  return renderExposition(trackerMetricFamilies(figures));
}
