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
 * @module
 */

import {
  decodeTransferRequest,
  encodeTransferStatus,
  isV2TransferRequest,
  MAX_TRANSFER_REQUEST_BYTES,
  type TransferRequestV2,
  type TransferStatus,
} from "../../protocol/mod.ts";
import { DEFAULT_MAX_UPLOADS, TCP_REQUEST_TIMEOUT_MS, TRANSFER_BUFFER_BYTES } from "../defaults.ts";
import { delay, TokenBucket } from "../../util/mod.ts";
import { DigestCache, resolveSharedFile } from "../share/mod.ts";
import { Connection } from "./connection.ts";
import { openRequestedFile, type PublishedFiles } from "./requested_file.ts";

/** What to serve, from where. */
export interface UploadServerOptions {
  /** The address to listen on (`listenHostname` in `../control/` picks it for the advertised one). */
  readonly hostname: string;
  /** The port to listen on; defaults to 0 (any free port). */
  readonly port?: number;
  /** The share folder. */
  readonly dir: string;
  /** The user's publications; read live on every request. */
  readonly published: PublishedFiles;
  /** How long a downloader may take to send its request; defaults to {@linkcode TCP_REQUEST_TIMEOUT_MS}. */
  readonly requestTimeoutMs?: number;
  /**
   * Uploads served at once; defaults to {@linkcode DEFAULT_MAX_UPLOADS}. Past it a v2 request
   * gets `PS2 ERR busy` and a v1 request is closed without a byte.
   */
  readonly maxUploads?: number;
  /** Total upload rate over all transfers, in bytes per second; unlimited when unset. */
  readonly rateLimitBytesPerSecond?: number;
  /** Where digests are remembered; share it with the code that publishes, so files hash once. */
  readonly digestCache?: DigestCache;
  /** Closes the server when aborted. */
  readonly signal?: AbortSignal;
}

/** Counters of an {@linkcode UploadServer}, for operators and tests. */
export interface UploadStats {
  /** File bytes sent, over all transfers (status lines not counted). */
  bytesSent: number;
  /** Transfers that started sending (v1 or v2 `OK`). */
  uploadsStarted: number;
  /** Uploads in progress now. */
  active: number;
  /** Requests turned away because `maxUploads` were in progress. */
  refusedBusy: number;
}

// A peer that sent its name in two writes (name, then newline) still has a byte unread when the
// file is complete; closing over unread data makes the kernel send a reset that can destroy the
// file's tail in flight. So the uploader half-closes and waits this long for the peer to hang up.
const LINGER_MS = 2000;
const LINGER_BUFFER_BYTES = 512;
const ACCEPT_RETRY_MS = 50;
// A downloader that stops reading must not hold a descriptor and a 1 MiB buffer forever.
const STALL_TIMEOUT_MS = 30_000;
const LF = 0x0a;

/**
 * A running uploader. Create it with {@linkcode startUploadServer}.
 */
export class UploadServer {
  readonly #listener: Deno.TcpListener;
  readonly #options: UploadServerOptions;
  readonly #connections = new Set<Connection>();
  readonly #transfers = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;
  readonly #cache: DigestCache;
  readonly #bucket: TokenBucket | undefined;
  readonly #maxUploads: number;
  #closed = false;
  /** Live counters. */
  readonly stats: UploadStats = { bytesSent: 0, uploadsStarted: 0, active: 0, refusedBusy: 0 };

  constructor(options: UploadServerOptions) {
    this.#options = options;
    this.#cache = options.digestCache ?? new DigestCache();
    this.#maxUploads = options.maxUploads ?? DEFAULT_MAX_UPLOADS;
    const rate = options.rateLimitBytesPerSecond;
    this.#bucket = rate !== undefined && rate > 0
      ? new TokenBucket({ bytesPerSecond: rate })
      : undefined;
    this.#listener = Deno.listen({
      transport: "tcp",
      hostname: options.hostname,
      port: options.port ?? 0,
    });
    this.#accepting = this.#acceptLoop();
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
  }

  /** The address the server listens on; `port` is the real one when 0 was asked for. */
  get addr(): Deno.NetAddr {
    return this.#listener.addr;
  }

  /** The digest cache the server checks files against. */
  get digestCache(): DigestCache {
    return this.#cache;
  }

  /** Stops listening, drops every live connection, and resolves when all of them are closed. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#listener.close();
      } catch {
        // Already closed.
      }
      for (const connection of this.#connections) connection.close();
    }
    await this.#accepting;
    while (this.#transfers.size > 0) await Promise.allSettled([...this.#transfers]);
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
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
      const connection = new Connection(conn);
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

  /**
   * Reads the request: one read for v1 (it never waits for a newline), and for a read that
   * opens with `PS2 ` the rest of the line, all within the request timeout.
   */
  async #readRequest(connection: Connection): Promise<Uint8Array | undefined> {
    const timeoutMs = this.#options.requestTimeoutMs ?? TCP_REQUEST_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    // One byte more than the longest valid request, so an overlong one is seen as such.
    const request = new Uint8Array(MAX_TRANSFER_REQUEST_BYTES + 1);
    let length = await connection.readWithin(request, timeoutMs);
    if (length === null) return undefined;
    if (!isV2TransferRequest(request.subarray(0, length))) return request.subarray(0, length);
    while (!request.subarray(0, length).includes(LF) && length < request.length) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      const read = await connection.readWithin(request.subarray(length), remaining);
      if (read === null) return undefined;
      length += read;
    }
    // Bytes after the newline are a protocol error: the decoder then sees no newline at the end.
    return request.subarray(0, length);
  }

  async #serve(connection: Connection): Promise<void> {
    const bytes = await this.#readRequest(connection);
    if (bytes === undefined || connection.closed) return;
    const decoded = decodeTransferRequest(bytes);
    if (decoded.version === 1) {
      if (!decoded.ok || !this.#options.published.has(decoded.file)) return;
      if (this.stats.active >= this.#maxUploads) {
        this.stats.refusedBusy++;
        return;
      }
      await this.#withSlot(() => this.#serveV1(connection, decoded.file));
      return;
    }
    if (!decoded.ok) {
      await this.#sendStatus(connection, {
        ok: false,
        code: "badrequest",
        message: decoded.reason,
      });
      return;
    }
    const { request } = decoded;
    if (!this.#options.published.has(request.file)) {
      await this.#sendStatus(connection, {
        ok: false,
        code: "notpublished",
        message: `${request.file} is not published here`,
      });
      return;
    }
    if (this.stats.active >= this.#maxUploads) {
      this.stats.refusedBusy++;
      await this.#sendStatus(connection, {
        ok: false,
        code: "busy",
        message: `${this.stats.active} uploads in progress; try another holder or later`,
      });
      return;
    }
    await this.#withSlot(() => this.#serveV2(connection, request));
  }

  async #withSlot(serve: () => Promise<void>): Promise<void> {
    this.stats.active++;
    try {
      await serve();
    } finally {
      this.stats.active--;
    }
  }

  async #sendStatus(connection: Connection, status: TransferStatus): Promise<void> {
    await connection.writeAllWithin(encodeTransferStatus(status), STALL_TIMEOUT_MS);
    await connection.conn.closeWrite();
    await this.#linger(connection);
  }

  async #serveV1(connection: Connection, name: string): Promise<void> {
    const shared = await resolveSharedFile(this.#options.dir, name);
    if (!shared.ok || connection.closed) return;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(shared.path, { read: true });
    } catch {
      return;
    }
    try {
      if (!(await file.stat()).isFile) return;
      this.stats.uploadsStarted++;
      await this.#stream(connection, file, new Uint8Array(0), 0, Infinity);
    } finally {
      file.close();
    }
  }

  async #serveV2(connection: Connection, request: TransferRequestV2): Promise<void> {
    const { dir, published } = this.#options;
    const prepared = await openRequestedFile(request, { dir, published, digests: this.#cache });
    if (!prepared.ok) {
      await this.#sendStatus(connection, prepared.status);
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

  /**
   * Sends `head`, then bytes `[start, end)` of `file` (to its end when `end` is Infinity), then
   * half-closes and lingers. A file that ends early drops the connection, so the downloader sees
   * a short transfer rather than a complete one.
   */
  async #stream(
    connection: Connection,
    file: Deno.FsFile,
    head: Uint8Array,
    start: number,
    end: number,
  ): Promise<void> {
    const chunk = this.#bucket?.chunkBytes(TRANSFER_BUFFER_BYTES) ?? TRANSFER_BUFFER_BYTES;
    const buffer = new Uint8Array(head.length + chunk);
    buffer.set(head);
    let filled = head.length;
    if (start > 0) file.seekSync(start, Deno.SeekMode.Start);
    let position = start;
    while (position < end && !connection.closed) {
      const want = Math.min(chunk, end - position);
      // Sync reads of 1 MiB measured about twice as fast as async ones (docs/performance.md) and
      // block the event loop only briefly.
      const read = file.readSync(buffer.subarray(filled, filled + want));
      if (read === null) {
        if (end === Infinity) break;
        // The file shrank under us: never let a short transfer look complete.
        connection.close();
        return;
      }
      if (this.#bucket !== undefined) await this.#bucket.take(read);
      await connection.writeAllWithin(buffer.subarray(0, filled + read), STALL_TIMEOUT_MS);
      this.stats.bytesSent += read;
      position += read;
      filled = 0;
    }
    if (filled > 0) await connection.writeAllWithin(buffer.subarray(0, filled), STALL_TIMEOUT_MS);
    if (connection.closed) return;
    await connection.conn.closeWrite();
    await this.#linger(connection);
  }

  async #linger(connection: Connection): Promise<void> {
    const sink = new Uint8Array(LINGER_BUFFER_BYTES);
    const deadline = Date.now() + LINGER_MS;
    while (!connection.closed) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return;
      if (await connection.readWithin(sink, remaining) === null) return;
    }
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
