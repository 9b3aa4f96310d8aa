/**
 * The peer's uploader: a TCP listener that serves the data channel to other peers while the user
 * goes on typing commands. Each connection makes one request:
 *
 * - v1: a bare file name. The uploader streams the whole file and closes; anything wrong with the
 *   request closes the connection without sending a byte.
 * - v2: `PS2 GET <file> <offset> <length|-> <sha256>\n`. The uploader answers with a status line
 *   before any byte — `PS2 OK <size> <sha256>` then the range, or `PS2 ERR <code> <message>` —
 *   and closes.
 *
 * Only published names that resolve to regular files inside the share folder are opened; a v2
 * request is served only while the file still has the digest it was published with.
 *
 * Fairness (docs/security.md): upload slots are capped in all and per remote address
 * ({@linkcode PerPeerLimit}); a reader below the speed floor after its grace period loses its slot
 * ({@linkcode SpeedFloor}) and its address is answered as busy while it cools down
 * ({@linkcode SlowReaderCoolDown}); connections that have not yet sent their request are capped in all and
 * per address, and each has one deadline for its whole request.
 *
 * @module
 */

import {
  decodeTransferRequest,
  encodeTransferStatus,
  type TransferRequestV2,
} from "../../protocol/mod.ts";
import {
  DEFAULT_MAX_PENDING_CONNECTIONS,
  DEFAULT_MAX_PENDING_PER_PEER,
  DEFAULT_MAX_UPLOADS,
  DEFAULT_MAX_UPLOADS_PER_PEER,
  DEFAULT_MIN_UPLOAD_SPEED,
  DEFAULT_SLOW_READER_COOL_DOWN,
  TCP_REQUEST_TIMEOUT_MS,
} from "../defaults.ts";
import { delay, TokenBucket } from "../../util/mod.ts";
import { DigestCache, openSharedFile } from "../share/mod.ts";
import { Connection } from "./connection.ts";
import { PerPeerLimit } from "./per_peer_limit.ts";
import { readRequest } from "./read_request.ts";
import { sendRange, sendStatus } from "./send.ts";
import type { MinSpeed } from "./speed_floor.ts";
import { SlowReaderCoolDown } from "./slow_reader_cool_down.ts";
import { openRequestedFile } from "./requested_file.ts";
import type { UploadServerOptions, UploadStats } from "./upload_options.ts";

const ACCEPT_RETRY_MS = 50;

/**
 * A running uploader. Create it with {@linkcode startUploadServer}.
 */
export class UploadServer {
  readonly #listener: Deno.TcpListener;
  readonly #tlsListener: Deno.TlsListener | undefined;
  readonly #options: UploadServerOptions;
  readonly #connections = new Set<Connection>();
  readonly #transfers = new Set<Promise<void>>();
  readonly #accepting: Promise<void[]>;
  readonly #cache: DigestCache;
  readonly #bucket: TokenBucket | undefined;
  readonly #slots: PerPeerLimit;
  readonly #pending: PerPeerLimit;
  readonly #minSpeed: MinSpeed;
  readonly #coolDown: SlowReaderCoolDown;
  #closed = false;
  /** Live counters. */
  readonly stats: UploadStats = {
    bytesSent: 0,
    uploadsStarted: 0,
    active: 0,
    refusedBusy: 0,
    droppedSlow: 0,
    refusedCoolingDown: 0,
    refusedPending: 0,
  };

  constructor(options: UploadServerOptions) {
    this.#options = options;
    this.#cache = options.digestCache ?? new DigestCache();
    const maxUploads = options.maxUploads ?? DEFAULT_MAX_UPLOADS;
    this.#slots = new PerPeerLimit({
      total: maxUploads,
      perPeer: options.maxUploadsPerPeer ?? DEFAULT_MAX_UPLOADS_PER_PEER,
    });
    this.#pending = new PerPeerLimit({
      total: options.maxPendingConnections ?? DEFAULT_MAX_PENDING_CONNECTIONS,
      perPeer: options.maxPendingPerPeer ?? DEFAULT_MAX_PENDING_PER_PEER,
    });
    const coolDown = options.slowReaderCoolDown ?? DEFAULT_SLOW_READER_COOL_DOWN;
    this.#coolDown = new SlowReaderCoolDown(coolDown);
    const rate = options.rateLimitBytesPerSecond;
    this.#bucket = rate !== undefined && rate > 0
      ? new TokenBucket({ bytesPerSecond: rate })
      : undefined;
    const floor = options.minSpeed ?? DEFAULT_MIN_UPLOAD_SPEED;
    // Our own rate limit must not make readers look slow: the floor stays below half a full
    // house's share of it.
    this.#minSpeed = rate !== undefined && rate > 0
      ? { ...floor, bytesPerSecond: Math.min(floor.bytesPerSecond, rate / maxUploads / 2) }
      : floor;
    this.#listener = Deno.listen({
      transport: "tcp",
      hostname: options.hostname,
      port: options.port ?? 0,
    });
    try {
      this.#tlsListener = options.tls && Deno.listenTls({
        transport: "tcp",
        hostname: options.hostname,
        port: 0,
        cert: options.tls.certPem,
        key: options.tls.keyPem,
      });
    } catch (error) {
      this.#listener.close();
      throw error;
    }
    const refuseClear = this.#tlsListener !== undefined && options.requireTls === true;
    this.#accepting = Promise.all([
      this.#acceptLoop(this.#listener, refuseClear),
      ...(this.#tlsListener ? [this.#acceptLoop(this.#tlsListener, false)] : []),
    ]);
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
  }

  /** The address the server listens on; `port` is the real one when 0 was asked for. */
  get addr(): Deno.NetAddr {
    return this.#listener.addr;
  }

  /** The TLS port's address, when the server was given a certificate. */
  get tlsAddr(): Deno.NetAddr | undefined {
    return this.#tlsListener?.addr;
  }

  /** The digest cache the server checks files against. */
  get digestCache(): DigestCache {
    return this.#cache;
  }

  /** Stops listening, drops every live connection, and resolves when all of them are closed. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const listener of [this.#listener, this.#tlsListener]) {
        try {
          listener?.close();
        } catch {
          // Already closed.
        }
      }
      for (const connection of this.#connections) connection.close();
    }
    await this.#accepting;
    while (this.#transfers.size > 0) await Promise.allSettled([...this.#transfers]);
  }

  async #acceptLoop(listener: Deno.Listener, refuse: boolean): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (this.#closed || error instanceof Deno.errors.BadResource) return;
        // Out of descriptors or an aborted handshake: back off briefly instead of spinning.
        await delay(ACCEPT_RETRY_MS);
        continue;
      }
      if (this.#closed) {
        conn.close();
        return;
      }
      if (refuse) {
        // --require-tls: nothing is served in clear, not even a status line.
        conn.close();
        continue;
      }
      const connection = new Connection(conn);
      if (this.#pending.enter(connection.peer) !== undefined) {
        // Too many connections still owe their request: this one is not even read.
        this.stats.refusedPending++;
        connection.close();
        continue;
      }
      this.#connections.add(connection);
      const transfer = this.#serve(connection).catch(() => {
        // The downloader went away or the server is closing: only this transfer ends.
      }).finally(() => {
        connection.close();
        this.#connections.delete(connection);
        this.#transfers.delete(transfer);
      });
      this.#transfers.add(transfer);
    }
  }

  async #serve(connection: Connection): Promise<void> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await readRequest(
        connection,
        this.#options.requestTimeoutMs ?? TCP_REQUEST_TIMEOUT_MS,
      );
    } finally {
      this.#pending.leave(connection.peer);
    }
    if (bytes === undefined || connection.closed) return;
    const decoded = decodeTransferRequest(bytes);
    if (decoded.version === 1) {
      if (!decoded.ok || !this.#options.published.has(decoded.file)) return;
      if (this.#busyFor(connection) !== undefined) return;
      await this.#withSlot(connection, () => this.#serveV1(connection, decoded.file));
      return;
    }
    if (!decoded.ok) {
      await sendStatus(connection, {
        ok: false,
        code: "badrequest",
        message: decoded.reason,
      });
      return;
    }
    const { request } = decoded;
    if (!this.#options.published.has(request.file)) {
      await sendStatus(connection, {
        ok: false,
        code: "notpublished",
        message: `${request.file} is not published here`,
      });
      return;
    }
    const busy = this.#busyFor(connection);
    if (busy !== undefined) {
      await sendStatus(connection, { ok: false, code: "busy", message: busy });
      return;
    }
    await this.#withSlot(connection, () => this.#serveV2(connection, request));
  }

  /** Takes a slot for the connection's address, or says why there is none (and counts it). */
  #busyFor(connection: Connection): string | undefined {
    // An address the speed floor dropped is busy for a while, whatever slots are free.
    const cooling = this.#coolDown.refusal(connection.peer, performance.now());
    if (cooling !== undefined) this.stats.refusedCoolingDown++;
    if (cooling !== undefined) return cooling;
    const refusal = this.#slots.enter(connection.peer);
    if (refusal === undefined) return undefined;
    this.stats.refusedBusy++;
    return refusal === "peer"
      ? `${this.#slots.heldBy(connection.peer)} uploads to your address in progress; try later`
      : `${this.#slots.total} uploads in progress; try another holder or later`;
  }

  /** Serves in the slot `#busyFor` took, and gives it back. */
  async #withSlot(connection: Connection, serve: () => Promise<void>): Promise<void> {
    this.stats.active = this.#slots.total;
    try {
      await serve();
    } finally {
      this.#slots.leave(connection.peer);
      this.stats.active = this.#slots.total;
    }
  }

  async #serveV1(connection: Connection, name: string): Promise<void> {
    const shared = await openSharedFile(this.#options.dir, name);
    if (!shared.ok && this.#options.published.has(name)) this.#options.onStale?.(name);
    if (!shared.ok) return;
    const { file } = shared;
    try {
      if (connection.closed) return;
      const info = await file.stat();
      this.stats.uploadsStarted++;
      await this.#stream(connection, file, new Uint8Array(0), 0, info.size);
    } finally {
      file.close();
    }
  }

  async #serveV2(connection: Connection, request: TransferRequestV2): Promise<void> {
    const { dir, published } = this.#options;
    const prepared = await openRequestedFile(request, { dir, published, digests: this.#cache });
    if (!prepared.ok) {
      const { code } = prepared.status;
      if ((code === "changed" || code === "notfound") && published.has(request.file)) {
        this.#options.onStale?.(request.file);
      }
      await sendStatus(connection, prepared.status);
      return;
    }
    const { file, size, sha256 } = prepared;
    try {
      this.stats.uploadsStarted++;
      const status = encodeTransferStatus({ ok: true, size, sha256 });
      const end = request.length === undefined ? size : request.offset + request.length;
      await this.#stream(connection, file, status, request.offset, end);
    } finally {
      file.close();
    }
  }

  /** Sends the range under the server's rate limit and speed floor, counting what went. */
  #stream(
    connection: Connection,
    file: Deno.FsFile,
    head: Uint8Array,
    start: number,
    end: number,
  ): Promise<void> {
    return sendRange(connection, { file, head, start, end }, {
      bucket: this.#bucket,
      minSpeed: this.#minSpeed,
      onSent: (bytes) => this.stats.bytesSent += bytes,
      onTooSlow: () => {
        this.stats.droppedSlow++;
        this.#coolDown.dropped(connection.peer, performance.now());
      },
    });
  }
}

/**
 * Starts an uploader on `options.hostname`, port `options.port` (0 by default).
 *
 * @example
 * ```ts ignore
 * import { startUploadServer } from "./upload_server.ts";
 * const server = startUploadServer({ hostname: "127.0.0.1", dir: ".", published: new Set(["a.txt"]) });
 * console.log(server.addr.port);
 * await server.close();
 * ```
 */
export function startUploadServer(options: UploadServerOptions): UploadServer {
  return new UploadServer(options);
}
