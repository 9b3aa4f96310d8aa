/**
 * The peer's side of the v1 control channel: one UDP socket, one request in flight at a time, a
 * timeout per request. v1 replies carry no request id, so a reply is matched to the only request
 * that is waiting for one; a reply that arrives while none is waiting is stale and dropped.
 *
 * @module
 */

import {
  decodeReply,
  encodeRequest,
  MAX_DATAGRAM_BYTES,
  type Reply,
  type Request,
} from "../../protocol/mod.ts";
import { DEFAULT_REQUEST_TIMEOUT_MS } from "../defaults.ts";
import { bindHostnameFor } from "./local_address.ts";

/** The tracker did not answer a request in time. */
export class TrackerTimeoutError extends Error {
  override name = "TrackerTimeoutError";
  constructor(readonly request: Request["kind"], readonly timeoutMs: number) {
    super(`the tracker did not answer ${request} within ${timeoutMs} ms`);
  }
}

/** The tracker answered, but not with anything that fits the request. */
export class UnexpectedReplyError extends Error {
  override name = "UnexpectedReplyError";
  constructor(readonly request: Request["kind"], readonly reason: string) {
    super(reason);
  }
}

/** The client was closed while a request was waiting or before it was sent. */
export class V1ClientClosedError extends Error {
  override name = "V1ClientClosedError";
  constructor() {
    super("the control channel is closed");
  }
}

/** Where the tracker is and how long to wait for it. */
export interface V1ClientOptions {
  /** The tracker's IP address (a literal: replies are matched against it). */
  readonly trackerHost: string;
  /** The tracker's UDP port. */
  readonly trackerPort: number;
  /** Local address to bind; defaults to the loopback or wildcard address of the tracker's family. */
  readonly bindHostname?: string;
  /** How long to wait for each reply; defaults to {@linkcode DEFAULT_REQUEST_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
}

interface Pending {
  readonly kind: Request["kind"];
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
  // The last datagram that did not fit; reported instead of a bare timeout.
  misfit?: string;
}

/** v1 requests whose second application changes nothing, so a lost datagram can be re-sent. */
const V1_SAFE_TO_REPEAT: ReadonlySet<Request["kind"]> = new Set([
  "lap",
  "lpf",
  "sch",
  "get",
  "pub",
]);

/** First re-send of a safe v1 request; doubled each time while the timeout allows. */
const V1_RESEND_INITIAL_MS = 300;

// A v1 reply is at most 1024 bytes, but reading the largest possible datagram lets an oversized
// one be recognised and refused instead of silently truncated into something that parses.
const RECEIVE_BUFFER_BYTES = 65_507;

/**
 * A UDP client for the tracker's v1 control channel.
 *
 * @example
 * ```ts ignore
 * import { V1Client } from "./v1_client.ts";
 * const client = new V1Client({ trackerHost: "127.0.0.1", trackerPort: 9000 });
 * const reply = await client.request({ kind: "lap" });
 * await client.close();
 * ```
 */
export class V1Client {
  readonly #conn: Deno.DatagramConn;
  readonly #tracker: Deno.NetAddr;
  readonly #timeoutMs: number;
  readonly #receiving: Promise<void>;
  #queue: Promise<unknown> = Promise.resolve();
  #pending: Pending | undefined;
  #closed = false;

  constructor(options: V1ClientOptions) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#tracker = { transport: "udp", hostname: options.trackerHost, port: options.trackerPort };
    this.#conn = Deno.listenDatagram({
      transport: "udp",
      hostname: options.bindHostname ?? bindHostnameFor(options.trackerHost),
      port: 0,
    });
    this.#receiving = this.#receiveLoop();
  }

  /** The local UDP address this client sends from (the one the tracker knows the session by). */
  get localAddr(): Deno.NetAddr {
    return this.#conn.addr as Deno.NetAddr;
  }

  /**
   * Sends `request` and resolves with the tracker's reply. Requests are serialised: the next one
   * is sent only after the previous one is answered or timed out.
   *
   * @throws {TrackerTimeoutError} when no fitting reply came in time.
   * @throws {UnexpectedReplyError} when only replies that do not fit the request came.
   * @throws {V1ClientClosedError} when the client is closed meanwhile.
   */
  request(request: Request): Promise<Reply> {
    const result = this.#queue.then(() => this.#exchange(request));
    // The queue only orders requests; one request's failure must not fail the next.
    this.#queue = result.catch(() => {});
    return result;
  }

  /** Sends a request that gets no reply (`HBT`, `TCP`). */
  async send(request: Request): Promise<void> {
    if (this.#closed) throw new V1ClientClosedError();
    await this.#conn.send(encodeRequest(request), this.#tracker);
  }

  /** Closes the socket, fails any waiting request, and resolves once the receive loop ended. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#conn.close();
      this.#settle((pending) => pending.reject(new V1ClientClosedError()));
    }
    await this.#receiving;
  }

  async #exchange(request: Request): Promise<Reply> {
    if (this.#closed) throw new V1ClientClosedError();
    const { promise, resolve, reject } = Promise.withResolvers<Reply>();
    const pending: Pending = { kind: request.kind, resolve, reject };
    this.#pending = pending;
    const timer = setTimeout(() => {
      this.#settle((waiting) => {
        waiting.reject(
          waiting.misfit === undefined
            ? new TrackerTimeoutError(request.kind, this.#timeoutMs)
            : new UnexpectedReplyError(request.kind, waiting.misfit),
        );
      });
    }, this.#timeoutMs);
    const datagram = encodeRequest(request);
    // v1 has no request ids, but a request that is safe to apply twice may be sent again: any
    // reply to any copy is the answer. `auth` (a second copy is a duplicate login) and `unp` (a
    // second copy reports failure) are sent once.
    let resend: ReturnType<typeof setTimeout> | undefined;
    const scheduleResend = (delayMs: number) => {
      if (!V1_SAFE_TO_REPEAT.has(request.kind) || delayMs >= this.#timeoutMs) return;
      resend = setTimeout(() => {
        if (this.#pending !== pending || this.#closed) return;
        this.#conn.send(datagram, this.#tracker).catch(() => {});
        scheduleResend(delayMs * 2);
      }, delayMs);
    };
    try {
      await this.#conn.send(datagram, this.#tracker);
      scheduleResend(V1_RESEND_INITIAL_MS);
      return await promise;
    } catch (error) {
      if (this.#pending === pending) this.#pending = undefined;
      throw this.#closed ? new V1ClientClosedError() : error;
    } finally {
      clearTimeout(timer);
      clearTimeout(resend);
    }
  }

  #settle(action: (pending: Pending) => void): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) action(pending);
  }

  async #receiveLoop(): Promise<void> {
    const buffer = new Uint8Array(RECEIVE_BUFFER_BYTES);
    while (!this.#closed) {
      let datagram: Uint8Array;
      let from: Deno.Addr;
      try {
        [datagram, from] = await this.#conn.receive(buffer);
      } catch (error) {
        // An ICMP report surfacing as a reset (Windows) must not end the channel; anything else
        // means the socket is gone, and waiting requests will time out.
        if (this.#closed || !(error instanceof Deno.errors.ConnectionReset)) return;
        continue;
      }
      const pending = this.#pending;
      if (pending === undefined || !this.#fromTracker(from)) continue;
      if (datagram.length > MAX_DATAGRAM_BYTES) {
        pending.misfit = `oversized reply to ${pending.kind} (${datagram.length} bytes)`;
        continue;
      }
      const decoded = decodeReply(pending.kind, datagram);
      if (decoded.ok) {
        this.#settle((waiting) => waiting.resolve(decoded.reply));
      } else {
        // Possibly a late answer to an earlier, timed-out request: keep waiting for a fitting one.
        pending.misfit = decoded.reason;
      }
    }
  }

  #fromTracker(from: Deno.Addr): boolean {
    return from.transport === "udp" && from.port === this.#tracker.port &&
      sameIp(from.hostname, this.#tracker.hostname);
  }
}

function sameIp(a: string, b: string): boolean {
  const strip = (ip: string) => ip.toLowerCase().replace(/^::ffff:(?=\d+\.)/, "");
  return strip(a) === strip(b);
}
