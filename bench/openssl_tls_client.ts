/**
 * NOT USED BY THE PEER: a benchmark contender kept so the measurement in docs/performance.md
 * ("TLS costs…", issue 14) can be repeated with `bench/tls_client.ts`. It did not pay: the peer's
 * downloads stay on Deno's TLS.
 *
 * A TLS 1.3 client over OpenSSL's `libssl.so.3` called directly (`Deno.dlopen`), with memory BIOs
 * between it and a plain Deno TCP connection: ciphertext is read from the socket in chunks of up
 * to 1 MiB, so one async operation carries some sixty 16 KiB records, where a Deno `TlsConn` read
 * returns one (docs/performance.md, "TLS costs…"). OpenSSL does the handshake, the record layer and
 * the cipher; this module only moves bytes between the socket and the BIOs.
 *
 * The holder is not verified against a CA: its certificate's SHA-256 (of the DER) must equal the
 * pinned fingerprint, checked after the handshake (in which TLS 1.3 makes the holder sign the
 * transcript with that certificate's key) and before the caller sends a byte.
 *
 * Native memory: every length given to OpenSSL is the length of the JS buffer it reads or writes
 * (checked before the call), the `SSL` object (which owns both BIOs) is freed exactly once, and no
 * native call is made once the connection is closed — checked after every `await`, since a close
 * may come in while a socket read is pending.
 *
 * @module
 */

import { LIBCRYPTO_PATHS } from "../lib/protocol/openssl_gcm.ts";
import { type LibraryUnavailable, openLibrary } from "../lib/protocol/ffi_library.ts";
import { encodeHex } from "../lib/protocol/mod.ts";

/** Where libssl is looked for: the Debian path `--allow-ffi` names. */
export const LIBSSL_PATHS: readonly string[] = ["/usr/lib/x86_64-linux-gnu/libssl.so.3"];

/** Ciphertext read from the socket per async operation. */
const CIPHER_CHUNK_BYTES = 1024 * 1024;
/** The most plaintext handed to one `SSL_write` (OpenSSL splits it into records). */
const MAX_WRITE_BYTES = 1024 * 1024;
/** The most one `SSL_read` is asked for (an `int`; a record is at most 16 KiB anyway). */
const MAX_READ_BYTES = 1 << 30;

// From OpenSSL 3's <openssl/ssl.h>, <openssl/bio.h>, <openssl/tls1.h>.
const SSL_ERROR_SSL = 1;
const SSL_ERROR_WANT_READ = 2;
const SSL_ERROR_WANT_WRITE = 3;
const SSL_ERROR_SYSCALL = 5;
const SSL_ERROR_ZERO_RETURN = 6;
const SSL_CTRL_SET_TLSEXT_HOSTNAME = 55;
const TLSEXT_NAMETYPE_HOST_NAME = 0;
const SSL_CTRL_SET_MIN_PROTO_VERSION = 123;
const TLS1_3_VERSION = 0x0304;
const SSL_VERIFY_NONE = 0;
const BIO_CTRL_PENDING = 10;
const EVP_MAX_MD_SIZE = 64;
const SHA256_BYTES = 32;

const SSL_SYMBOLS = {
  TLS_client_method: { parameters: [], result: "pointer" },
  SSL_CTX_new: { parameters: ["pointer"], result: "pointer" },
  SSL_CTX_free: { parameters: ["pointer"], result: "void" },
  SSL_CTX_ctrl: { parameters: ["pointer", "i32", "i64", "pointer"], result: "i64" },
  SSL_CTX_set_ciphersuites: { parameters: ["pointer", "buffer"], result: "i32" },
  SSL_CTX_set_verify: { parameters: ["pointer", "i32", "pointer"], result: "void" },
  SSL_new: { parameters: ["pointer"], result: "pointer" },
  SSL_free: { parameters: ["pointer"], result: "void" },
  SSL_set_bio: { parameters: ["pointer", "pointer", "pointer"], result: "void" },
  SSL_set_connect_state: { parameters: ["pointer"], result: "void" },
  SSL_ctrl: { parameters: ["pointer", "i32", "i64", "buffer"], result: "i64" },
  SSL_do_handshake: { parameters: ["pointer"], result: "i32" },
  SSL_read: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  SSL_write: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  SSL_get_error: { parameters: ["pointer", "i32"], result: "i32" },
  SSL_get1_peer_certificate: { parameters: ["pointer"], result: "pointer" },
  SSL_shutdown: { parameters: ["pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

const CRYPTO_SYMBOLS = {
  BIO_s_mem: { parameters: [], result: "pointer" },
  BIO_new: { parameters: ["pointer"], result: "pointer" },
  BIO_free: { parameters: ["pointer"], result: "i32" },
  BIO_write: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  BIO_read: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  BIO_ctrl: { parameters: ["pointer", "i32", "i64", "pointer"], result: "i64" },
  EVP_sha256: { parameters: [], result: "pointer" },
  X509_digest: { parameters: ["pointer", "pointer", "buffer", "buffer"], result: "i32" },
  X509_free: { parameters: ["pointer"], result: "void" },
  ERR_clear_error: { parameters: [], result: "void" },
  ERR_get_error: { parameters: [], result: "u64" },
  ERR_error_string_n: { parameters: ["u64", "buffer", "usize"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

type Ssl = Deno.DynamicLibrary<typeof SSL_SYMBOLS>["symbols"];
type Crypto = Deno.DynamicLibrary<typeof CRYPTO_SYMBOLS>["symbols"];

/** Why the OpenSSL TLS path is not available (the caller uses Deno's TLS). */
export type OpensslTlsUnavailable = LibraryUnavailable;

/** The outcome of {@linkcode loadOpensslTls}; never an exception. */
export type OpensslTlsLoad =
  | { readonly ok: true; readonly client: OpensslTlsClient; readonly path: string }
  | { readonly ok: false; readonly why: OpensslTlsUnavailable };

/** How a handshake failed: `no-tls` before any certificate, `handshake` after one was shown. */
export type HandshakeFailureKind = "no-tls" | "handshake" | "closed";

/** A handshake that did not complete; `kind` tells the caller whom to blame. */
export class HandshakeError extends Error {
  override name = "HandshakeError";
  constructor(readonly kind: HandshakeFailureKind, message: string) {
    super(message);
  }
}

/**
 * Opens libssl and libcrypto and makes one client context (TLS 1.3 only, no CA verification: the
 * pin is checked by the caller; `suites` in OpenSSL's TLS 1.3 syntax when given), or says why not.
 * Asks no permission prompt.
 */
export function loadOpensslTls(
  sslPaths: readonly string[] = LIBSSL_PATHS,
  cryptoPaths: readonly string[] = LIBCRYPTO_PATHS,
  suites?: string,
): OpensslTlsLoad {
  const crypto = openLibrary(cryptoPaths, CRYPTO_SYMBOLS);
  if (!crypto.ok) return crypto;
  const ssl = openLibrary(sslPaths, SSL_SYMBOLS);
  if (!ssl.ok) {
    crypto.library.close();
    return ssl;
  }
  const s = ssl.library.symbols;
  const fail = (step: string): OpensslTlsLoad => {
    ssl.library.close();
    crypto.library.close();
    return { ok: false, why: { kind: "init-failed", step } };
  };
  const method = s.TLS_client_method();
  if (method === null) return fail("TLS_client_method");
  const ctx = s.SSL_CTX_new(method);
  if (ctx === null) return fail("SSL_CTX_new");
  if (
    Number(s.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, BigInt(TLS1_3_VERSION), null)) !== 1
  ) {
    s.SSL_CTX_free(ctx);
    return fail("SSL_CTX_set_min_proto_version");
  }
  s.SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, null);
  if (suites !== undefined) {
    const list = new TextEncoder().encode(suites + "\0");
    if (s.SSL_CTX_set_ciphersuites(ctx, list) !== 1) {
      s.SSL_CTX_free(ctx);
      return fail("SSL_CTX_set_ciphersuites");
    }
  }
  const sha256 = crypto.library.symbols.EVP_sha256();
  if (sha256 === null) {
    s.SSL_CTX_free(ctx);
    return fail("EVP_sha256");
  }
  return {
    ok: true,
    client: new OpensslTlsClient(ssl.library, crypto.library, ctx, sha256),
    path: ssl.path,
  };
}

/** One client context; makes a {@linkcode OpensslTlsConn} per connection. */
export class OpensslTlsClient {
  readonly #sslLibrary: Deno.DynamicLibrary<typeof SSL_SYMBOLS>;
  readonly #cryptoLibrary: Deno.DynamicLibrary<typeof CRYPTO_SYMBOLS>;
  readonly #ctx: Deno.PointerObject;
  readonly #sha256: Deno.PointerObject;
  #open = 0;
  #closed = false;

  constructor(
    sslLibrary: Deno.DynamicLibrary<typeof SSL_SYMBOLS>,
    cryptoLibrary: Deno.DynamicLibrary<typeof CRYPTO_SYMBOLS>,
    ctx: Deno.PointerObject,
    sha256: Deno.PointerObject,
  ) {
    this.#sslLibrary = sslLibrary;
    this.#cryptoLibrary = cryptoLibrary;
    this.#ctx = ctx;
    this.#sha256 = sha256;
  }

  /**
   * Runs a TLS 1.3 handshake over `tcp` (sending `serverName` as SNI) and returns the connection
   * with the SHA-256 of the certificate the server presented. Closes `tcp` on failure.
   *
   * @throws {HandshakeError}
   */
  async connect(tcp: Deno.Conn, serverName: string): Promise<OpensslTlsConn> {
    if (this.#closed) throw new HandshakeError("closed", "OpenSSL TLS used after close");
    const s = this.#sslLibrary.symbols;
    const c = this.#cryptoLibrary.symbols;
    const ssl = s.SSL_new(this.#ctx);
    if (ssl === null) throw new HandshakeError("no-tls", "SSL_new failed");
    const rbio = c.BIO_new(c.BIO_s_mem());
    const wbio = c.BIO_new(c.BIO_s_mem());
    if (rbio === null || wbio === null) {
      if (rbio !== null) c.BIO_free(rbio);
      if (wbio !== null) c.BIO_free(wbio);
      s.SSL_free(ssl);
      throw new HandshakeError("no-tls", "BIO_new failed");
    }
    // From here the SSL object owns both BIOs and frees them with itself.
    s.SSL_set_bio(ssl, rbio, wbio);
    s.SSL_set_connect_state(ssl);
    const name = new TextEncoder().encode(serverName + "\0");
    s.SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, BigInt(TLSEXT_NAMETYPE_HOST_NAME), name);
    this.#open++;
    const conn = new OpensslTlsConn(s, c, ssl, rbio, wbio, tcp, () => this.#released());
    try {
      await conn.handshake();
      conn.fingerprint = conn.peerFingerprint(this.#sha256);
      return conn;
    } catch (error) {
      conn.close();
      throw error;
    }
  }

  #released(): void {
    this.#open--;
    if (this.#closed && this.#open === 0) this.#free();
  }

  /** Frees the context and closes the libraries once every connection made is closed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#open === 0) this.#free();
  }

  #free(): void {
    this.#sslLibrary.symbols.SSL_CTX_free(this.#ctx);
    this.#sslLibrary.close();
    this.#cryptoLibrary.close();
  }
}

/**
 * One TLS connection: `read`, `write`, `closeWrite` and `close` as a Deno `Conn` has them. A read
 * returns `null` only after the peer's close_notify; a socket that ends without one is an
 * `UnexpectedEof` error, so a cut stream never looks complete.
 */
export class OpensslTlsConn {
  readonly #s: Ssl;
  readonly #c: Crypto;
  readonly #ssl: Deno.PointerObject;
  readonly #rbio: Deno.PointerObject;
  readonly #wbio: Deno.PointerObject;
  readonly #tcp: Deno.Conn;
  readonly #released: () => void;
  readonly #cipherIn = new Uint8Array(CIPHER_CHUNK_BYTES);
  #cipherOut = new Uint8Array(64 * 1024);
  #closed = false;
  #peerClosed = false;
  #flushing: Promise<void> = Promise.resolve();
  /** The SHA-256 of the server's certificate, 64 lowercase hex digits ("" before the handshake). */
  fingerprint = "";

  constructor(
    s: Ssl,
    c: Crypto,
    ssl: Deno.PointerObject,
    rbio: Deno.PointerObject,
    wbio: Deno.PointerObject,
    tcp: Deno.Conn,
    released: () => void,
  ) {
    this.#s = s;
    this.#c = c;
    this.#ssl = ssl;
    this.#rbio = rbio;
    this.#wbio = wbio;
    this.#tcp = tcp;
    this.#released = released;
  }

  get remoteAddr(): Deno.Addr {
    return this.#tcp.remoteAddr;
  }

  get localAddr(): Deno.Addr {
    return this.#tcp.localAddr;
  }

  /** Drives the handshake to its end. @throws {HandshakeError} */
  async handshake(): Promise<void> {
    for (;;) {
      this.#live();
      this.#c.ERR_clear_error();
      const result = this.#s.SSL_do_handshake(this.#ssl);
      const error = result === 1 ? 0 : this.#s.SSL_get_error(this.#ssl, result);
      try {
        await this.#flush();
      } catch (flushError) {
        throw new HandshakeError(this.#blame(), `TLS handshake: ${errorMessage(flushError)}`);
      }
      if (result === 1) return;
      if (error !== SSL_ERROR_WANT_READ && error !== SSL_ERROR_WANT_WRITE) {
        throw new HandshakeError(this.#blame(), `TLS handshake failed: ${this.#errorText(error)}`);
      }
      if (error === SSL_ERROR_WANT_READ) {
        let got: number | null;
        try {
          got = await this.#tcp.read(this.#cipherIn);
        } catch (readError) {
          throw new HandshakeError(this.#blame(), `TLS handshake: ${errorMessage(readError)}`);
        }
        if (got === null) {
          throw new HandshakeError(
            this.#blame(),
            "the peer closed the connection in the handshake",
          );
        }
        this.#feed(got);
      }
    }
  }

  /** The SHA-256 of the presented certificate's DER, hex; "" when there is none. */
  peerFingerprint(sha256: Deno.PointerObject): string {
    this.#live();
    const cert = this.#s.SSL_get1_peer_certificate(this.#ssl);
    if (cert === null) return "";
    try {
      const md = new Uint8Array(EVP_MAX_MD_SIZE);
      const mdLength = new Uint32Array(1);
      if (this.#c.X509_digest(cert, sha256, md, mdLength) !== 1 || mdLength[0] !== SHA256_BYTES) {
        return "";
      }
      return encodeHex(md.subarray(0, SHA256_BYTES));
    } finally {
      this.#c.X509_free(cert);
    }
  }

  /**
   * Decrypted bytes into `p`: what the records already received hold, else one socket read of
   * up to 1 MiB of ciphertext first. `null` after the peer's close_notify.
   */
  async read(p: Uint8Array): Promise<number | null> {
    if (p.length === 0) return 0;
    for (;;) {
      this.#live();
      const got = this.#drain(p);
      if (this.#wantsFlush()) await this.#flush();
      if (got > 0) return got;
      if (this.#peerClosed) return null;
      const read = await this.#tcp.read(this.#cipherIn);
      this.#live();
      if (read === null) {
        throw new Deno.errors.UnexpectedEof(
          "peer closed connection without sending TLS close_notify",
        );
      }
      this.#feed(read);
    }
  }

  /** Encrypts up to 1 MiB of `p` and sends the records; returns the bytes taken. */
  async write(p: Uint8Array): Promise<number> {
    this.#live();
    if (p.length === 0) return 0;
    const length = Math.min(p.length, MAX_WRITE_BYTES);
    this.#c.ERR_clear_error();
    const result = this.#s.SSL_write(this.#ssl, p, length);
    if (result <= 0) {
      const error = this.#s.SSL_get_error(this.#ssl, result);
      throw new Deno.errors.BrokenPipe(`TLS write failed: ${this.#errorText(error)}`);
    }
    await this.#flush();
    return result;
  }

  /** Sends close_notify and half-closes the socket. */
  async closeWrite(): Promise<void> {
    this.#live();
    this.#c.ERR_clear_error();
    this.#s.SSL_shutdown(this.#ssl);
    await this.#flush();
    await this.#tcp.closeWrite();
  }

  /** Frees the TLS state and closes the socket; a pending read or write then fails. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#s.SSL_free(this.#ssl);
    this.#released();
    this.#tcp.close();
  }

  #live(): void {
    if (this.#closed) throw new Deno.errors.BadResource("the TLS connection is closed");
  }

  /** Hands `length` bytes of `#cipherIn` to OpenSSL; a memory BIO takes all of them. */
  #feed(length: number): void {
    if (!Number.isSafeInteger(length) || length < 0 || length > this.#cipherIn.length) {
      throw new RangeError("socket read longer than its buffer");
    }
    if (length === 0) return;
    const wrote = this.#c.BIO_write(this.#rbio, this.#cipherIn, length);
    if (wrote !== length) {
      throw new Deno.errors.InvalidData("BIO_write took less than it was given");
    }
  }

  /** Runs `SSL_read` until `p` is full or OpenSSL needs more ciphertext. */
  #drain(p: Uint8Array): number {
    let filled = 0;
    while (filled < p.length && !this.#peerClosed) {
      const want = Math.min(p.length - filled, MAX_READ_BYTES);
      this.#c.ERR_clear_error();
      const result = this.#s.SSL_read(this.#ssl, p.subarray(filled), want);
      if (result > 0) {
        if (result > want) throw new RangeError("SSL_read returned more than asked for");
        filled += result;
        continue;
      }
      const error = this.#s.SSL_get_error(this.#ssl, result);
      if (error === SSL_ERROR_WANT_READ) break;
      if (error === SSL_ERROR_ZERO_RETURN) {
        this.#peerClosed = true;
        break;
      }
      // Bytes decrypted before a bad record are genuine; the error comes with the next read.
      if (filled > 0) break;
      throw new Deno.errors.InvalidData(`TLS record refused: ${this.#errorText(error)}`);
    }
    return filled;
  }

  #pending(): number {
    return Number(this.#c.BIO_ctrl(this.#wbio, BIO_CTRL_PENDING, 0n, null));
  }

  #wantsFlush(): boolean {
    return !this.#closed && this.#pending() > 0;
  }

  /** Sends every byte OpenSSL has written into the outgoing BIO. */
  #flush(): Promise<void> {
    // One flush at a time (a read may answer a KeyUpdate while a write is sending): the records
    // leave in the order OpenSSL made them, and `#cipherOut` has one user.
    const next = this.#flushing.then(() => this.#flushNow());
    this.#flushing = next.catch(() => {});
    return next;
  }

  async #flushNow(): Promise<void> {
    for (;;) {
      this.#live();
      const pending = this.#pending();
      if (pending <= 0) return;
      if (pending > this.#cipherOut.length) {
        this.#cipherOut = new Uint8Array(Math.min(MAX_WRITE_BYTES + 64 * 1024, pending));
      }
      const want = Math.min(pending, this.#cipherOut.length);
      const got = this.#c.BIO_read(this.#wbio, this.#cipherOut, want);
      if (got <= 0 || got > want) throw new Deno.errors.InvalidData("BIO_read failed");
      let sent = 0;
      while (sent < got) {
        sent += await this.#tcp.write(this.#cipherOut.subarray(sent, got));
        this.#live();
      }
    }
  }

  /** A failure after the server showed a certificate is the holder's; before, no TLS at all. */
  #blame(): HandshakeFailureKind {
    if (this.#closed) return "closed";
    const cert = this.#s.SSL_get1_peer_certificate(this.#ssl);
    if (cert === null) return "no-tls";
    this.#c.X509_free(cert);
    return "handshake";
  }

  #errorText(sslError: number): string {
    const code = this.#c.ERR_get_error();
    if (code === 0n) {
      return sslError === SSL_ERROR_SYSCALL
        ? "unexpected end of the stream"
        : sslError === SSL_ERROR_SSL
        ? "protocol error"
        : `SSL error ${sslError}`;
    }
    const text = new Uint8Array(256);
    this.#c.ERR_error_string_n(code, text, BigInt(text.length));
    const end = text.indexOf(0);
    return new TextDecoder().decode(text.subarray(0, end < 0 ? text.length : end));
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
