/**
 * The tracker's UDP edge: one datagram socket, processed sequentially, with a timer that retires
 * silent sessions. Everything it decides comes from {@linkcode DatagramRouter}.
 *
 * @module
 */

import { type Logger, type LogLevel, logs, silentLogger } from "../log.ts";
import {
  DatagramRouter,
  type DatagramRouterOptions,
  type RemovedUser,
  type RouterCounters,
  type RouterOutcome,
} from "./datagram_router.ts";
import type { Credential } from "./credentials.ts";
import { EventThrottle } from "./guard.ts";
import { type Address, addressKey, type Session, type TrackerState } from "./state.ts";
import { errorText } from "../util/mod.ts";
import type { StoreStats } from "./store/mod.ts";
import { startStatusServer, type StatusServer } from "./status/http_edge.ts";
import type { TrafficCounters } from "./status/traffic.ts";
import { readUdpSocketStats } from "./status/udp_socket_stats.ts";
import type { SilenceClock } from "./silence_clock.ts";
import { startSilenceWatch } from "./silence_watch.ts";

/** The largest UDP payload over IPv4: what Deno's socket receives at most (its own default). */
const MAX_UDP_PAYLOAD_BYTES = 65_507;

/** The tracker could not bind its socket. */
export class ListenError extends Error {
  constructor(readonly address: Address, reason: string) {
    super(`cannot listen on ${addressKey(address)}: ${reason}`);
    this.name = "ListenError";
  }
}

/**
 * Options for {@linkcode startTracker}: the socket and logging edge's own, and everything the
 * {@linkcode DatagramRouter} takes (limits, session timing, sealing, a prebuilt state), passed on
 * as it is.
 */
export interface TrackerOptions extends Omit<DatagramRouterOptions, "now"> {
  readonly hostname: string;
  /** 0 picks a free port; {@linkcode RunningTracker.address} reports it. */
  readonly port: number;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  /** How often silent sessions are retired between datagrams. */
  readonly sweepIntervalMs?: number;
  /** Monotonic milliseconds; defaults to `performance.now`. */
  readonly now?: () => number;
  /** False logs only events (start, expiries, limits), not a line per datagram. */
  readonly logDatagrams?: boolean;
  /**
   * A socket bound earlier with {@linkcode bindTrackerSocket} (so a busy port fails before
   * publications load; datagrams wait in its queue meanwhile); `hostname` and `port` then only
   * name it. Bound here by default.
   */
  readonly socket?: Deno.DatagramConn;
  /** Serve `/metrics` and the status page here (`--http`); no HTTP by default. */
  readonly http?: HttpOptions;
  /**
   * The clock the state measures session silence on (`silence_clock.ts`), kept told here of
   * stalls and of the kernel's drops on this socket; without it, silence is real time.
   */
  readonly silenceClock?: SilenceClock;
}

/** Where and with what the HTTP edge (`status/http_edge.ts`) serves. */
export interface HttpOptions {
  readonly hostname: string;
  /** 0 picks a free port; {@linkcode RunningTracker.http} reports it. */
  readonly port: number;
  /** The publication store's counters, for `/metrics`. */
  readonly storeStats?: () => StoreStats;
}

/** A tracker that is serving. */
export interface RunningTracker {
  readonly address: Address;
  readonly state: TrackerState;
  /** What the tracker counted (forged sealed datagrams …). */
  readonly counters: Readonly<RouterCounters>;
  /** Requests, errors and drops by kind (what `/metrics` shows). */
  readonly traffic: TrafficCounters;
  /** Where the HTTP edge listens, when `http` was given. */
  readonly http?: Address;
  /** Settles when the socket is closed after the signal aborts. */
  readonly finished: Promise<void>;
  /**
   * Swaps in reloaded credentials: new users can log in at once; users no longer in them are
   * logged out and their publications withdrawn (returned, for the log).
   */
  replaceCredentials(credentials: ReadonlyMap<string, Credential>): RemovedUser[];
}

function listenReason(error: unknown): string {
  if (error instanceof Deno.errors.AddrInUse) return "address already in use";
  if (error instanceof Deno.errors.AddrNotAvailable) return "address not available on this host";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return errorText(error);
}

/** Binds a UDP socket for {@linkcode startTracker}; throws {@linkcode ListenError}. */
export function bindTrackerSocket(hostname: string, port: number): Deno.DatagramConn {
  try {
    return Deno.listenDatagram({ transport: "udp", hostname, port });
  } catch (error) {
    throw new ListenError({ hostname, port }, listenReason(error));
  }
}

/**
 * Binds the tracker's socket (unless given one) and serves until `signal` aborts.
 *
 * @example
 * ```ts ignore
 * import { startTracker } from "./server.ts";
 * const controller = new AbortController();
 * const tracker = startTracker({
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   credentials: new Map(),
 *   signal: controller.signal,
 * });
 * controller.abort();
 * await tracker.finished;
 * ```
 */
export function startTracker(options: TrackerOptions): RunningTracker {
  const {
    hostname,
    port,
    logger = silentLogger,
    signal,
    sweepIntervalMs = 500,
    logDatagrams = true,
    socket: givenSocket,
    now = () => performance.now(),
    http,
    silenceClock,
    ...routerOptions
  } = options;
  const startedAtMs = Date.now();
  const socket = givenSocket ?? bindTrackerSocket(hostname, port);
  const local = socket.addr as Deno.NetAddr;
  const router = new DatagramRouter({ ...routerOptions, now });
  // The HTTP edge stops with the tracker: on the signal, or when the receive loop ends.
  const httpStop = new AbortController();
  const stopHttp = () => httpStop.abort();
  signal?.addEventListener("abort", stopHttp, { once: true });
  let status: StatusServer | undefined;
  if (http !== undefined) {
    try {
      status = startStatusServer({
        hostname: http.hostname,
        port: http.port,
        signal: httpStop.signal,
        now,
        state: router.state,
        traffic: router.traffic,
        storeStats: http.storeStats,
        udpStats: () => readUdpSocketStats(local.port),
        startedAtMs,
        wallNow: () => Date.now(),
      });
    } catch (error) {
      signal?.removeEventListener("abort", stopHttp);
      socket.close();
      throw new ListenError({ hostname: http.hostname, port: http.port }, listenReason(error));
    }
  }
  const throttle = new EventThrottle({ now });
  const logExpired = (sessions: readonly Session[]) => {
    for (const session of sessions) {
      logger.log({
        peer: addressKey(session.address),
        user: session.user,
        message: `Session of ${session.user} expired`,
        fields: { event: "expired", user: session.user },
      });
    }
  };
  const sweeper = setInterval(() => logExpired(router.expire()), sweepIntervalMs);
  const stopSilenceWatch = silenceClock &&
    startSilenceWatch({ clock: silenceClock, port: local.port, logger, now });
  const stop = () => socket.close();
  signal?.addEventListener("abort", stop, { once: true });

  const inFlight = new Set<Promise<void>>();
  /** Logs what an outcome says (expiries, a limit hit, the datagram's line). */
  const report = (outcome: RouterOutcome, address: Address, size: number) => {
    if (outcome.expired.length > 0) logExpired(outcome.expired);
    if (outcome.capHit) {
      const suppressed = throttle.record(outcome.capHit);
      if (suppressed !== undefined) {
        logger.log({
          level: "warn",
          peer: addressKey(address),
          message: `Limit: ${outcome.capHit}${
            suppressed ? ` (${suppressed} more since the last report)` : ""
          }`,
          fields: { event: "limit", limit: outcome.capHit, suppressed },
        });
      }
    }
    if (outcome.command !== undefined && logDatagrams) {
      const level = datagramLevel(outcome);
      if (logs(logger, level)) logOutcome(logger, level, address, size, outcome);
    }
  };
  // A reply to a spoofed source (port 0, an unroutable address) fails at every datagram: said
  // once per reason and interval, with a count, as limits are, so a flood cannot flood the log.
  const sendFailed = (error: unknown, address: Address) => {
    if (signal?.aborted) return;
    const reason = listenReason(error);
    const suppressed = throttle.record(`send error: ${reason}`);
    if (suppressed === undefined) return;
    logger.log({
      level: "warn",
      peer: addressKey(address),
      message: `Send error: ${reason}${
        suppressed ? ` (${suppressed} more since the last report)` : ""
      }`,
      fields: { event: "sendError", suppressed },
    });
  };
  /** Logs an outcome that was pending and sends its reply (unless the tracker is stopping). */
  const deliver = async (outcome: RouterOutcome, address: Address, size: number) => {
    report(outcome, address, size);
    if (outcome.reply === undefined || signal?.aborted) return;
    try {
      await socket.send(outcome.reply, { transport: "udp", ...address });
    } catch (error) {
      sendFailed(error, address);
    }
  };

  const serve = async () => {
    // One receive buffer for the loop's life: without one, Deno allocates 64 KiB of ArrayBuffer
    // per datagram, outside V8's heap but counted towards its collections: a tracker with a small
    // heap (10k names) then ran a full mark-compact every ~0.2 s under load. Each datagram is
    // decoded before the next receive (its text and bytes are copied out: nothing keeps a view).
    const buffer = new Uint8Array(MAX_UDP_PAYLOAD_BYTES);
    try {
      while (true) {
        let datagram: Uint8Array;
        let from: Deno.NetAddr;
        try {
          const [data, addr] = await socket.receive(buffer);
          datagram = data;
          from = addr as Deno.NetAddr;
        } catch (error) {
          if (signal?.aborted || error instanceof Deno.errors.BadResource) return;
          // A transient receive error (e.g. ICMP feedback) must not stop the tracker, nor write a
          // line each time.
          const reason = listenReason(error);
          const suppressed = throttle.record(`receive error: ${reason}`);
          if (suppressed !== undefined) {
            logger.log({
              level: "warn",
              message: `Receive error: ${reason}${
                suppressed ? ` (${suppressed} more since the last report)` : ""
              }`,
              fields: { event: "receiveError", suppressed },
            });
          }
          continue;
        }
        const address = { hostname: from.hostname, port: from.port };
        const outcome = router.handle(datagram, address);
        // As `deliver`, inline: one async call less per datagram. The send is awaited before the
        // next receive, which also keeps a reply's bytes (`reply_bytes.ts`) untouched until sent.
        report(outcome, address, datagram.length);
        if (outcome.reply !== undefined && !signal?.aborted) {
          try {
            await socket.send(outcome.reply, from);
          } catch (error) {
            sendFailed(error, address);
          }
        }
        if (outcome.pending) {
          // Work off the loop (a password check): answer when it is done, serving others meanwhile.
          const later = outcome.pending
            .then((next) => deliver(next, address, datagram.length))
            .catch((error) =>
              logger.log({
                level: "error",
                peer: addressKey(address),
                message: `Internal error: ${String(error)}`,
                fields: { event: "internalError" },
              })
            )
            .finally(() => inFlight.delete(later));
          inFlight.add(later);
        }
      }
    } finally {
      clearInterval(sweeper);
      await stopSilenceWatch?.();
      // Answers still being worked out are dropped with the socket, but waited for.
      await Promise.allSettled([...inFlight]);
      signal?.removeEventListener("abort", stop);
      signal?.removeEventListener("abort", stopHttp);
      try {
        socket.close();
      } catch {
        // Already closed by the abort.
      }
      httpStop.abort();
      await status?.finished;
    }
  };
  return {
    address: { hostname: local.hostname, port: local.port },
    state: router.state,
    get counters() {
      return router.counters;
    },
    traffic: router.traffic,
    ...(status ? { http: status.address } : {}),
    finished: serve(),
    replaceCredentials: (credentials) => router.replaceCredentials(credentials),
  };
}

/**
 * Heartbeats and the notices about sessions that no longer exist are the bulk of a tracker's
 * datagrams and say nothing new: they are logged at `debug`, every other datagram at `info`.
 */
function datagramLevel(outcome: RouterOutcome): LogLevel {
  return outcome.command === "HBT" || outcome.command === "SEALED" ? "debug" : "info";
}

/** One line per datagram: what came, from whom (user and address), and what was answered. */
function logOutcome(
  logger: Logger,
  level: LogLevel,
  from: Address,
  size: number,
  outcome: RouterOutcome,
): void {
  const peer = addressKey(from);
  // The router names the user when it knows one, else the address (`peer` then equals it).
  const user = outcome.peer === peer ? undefined : outcome.peer;
  const why = outcome.note ? ` (${outcome.note})` : "";
  const received = outcome.command === "INVALID"
    ? `Received invalid datagram of ${size} bytes from ${outcome.peer}${why}`
    : `Received ${outcome.command} from ${outcome.peer}${why}`;
  logger.log({
    level,
    peer,
    user,
    message: outcome.reply === undefined ? received : `${received}; sent ${outcome.summary}`,
    // Text lines never show the fields: a line per datagram need not build them.
    fields: logger.writesFields === false ? undefined : {
      event: "datagram",
      command: outcome.command,
      bytes: size,
      note: outcome.note,
      reply: outcome.summary,
      replyBytes: outcome.reply?.length,
    },
  });
}
