/**
 * The tracker's HTTP edge (`--http`): `/metrics` (Prometheus text), `/` (the live status page)
 * and `/status.json` (what the page polls). A thin adapter over the pure parts of this folder;
 * it stops when the tracker's signal aborts.
 *
 * @module
 */

import { type FigureSources, readFigures } from "./figures.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./prometheus.ts";
import { STATUS_PAGE_HTML } from "./status_page.ts";
import { RateHistory, StatusSnapshots } from "./status_snapshot.ts";
import { renderTrackerMetrics } from "./tracker_metrics.ts";

/** What {@linkcode startStatusServer} needs. */
export interface StatusServerOptions extends FigureSources {
  readonly hostname: string;
  /** 0 picks a free port; {@linkcode StatusServer.address} reports it. */
  readonly port: number;
  readonly signal: AbortSignal;
  /** Monotonic milliseconds (the rate chart's clock). */
  readonly now: () => number;
}

/** A serving HTTP edge. */
export interface StatusServer {
  readonly address: { readonly hostname: string; readonly port: number };
  /** Settles when the server has stopped after the signal. */
  readonly finished: Promise<void>;
}

const ALLOWED = "GET, HEAD";
const ROUTES = new Set(["/", "/metrics", "/status.json"]);

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/**
 * The request handler, apart from the listener: 404 for an unknown path, 405 for a method other
 * than GET or HEAD.
 */
export function statusHandler(
  sources: FigureSources,
  snapshots: StatusSnapshots,
  history: RateHistory,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const path = new URL(request.url).pathname;
    if (!ROUTES.has(path)) return plain(404, "not found");
    if (request.method !== "GET" && request.method !== "HEAD") {
      return plain(405, "method not allowed", { allow: ALLOWED });
    }
    const noStore = { "cache-control": "no-store" };
    if (path === "/") {
      return new Response(STATUS_PAGE_HTML, {
        headers: {
          "content-type": "text/html; charset=utf-8",
          // The page needs nothing from elsewhere; forbid it, so injected markup could not either.
          "content-security-policy": "default-src 'none'; script-src 'unsafe-inline'; " +
            "style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'",
          ...noStore,
        },
      });
    }
    const figures = readFigures(sources, await sources.udpStats?.());
    if (path === "/metrics") {
      return new Response(renderTrackerMetrics(figures), {
        headers: { "content-type": PROMETHEUS_CONTENT_TYPE, ...noStore },
      });
    }
    return Response.json(snapshots.take(figures, history.rates()), { headers: noStore });
  };
}

/**
 * Serves until `signal` aborts. Throws (a `Deno.errors` error) when the address cannot be bound.
 *
 * @example
 * ```ts ignore
 * import { startStatusServer } from "./http_edge.ts";
 * import { TrafficCounters } from "./traffic.ts";
 * import { TrackerState } from "../state.ts";
 * const controller = new AbortController();
 * const server = startStatusServer({
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   signal: controller.signal,
 *   state: new TrackerState({ now: () => performance.now() }),
 *   traffic: new TrafficCounters(),
 *   startedAtMs: Date.now(),
 *   wallNow: () => Date.now(),
 *   now: () => performance.now(),
 * });
 * controller.abort();
 * await server.finished;
 * ```
 */
export function startStatusServer(options: StatusServerOptions): StatusServer {
  const { hostname, port, signal, now, ...sources } = options;
  const history = new RateHistory();
  const snapshots = new StatusSnapshots({
    state: sources.state,
    now,
    nextTurn: () => new Promise((resolve) => setTimeout(resolve, 0)),
  });
  const sample = () => history.sample(sources.traffic.requestTotal, now());
  sample();
  const sampler = setInterval(sample, 1000);
  const stopSampling = () => clearInterval(sampler);
  signal.addEventListener("abort", stopSampling, { once: true });
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname, port, signal, onListen: () => {} },
      statusHandler(sources, snapshots, history),
    );
  } catch (error) {
    stopSampling();
    signal.removeEventListener("abort", stopSampling);
    throw error;
  }
  if (signal.aborted) stopSampling();
  return {
    address: { hostname: server.addr.hostname, port: server.addr.port },
    // A walk of the published names in progress ends with the server.
    finished: server.finished.finally(stopSampling).then(() => snapshots.close()),
  };
}
