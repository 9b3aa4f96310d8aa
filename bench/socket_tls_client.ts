/**
 * NOT USED BY THE PEER: a benchmark contender kept so the measurement in docs/performance.md ("A
 * socket-owning OpenSSL client on a worker", issue 14) can be repeated with `bench/tls_client.ts`.
 * It did not pay: the peer's downloads stay on Deno's TLS.
 *
 * A TLS 1.3 client on OpenSSL that owns its socket and runs on a worker thread
 * (`socket_tls_worker.ts`): blocking `SSL_read`s with read-ahead fill 1 MiB slots of a
 * `SharedArrayBuffer` ring, and this thread is told of each filled slot by one message. So the
 * downloader's JavaScript thread sees one message per MiB instead of one async op per 16 KiB
 * record, and the cipher runs on the other core.
 *
 * The holder is pinned as in `openssl_tls_client.ts`: the worker reports the SHA-256 of the DER
 * of the certificate the holder proved it owns (TLS 1.3 makes it sign the handshake with that
 * certificate's key), and the caller compares it before it writes the request.
 *
 * Closing: the main thread `shutdown`s the worker's socket (so a blocked `SSL_read` returns) and
 * wakes it if it waits for a slot; the worker frees the `SSL` and its context, closes the fd
 * (only once the main thread's `shutdown` has returned, so the number is never reused under it)
 * and says `exited`; then the worker is terminated and `closed` resolves.
 *
 * @module
 */

import {
  type CloseKind,
  CONTROL_WORDS,
  CTRL,
  type MainToWorker,
  STATE_CLOSING,
  STATE_OPEN,
  type WorkerToMain,
} from "./socket_tls_shared.ts";

const LIBC = "/lib/x86_64-linux-gnu/libc.so.6";
const SHUT_RDWR = 2;
const LIBC_SYMBOLS = {
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** A connection that could not be made; `kind` says whom to blame. */
export class SocketTlsError extends Error {
  override name = "SocketTlsError";
  constructor(readonly kind: CloseKind, message: string) {
    super(message);
  }
}

export interface SocketTlsOptions {
  readonly host: string;
  readonly port: number;
  readonly serverName: string;
  readonly timeoutMs: number;
  readonly slots?: number;
  readonly slotBytes?: number;
  /** OpenSSL's read buffer (read-ahead fills it with as many records as the socket holds). */
  readonly readBufferBytes?: number;
  /** `full`: hand a slot over when full; `pending`: also when the next read would wait. */
  readonly fillPolicy?: "full" | "pending";
  /** SO_RCVLOWAT for the data phase: fewer, larger socket reads. */
  readonly rcvLowatBytes?: number;
  /** `SSL_CTX_set_read_ahead` (on unless false). */
  readonly readAhead?: boolean;
}

/** One connection: `write` the request once, then `read` until `null`; `close` any time. */
export class SocketTlsConn {
  readonly #worker: Worker;
  readonly #control: Int32Array;
  readonly #ring: Uint8Array;
  readonly #slotBytes: number;
  readonly #libc: Deno.DynamicLibrary<typeof LIBC_SYMBOLS>;
  readonly #queue: WorkerToMain[] = [];
  #wake: (() => void) | undefined;
  #current: { slot: number; offset: number; length: number } | undefined;
  #sent = false;
  #closed = false;
  #exited = false;
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  fingerprint = "";

  private constructor(options: SocketTlsOptions) {
    const slots = options.slots ?? 4;
    this.#slotBytes = options.slotBytes ?? 1024 * 1024;
    const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
    const ring = new SharedArrayBuffer(slots * this.#slotBytes);
    this.#control = new Int32Array(control);
    this.#control[CTRL.FD] = -1;
    this.#ring = new Uint8Array(ring);
    this.#libc = Deno.dlopen(LIBC, LIBC_SYMBOLS);
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.#worker = new Worker(new URL("./socket_tls_worker.ts", import.meta.url), {
      type: "module",
    });
    this.#worker.onmessage = (event: MessageEvent<WorkerToMain>) => {
      const message = event.data;
      if (message.type === "exited") {
        this.#exited = true;
        this.#worker.terminate();
        this.#libc.close();
        this.#resolveClosed();
      } else this.#queue.push(message);
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
    };
    this.#post({
      type: "open",
      host: options.host,
      port: options.port,
      serverName: options.serverName,
      timeoutMs: options.timeoutMs,
      control,
      ring,
      slots,
      readBufferBytes: options.readBufferBytes ?? 0,
      fillPolicy: options.fillPolicy ?? "full",
      rcvLowatBytes: options.rcvLowatBytes ?? 0,
      readAhead: options.readAhead ?? true,
    });
  }

  /**
   * Connects and completes the handshake; the caller checks `fingerprint` before writing.
   *
   * @throws {SocketTlsError}
   */
  static async connect(options: SocketTlsOptions): Promise<SocketTlsConn> {
    const conn = new SocketTlsConn(options);
    const first = await conn.#next();
    if (first.type === "connected") {
      conn.fingerprint = first.fingerprint;
      return conn;
    }
    conn.close();
    await conn.closed;
    throw first.type === "end"
      ? new SocketTlsError(first.kind, first.message)
      : new SocketTlsError("closed", "closed");
  }

  #post(message: MainToWorker): void {
    this.#worker.postMessage(message);
  }

  async #next(): Promise<WorkerToMain> {
    for (;;) {
      const message = this.#queue.shift();
      if (message !== undefined) return message;
      if (this.#exited) return { type: "end", kind: "closed", message: "closed" };
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }

  /** Sends the request (once). */
  write(p: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("closed"));
    if (this.#sent) return Promise.reject(new Error("one request per connection"));
    this.#sent = true;
    this.#post({ type: "send", bytes: p.slice() });
    return Promise.resolve(p.length);
  }

  /** Decrypted bytes into `p`; `null` after the holder's close_notify. */
  async read(p: Uint8Array): Promise<number | null> {
    if (this.#closed) throw new Deno.errors.BadResource("the TLS connection is closed");
    if (p.length === 0) return 0;
    if (this.#current === undefined) {
      const message = await this.#next();
      if (this.#closed) throw new Deno.errors.BadResource("the TLS connection is closed");
      if (message.type === "end") {
        this.#queue.unshift(message);
        if (message.kind === "eof") return null;
        if (message.kind === "eof-without-notify") {
          throw new Deno.errors.UnexpectedEof(message.message);
        }
        throw new Deno.errors.ConnectionReset(message.message);
      }
      if (message.type !== "data") throw new Error(`unexpected ${message.type}`);
      this.#current = { slot: message.slot, offset: 0, length: message.length };
    }
    const current = this.#current;
    const start = current.slot * this.#slotBytes + current.offset;
    const take = Math.min(p.length, current.length - current.offset);
    p.set(this.#ring.subarray(start, start + take));
    current.offset += take;
    if (current.offset === current.length) {
      this.#current = undefined;
      Atomics.add(this.#control, CTRL.CONSUMED, 1);
      Atomics.notify(this.#control, CTRL.CONSUMED);
    }
    return take;
  }

  /**
   * The next filled slot itself, without a copy; valid until the next call (which hands the slot
   * back to the worker). `null` after the holder's close_notify.
   */
  async readView(): Promise<Uint8Array | null> {
    if (this.#current !== undefined) {
      this.#current = undefined;
      Atomics.add(this.#control, CTRL.CONSUMED, 1);
      Atomics.notify(this.#control, CTRL.CONSUMED);
    }
    const message = await this.#next();
    if (message.type === "end") {
      this.#queue.unshift(message);
      if (message.kind === "eof") return null;
      throw new Deno.errors.ConnectionReset(message.message);
    }
    if (message.type !== "data") throw new Error(`unexpected ${message.type}`);
    this.#current = { slot: message.slot, offset: message.length, length: message.length };
    const start = message.slot * this.#slotBytes;
    return this.#ring.subarray(start, start + message.length);
  }

  /** Stops the worker's blocking calls (`shutdown`); `closed` resolves once all is freed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#exited) return;
    const c = this.#control;
    if (Atomics.compareExchange(c, CTRL.STATE, STATE_OPEN, STATE_CLOSING) === STATE_OPEN) {
      const fd = Atomics.load(c, CTRL.FD);
      if (fd >= 0) this.#libc.symbols.shutdown(fd, SHUT_RDWR);
      Atomics.store(c, CTRL.SHUT_DONE, 1);
      Atomics.notify(c, CTRL.SHUT_DONE);
    }
    Atomics.notify(c, CTRL.CONSUMED);
    // A worker waiting for the request (not blocked in a native call) hears this instead.
    if (!this.#sent) this.#post({ type: "close" });
  }
}
