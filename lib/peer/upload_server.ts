/**
 * The peer's uploader: a TCP listener that serves the v1 data channel to other peers while the
 * user goes on typing commands. Each connection names one file; the uploader streams it and
 * closes. Anything wrong with the request closes the connection without sending a byte.
 *
 * @module
 */

import {
  decodeUtf8,
  MAX_TCP_REQUEST_BYTES,
  TCP_REQUEST_TIMEOUT_MS,
  TRANSFER_BUFFER_BYTES,
} from "../protocol/mod.ts";
import { resolveSharedFile } from "./share_folder.ts";

/** What to serve, from where. */
export interface UploadServerOptions {
  /** The address to listen on (see `listenHostname`). */
  readonly hostname: string;
  /** The port to listen on; defaults to 0 (any free port). */
  readonly port?: number;
  /** The share folder. */
  readonly dir: string;
  /** The names the user has published; read live on every request. */
  readonly published: ReadonlySet<string>;
  /** How long a downloader may take to name a file; defaults to {@linkcode TCP_REQUEST_TIMEOUT_MS}. */
  readonly requestTimeoutMs?: number;
  /** Closes the server when aborted. */
  readonly signal?: AbortSignal;
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
const CR = 0x0d;

/** One accepted connection, closed exactly once whoever gets there first. */
class Connection {
  #closed = false;
  constructor(readonly conn: Deno.Conn) {}

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // Already gone: nothing left to release.
    }
  }

  /** Reads once, closing the connection if nothing arrives within `timeoutMs`. */
  async readWithin(buffer: Uint8Array, timeoutMs: number): Promise<number | null> {
    const timer = setTimeout(() => this.close(), timeoutMs);
    try {
      return await this.conn.read(buffer);
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes all of `bytes`, closing the connection if one write makes no progress in `timeoutMs`. */
  async writeAllWithin(bytes: Uint8Array, timeoutMs: number): Promise<void> {
    let written = 0;
    while (written < bytes.length) {
      const timer = setTimeout(() => this.close(), timeoutMs);
      try {
        written += await this.conn.write(bytes.subarray(written));
      } finally {
        clearTimeout(timer);
      }
    }
  }
}

/**
 * Extracts the file name from the downloader's one read: one trailing `\n` or `\r\n` is
 * dropped, the rest must be strict UTF-8. Returns `undefined` for anything else. Pure.
 *
 * @example
 * ```ts
 * import { parseTransferRequest } from "./upload_server.ts";
 * console.assert(parseTransferRequest(new TextEncoder().encode("a.txt\r\n")) === "a.txt");
 * ```
 */
export function parseTransferRequest(bytes: Uint8Array): string | undefined {
  if (bytes.length > MAX_TCP_REQUEST_BYTES) return undefined;
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === LF) {
    end--;
    if (end > 0 && bytes[end - 1] === CR) end--;
  }
  return decodeUtf8(bytes.subarray(0, end));
}

/**
 * A running uploader. Create it with {@linkcode startUploadServer}.
 */
export class UploadServer {
  readonly #listener: Deno.TcpListener;
  readonly #options: UploadServerOptions;
  readonly #connections = new Set<Connection>();
  readonly #transfers = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;
  #closed = false;

  constructor(options: UploadServerOptions) {
    this.#options = options;
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
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      if (this.#closed) {
        conn.close();
        return;
      }
      const connection = new Connection(conn);
      this.#connections.add(connection);
      const transfer = this.#serve(connection).finally(() => {
        connection.close();
        this.#connections.delete(connection);
        this.#transfers.delete(transfer);
      });
      this.#transfers.add(transfer);
    }
  }

  async #serve(connection: Connection): Promise<void> {
    const { dir, published } = this.#options;
    const timeoutMs = this.#options.requestTimeoutMs ?? TCP_REQUEST_TIMEOUT_MS;
    // One byte more than the longest valid request, so an overlong one is seen as such.
    const request = new Uint8Array(MAX_TCP_REQUEST_BYTES + 1);
    const length = await connection.readWithin(request, timeoutMs);
    if (length === null) return;
    const name = parseTransferRequest(request.subarray(0, length));
    if (name === undefined || !published.has(name)) return;
    const shared = await resolveSharedFile(dir, name);
    if (!shared.ok || connection.closed) return;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(shared.path, { read: true });
    } catch {
      return;
    }
    try {
      if (!(await file.stat()).isFile) return;
      const buffer = new Uint8Array(TRANSFER_BUFFER_BYTES);
      for (;;) {
        // Sync reads of 1 MiB measured about twice as fast as async ones (TOOLCHAIN.md) and
        // block the event loop only briefly.
        const read = file.readSync(buffer);
        if (read === null) break;
        await connection.writeAllWithin(buffer.subarray(0, read), STALL_TIMEOUT_MS);
      }
      await connection.conn.closeWrite();
      await this.#linger(connection);
    } catch {
      // The downloader went away or the server is closing: only this transfer ends.
    } finally {
      file.close();
    }
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
