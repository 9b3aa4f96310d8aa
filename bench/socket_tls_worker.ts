/**
 * NOT USED BY THE PEER (issue 14; it did not pay, docs/performance.md "A socket-owning OpenSSL
 * client on a worker"). The worker half of `socket_tls_client.ts` (see there): owns one TCP socket and one OpenSSL TLS
 * 1.3 client on it, both driven by blocking calls on this thread.
 *
 * Phases: `open` (socket, nonblocking connect bounded by `poll`, handshake bounded by
 * SO_RCVTIMEO/SO_SNDTIMEO) → post `connected` with the certificate's fingerprint → wait for a
 * `send` (the request, once the main thread has checked the pin) or a `close` → write the request
 * → fill the shared ring with `SSL_read`s, one `data` message per slot, blocking in
 * `Atomics.wait` while every slot is full → post `end` → free everything → post `exited`.
 *
 * The main thread unblocks this one by `shutdown(fd)`; the fd is closed only here, and only once
 * the main thread can no longer call `shutdown` on its number (the `STATE` handshake below).
 *
 * @module
 */

/// <reference lib="deno.worker" />

import {
  type CloseKind,
  CTRL,
  type MainToWorker,
  STATE_CLOSING,
  STATE_FINISHED,
  STATE_OPEN,
  type WorkerToMain,
} from "./socket_tls_shared.ts";

const LIBC = "/lib/x86_64-linux-gnu/libc.so.6";
const LIBSSL = "/usr/lib/x86_64-linux-gnu/libssl.so.3";
const LIBCRYPTO = "/usr/lib/x86_64-linux-gnu/libcrypto.so.3";

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const SOCK_NONBLOCK = 0o4000;
const SOL_SOCKET = 1;
const SO_ERROR = 4;
const SO_RCVTIMEO = 20;
const SO_SNDTIMEO = 21;
const SO_RCVLOWAT = 18;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
const POLLOUT = 4;
const EINPROGRESS = 115;
const EINTR = 4;

const SSL_ERROR_SSL = 1;
const SSL_ERROR_SYSCALL = 5;
const SSL_ERROR_ZERO_RETURN = 6;
const SSL_CTRL_SET_TLSEXT_HOSTNAME = 55;
const SSL_CTRL_SET_MIN_PROTO_VERSION = 123;
const SSL_CTRL_SET_READ_AHEAD = 41;
const TLS1_3_VERSION = 0x0304;
const SHA256_BYTES = 32;

const LIBC_SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
  inet_pton: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

const SSL_SYMBOLS = {
  TLS_client_method: { parameters: [], result: "pointer" },
  SSL_CTX_new: { parameters: ["pointer"], result: "pointer" },
  SSL_CTX_free: { parameters: ["pointer"], result: "void" },
  SSL_CTX_ctrl: { parameters: ["pointer", "i32", "i64", "pointer"], result: "i64" },
  SSL_CTX_set_verify: { parameters: ["pointer", "i32", "pointer"], result: "void" },
  SSL_CTX_set_default_read_buffer_len: { parameters: ["pointer", "usize"], result: "void" },
  SSL_new: { parameters: ["pointer"], result: "pointer" },
  SSL_free: { parameters: ["pointer"], result: "void" },
  SSL_set_fd: { parameters: ["pointer", "i32"], result: "i32" },
  SSL_ctrl: { parameters: ["pointer", "i32", "i64", "buffer"], result: "i64" },
  SSL_connect: { parameters: ["pointer"], result: "i32" },
  SSL_read: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  SSL_write: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  SSL_get_error: { parameters: ["pointer", "i32"], result: "i32" },
  SSL_get1_peer_certificate: { parameters: ["pointer"], result: "pointer" },
  SSL_has_pending: { parameters: ["pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

const CRYPTO_SYMBOLS = {
  EVP_sha256: { parameters: [], result: "pointer" },
  X509_digest: { parameters: ["pointer", "pointer", "buffer", "buffer"], result: "i32" },
  X509_free: { parameters: ["pointer"], result: "void" },
  ERR_clear_error: { parameters: [], result: "void" },
  ERR_get_error: { parameters: [], result: "u64" },
  ERR_peek_error: { parameters: [], result: "u64" },
  ERR_error_string_n: { parameters: ["u64", "buffer", "usize"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

const libc = Deno.dlopen(LIBC, LIBC_SYMBOLS).symbols;
const ssl = Deno.dlopen(LIBSSL, SSL_SYMBOLS).symbols;
const crypto = Deno.dlopen(LIBCRYPTO, CRYPTO_SYMBOLS).symbols;

class Failure extends Error {
  constructor(readonly kind: CloseKind, message: string) {
    super(message);
  }
}

const post = (message: WorkerToMain) => self.postMessage(message);

function errno(): number {
  const where = libc.__errno_location();
  return where === null ? 0 : new Deno.UnsafePointerView(where).getInt32();
}

function errnoText(code: number): string {
  const text = libc.strerror(code);
  return text === null ? `errno ${code}` : Deno.UnsafePointerView.getCString(text);
}

function sslErrorText(sslError: number): string {
  const code = crypto.ERR_get_error();
  if (code === 0n) {
    if (sslError === SSL_ERROR_SYSCALL) {
      const e = errno();
      return e === 0 ? "unexpected end of the stream" : errnoText(e);
    }
    return sslError === SSL_ERROR_SSL ? "protocol error" : `SSL error ${sslError}`;
  }
  const text = new Uint8Array(256);
  crypto.ERR_error_string_n(code, text, BigInt(text.length));
  const end = text.indexOf(0);
  return new TextDecoder().decode(text.subarray(0, end < 0 ? text.length : end));
}

function socketAddress(host: string, port: number): { family: number; bytes: Uint8Array } {
  const name = new TextEncoder().encode(host.replace(/^\[|\]$/g, "") + "\0");
  const v4 = new Uint8Array(4);
  if (libc.inet_pton(AF_INET, name, v4) === 1) {
    const sa = new Uint8Array(16);
    const view = new DataView(sa.buffer);
    view.setUint16(0, AF_INET, true);
    view.setUint16(2, port, false);
    sa.set(v4, 4);
    return { family: AF_INET, bytes: sa };
  }
  const v6 = new Uint8Array(16);
  if (libc.inet_pton(AF_INET6, name, v6) === 1) {
    const sa = new Uint8Array(28);
    const view = new DataView(sa.buffer);
    view.setUint16(0, AF_INET6, true);
    view.setUint16(2, port, false);
    sa.set(v6, 8);
    return { family: AF_INET6, bytes: sa };
  }
  throw new Failure("connect", `${host} is not a numeric address`);
}

function setTimeouts(fd: number, ms: number): void {
  const tv = new BigInt64Array([BigInt(Math.floor(ms / 1000)), BigInt((ms % 1000) * 1000)]);
  const bytes = new Uint8Array(tv.buffer);
  libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, bytes, 16);
  libc.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, bytes, 16);
}

let ctrl: Int32Array;
let ring: Uint8Array;
let slots = 0;
let slotBytes = 0;
let fd = -1;
let ctx: Deno.PointerObject | null = null;
let conn: Deno.PointerObject | null = null;

function closing(): boolean {
  return Atomics.load(ctrl, CTRL.STATE) === STATE_CLOSING;
}

function open(host: string, port: number, serverName: string, timeoutMs: number): string {
  const address = socketAddress(host, port);
  fd = libc.socket(address.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw new Failure("connect", `socket: ${errnoText(errno())}`);
  Atomics.store(ctrl, CTRL.FD, fd);
  // The main thread may have begun closing before it could see the fd.
  if (closing()) throw new Failure("closed", "closed");
  const where = `${host}:${port}`;
  if (libc.connect(fd, address.bytes, address.bytes.length) !== 0) {
    const e = errno();
    if (e !== EINPROGRESS) {
      throw new Failure("connect", `could not connect to ${where}: ${errnoText(e)}`);
    }
    const pfd = new Uint8Array(8);
    new DataView(pfd.buffer).setInt32(0, fd, true);
    new DataView(pfd.buffer).setInt16(4, POLLOUT, true);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const left = Math.max(0, Math.ceil(deadline - performance.now()));
      const ready = libc.poll(pfd, 1n, left);
      if (ready > 0) break;
      if (ready < 0 && errno() === EINTR) continue;
      if (closing()) throw new Failure("closed", "closed");
      throw new Failure("connect", `no connection to ${where} within ${timeoutMs / 1000} s`);
    }
    if (closing()) throw new Failure("closed", "closed");
    const soError = new Int32Array(1);
    const soLength = new Uint32Array([4]);
    libc.getsockopt(
      fd,
      SOL_SOCKET,
      SO_ERROR,
      new Uint8Array(soError.buffer),
      new Uint8Array(soLength.buffer),
    );
    if (soError[0] !== 0) {
      throw new Failure(
        "connect",
        soError[0] === 111
          ? `connection refused by ${where}`
          : `could not connect to ${where}: ${errnoText(soError[0])}`,
      );
    }
  }
  libc.fcntl(fd, F_SETFL, libc.fcntl(fd, F_GETFL, 0) & ~O_NONBLOCK);
  setTimeouts(fd, timeoutMs);

  const method = ssl.TLS_client_method();
  ctx = method === null ? null : ssl.SSL_CTX_new(method);
  if (ctx === null) throw new Failure("no-tls", "SSL_CTX_new failed");
  ssl.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, BigInt(TLS1_3_VERSION), null);
  ssl.SSL_CTX_set_verify(ctx, 0, null);
  if (readAhead) ssl.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_READ_AHEAD, 1n, null);
  if (readBufferBytes > 0) ssl.SSL_CTX_set_default_read_buffer_len(ctx, BigInt(readBufferBytes));
  conn = ssl.SSL_new(ctx);
  if (conn === null) throw new Failure("no-tls", "SSL_new failed");
  if (ssl.SSL_set_fd(conn, fd) !== 1) throw new Failure("no-tls", "SSL_set_fd failed");
  ssl.SSL_ctrl(conn, SSL_CTRL_SET_TLSEXT_HOSTNAME, 0n, new TextEncoder().encode(serverName + "\0"));
  crypto.ERR_clear_error();
  const result = ssl.SSL_connect(conn);
  if (result !== 1) {
    const error = ssl.SSL_get_error(conn, result);
    if (closing()) throw new Failure("closed", "closed");
    const cert = ssl.SSL_get1_peer_certificate(conn);
    if (cert !== null) crypto.X509_free(cert);
    throw new Failure(
      cert === null ? "no-tls" : "handshake",
      `TLS handshake failed: ${sslErrorText(error)}`,
    );
  }
  const cert = ssl.SSL_get1_peer_certificate(conn);
  if (cert === null) throw new Failure("handshake", "the holder presented no certificate");
  try {
    const sha256 = crypto.EVP_sha256();
    const md = new Uint8Array(64);
    const mdLength = new Uint32Array(1);
    if (crypto.X509_digest(cert, sha256, md, mdLength) !== 1 || mdLength[0] !== SHA256_BYTES) {
      throw new Failure("handshake", "cannot digest the holder's certificate");
    }
    return Array.from(md.subarray(0, SHA256_BYTES), (b) => b.toString(16).padStart(2, "0")).join(
      "",
    );
  } finally {
    crypto.X509_free(cert);
  }
}

function send(bytes: Uint8Array): void {
  // The data phase has no socket timeouts: the main thread's stall watch shuts the socket down.
  setTimeouts(fd, 0);
  if (rcvLowatBytes > 0) {
    libc.setsockopt(
      fd,
      SOL_SOCKET,
      SO_RCVLOWAT,
      new Uint8Array(new Int32Array([rcvLowatBytes]).buffer),
      4,
    );
  }
  let sent = 0;
  while (sent < bytes.length) {
    crypto.ERR_clear_error();
    const wrote = ssl.SSL_write(conn, bytes.subarray(sent), bytes.length - sent);
    if (wrote <= 0) {
      if (closing()) throw new Failure("closed", "closed");
      throw new Failure(
        "dropped",
        `could not send the request: ${sslErrorText(ssl.SSL_get_error(conn, wrote))}`,
      );
    }
    sent += wrote;
  }
}

/** Fills ring slots until close_notify (returns), an error or a close (throws). */
function receive(): void {
  let produced = 0;
  for (;;) {
    // Wait for a free slot (the main thread advances CONSUMED and notifies).
    for (;;) {
      if (closing()) throw new Failure("closed", "closed");
      const consumed = Atomics.load(ctrl, CTRL.CONSUMED);
      if (produced - consumed < slots) break;
      Atomics.wait(ctrl, CTRL.CONSUMED, consumed);
    }
    const slot = produced % slots;
    const view = ring.subarray(slot * slotBytes, (slot + 1) * slotBytes);
    let filled = 0;
    let ended: Failure | "eof" | undefined;
    while (filled < slotBytes) {
      crypto.ERR_clear_error();
      const got = ssl.SSL_read(conn, view.subarray(filled), slotBytes - filled);
      if (got > 0) {
        filled += got;
        // Hand over what arrived when the next read would wait for the network.
        if (fillPolicy === "pending" && ssl.SSL_has_pending(conn) === 0) break;
        continue;
      }
      const error = ssl.SSL_get_error(conn, got);
      if (error === SSL_ERROR_ZERO_RETURN) ended = "eof";
      else if (closing()) ended = new Failure("closed", "closed");
      else if (error === SSL_ERROR_SYSCALL && crypto.ERR_peek_error() === 0n && errno() === 0) {
        ended = new Failure(
          "eof-without-notify",
          "peer closed connection without sending TLS close_notify",
        );
      } else ended = new Failure("dropped", `TLS read failed: ${sslErrorText(error)}`);
      break;
    }
    if (filled > 0) {
      post({ type: "data", slot, length: filled });
      produced++;
    }
    if (ended === "eof") return;
    if (ended !== undefined) throw ended;
  }
}

let readBufferBytes = 0;
let rcvLowatBytes = 0;
let readAhead = true;
let fillPolicy: "full" | "pending" = "full";

function finish(): void {
  if (conn !== null) ssl.SSL_free(conn);
  if (ctx !== null) ssl.SSL_CTX_free(ctx);
  conn = null;
  ctx = null;
  if (fd >= 0) {
    // Close the fd only once the main thread cannot shut its number down any more.
    if (Atomics.compareExchange(ctrl, CTRL.STATE, STATE_OPEN, STATE_FINISHED) !== STATE_OPEN) {
      while (Atomics.load(ctrl, CTRL.SHUT_DONE) === 0) Atomics.wait(ctrl, CTRL.SHUT_DONE, 0);
    }
    libc.close(fd);
    fd = -1;
  }
  post({ type: "exited" });
}

self.onmessage = (event: MessageEvent<MainToWorker>) => {
  const message = event.data;
  try {
    if (message.type === "open") {
      ctrl = new Int32Array(message.control);
      ring = new Uint8Array(message.ring);
      slots = message.slots;
      slotBytes = message.ring.byteLength / slots;
      readBufferBytes = message.readBufferBytes;
      fillPolicy = message.fillPolicy;
      rcvLowatBytes = message.rcvLowatBytes;
      readAhead = message.readAhead;
      const fingerprint = open(message.host, message.port, message.serverName, message.timeoutMs);
      post({ type: "connected", fingerprint });
      return;
    }
    if (message.type === "send") {
      send(message.bytes);
      receive();
      post({ type: "end", kind: "eof", message: "" });
    } else {
      post({ type: "end", kind: "closed", message: "closed" });
    }
  } catch (error) {
    const kind = error instanceof Failure ? error.kind : "dropped";
    post({ type: "end", kind, message: error instanceof Error ? error.message : String(error) });
  }
  finish();
};
