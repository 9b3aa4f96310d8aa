/**
 * AES-256-GCM through OpenSSL's `libcrypto.so.3` called directly (`Deno.dlopen`): the same
 * primitive `node:crypto` uses, without the cipher object and stream Deno builds per message
 * (docs/performance.md, "Sealed datagrams"). One `EVP_CIPHER_CTX` per direction (seal, open) is
 * made once and given a new key and IV per datagram; every call is synchronous, so no two
 * datagrams share a context at once.
 *
 * Native buffers are never sized by the caller: every length is checked against
 * {@linkcode MAX_GCM_INPUT_BYTES} and the output's length before a call, and a decrypted body stays
 * in this module's scratch buffer (wiped on failure) until its tag has verified.
 *
 * @module
 */

import { MAX_DATAGRAM_BYTES } from "./limits.ts";
import type { Gcm } from "./gcm.ts";
import { type LibraryUnavailable, openLibrary } from "./ffi_library.ts";

/** Where the library is looked for, in order: the Debian path first (what `--allow-ffi` names). */
export const LIBCRYPTO_PATHS: readonly string[] = [
  "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
  "libcrypto.so.3",
];

/** No input (AAD or message) is larger than a datagram. */
export const MAX_GCM_INPUT_BYTES = MAX_DATAGRAM_BYTES;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

// From OpenSSL's <openssl/evp.h>; stable across 1.1 and 3.x.
const EVP_CTRL_GCM_SET_IVLEN = 0x9;
const EVP_CTRL_GCM_GET_TAG = 0x10;
const EVP_CTRL_GCM_SET_TAG = 0x11;

const SYMBOLS = {
  EVP_CIPHER_CTX_new: { parameters: [], result: "pointer" },
  EVP_CIPHER_CTX_free: { parameters: ["pointer"], result: "void" },
  EVP_aes_256_gcm: { parameters: [], result: "pointer" },
  EVP_EncryptInit_ex: {
    parameters: ["pointer", "pointer", "pointer", "buffer", "buffer"],
    result: "i32",
  },
  EVP_DecryptInit_ex: {
    parameters: ["pointer", "pointer", "pointer", "buffer", "buffer"],
    result: "i32",
  },
  EVP_CIPHER_CTX_ctrl: { parameters: ["pointer", "i32", "i32", "buffer"], result: "i32" },
  EVP_EncryptUpdate: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  EVP_DecryptUpdate: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  // The same two functions given AAD: a null output pointer is what makes OpenSSL read AAD, so
  // these bindings take the output as a pointer that is always null (never a buffer left empty).
  EVP_EncryptUpdate_aad: {
    name: "EVP_EncryptUpdate",
    parameters: ["pointer", "pointer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  EVP_DecryptUpdate_aad: {
    name: "EVP_DecryptUpdate",
    parameters: ["pointer", "pointer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  EVP_EncryptFinal_ex: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  EVP_DecryptFinal_ex: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

type Crypto = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Why the OpenSSL path is not available (the caller falls back to `node:crypto`). */
export type OpensslUnavailable = LibraryUnavailable;

/** The outcome of {@linkcode loadOpensslGcm}; never an exception. */
export type OpensslLoad =
  | { readonly ok: true; readonly gcm: OpensslGcm; readonly path: string }
  | { readonly ok: false; readonly why: OpensslUnavailable };

/** Thrown by {@linkcode OpensslGcm.seal} when OpenSSL reports a failure (never expected). */
export class OpensslGcmError extends Error {
  override name = "OpensslGcmError";
}

/**
 * Opens libcrypto and makes the two contexts, or says why not. Asks no permission prompt: a path
 * `--allow-ffi` does not cover is skipped.
 *
 * @example
 * ```ts
 * import { loadOpensslGcm } from "./openssl_gcm.ts";
 * const load = loadOpensslGcm();
 * console.log(load.ok ? `OpenSSL at ${load.path}` : load.why.kind);
 * if (load.ok) load.gcm.close();
 * ```
 */
export function loadOpensslGcm(paths: readonly string[] = LIBCRYPTO_PATHS): OpensslLoad {
  const opened = openLibrary(paths, SYMBOLS);
  if (!opened.ok) return opened;
  const { library, path } = opened;
  const made = OpensslGcm.make(library);
  if (typeof made === "string") {
    library.close();
    return { ok: false, why: { kind: "init-failed", step: made } };
  }
  return { ok: true, gcm: made, path };
}

/** AES-256-GCM over OpenSSL contexts made once; see the module's notes. */
export class OpensslGcm implements Gcm {
  readonly name = "openssl-ffi";
  readonly #library: Deno.DynamicLibrary<typeof SYMBOLS>;
  readonly #c: Crypto;
  readonly #sealCtx: Deno.PointerObject;
  readonly #openCtx: Deno.PointerObject;
  /** OpenSSL's `int *outl`. */
  readonly #outLength = new Int32Array(1);
  /** Where a body is decrypted before its tag is checked; never handed out. */
  readonly #scratch = new Uint8Array(MAX_GCM_INPUT_BYTES);
  /** Final_ex writes nothing for GCM, but gets a real buffer all the same. */
  readonly #finalOut = new Uint8Array(32);
  #closed = false;

  private constructor(
    library: Deno.DynamicLibrary<typeof SYMBOLS>,
    sealCtx: Deno.PointerObject,
    openCtx: Deno.PointerObject,
  ) {
    this.#library = library;
    this.#c = library.symbols;
    this.#sealCtx = sealCtx;
    this.#openCtx = openCtx;
  }

  /** Makes and sets up both contexts (cipher, 12-byte IV), or names the step that failed. */
  static make(library: Deno.DynamicLibrary<typeof SYMBOLS>): OpensslGcm | string {
    const c = library.symbols;
    const cipher = c.EVP_aes_256_gcm();
    if (cipher === null) return "EVP_aes_256_gcm";
    const sealCtx = c.EVP_CIPHER_CTX_new();
    const openCtx = c.EVP_CIPHER_CTX_new();
    const fail = (step: string) => {
      if (sealCtx !== null) c.EVP_CIPHER_CTX_free(sealCtx);
      if (openCtx !== null) c.EVP_CIPHER_CTX_free(openCtx);
      return step;
    };
    if (sealCtx === null || openCtx === null) return fail("EVP_CIPHER_CTX_new");
    if (c.EVP_EncryptInit_ex(sealCtx, cipher, null, null, null) !== 1) {
      return fail("EVP_EncryptInit_ex");
    }
    if (c.EVP_DecryptInit_ex(openCtx, cipher, null, null, null) !== 1) {
      return fail("EVP_DecryptInit_ex");
    }
    // 12 is GCM's default IV length; set it anyway so the contexts never depend on a default.
    for (const ctx of [sealCtx, openCtx]) {
      if (c.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_BYTES, null) !== 1) {
        return fail("EVP_CTRL_GCM_SET_IVLEN");
      }
    }
    return new OpensslGcm(library, sealCtx, openCtx);
  }

  /** Frees both contexts and closes the library; the object is unusable afterwards. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#c.EVP_CIPHER_CTX_free(this.#sealCtx);
    this.#c.EVP_CIPHER_CTX_free(this.#openCtx);
    this.#library.close();
  }

  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    front = 0,
  ): Uint8Array {
    checkKeyAndNonce(key, nonce);
    if (aad.length > MAX_GCM_INPUT_BYTES || plaintext.length > MAX_GCM_INPUT_BYTES) {
      throw new RangeError("a GCM input is larger than a datagram");
    }
    if (!Number.isSafeInteger(front) || front < 0 || front > MAX_GCM_INPUT_BYTES) {
      throw new RangeError("front must be 0 to a datagram's size");
    }
    if (this.#closed) throw new OpensslGcmError("OpenSSL GCM used after close");
    const c = this.#c;
    const ctx = this.#sealCtx;
    // Sized here, so OpenSSL's writes (the body, then the tag) always fit.
    const sealed = new Uint8Array(front + plaintext.length + TAG_BYTES);
    const out = front === 0 ? sealed : sealed.subarray(front);
    const outLength = this.#outLength;
    if (c.EVP_EncryptInit_ex(ctx, null, null, key, nonce) !== 1) fail("EVP_EncryptInit_ex");
    if (aad.length > 0 && c.EVP_EncryptUpdate_aad(ctx, null, outLength, aad, aad.length) !== 1) {
      fail("EVP_EncryptUpdate (AAD)");
    }
    let written = 0;
    if (plaintext.length > 0) {
      if (c.EVP_EncryptUpdate(ctx, out, outLength, plaintext, plaintext.length) !== 1) {
        fail("EVP_EncryptUpdate");
      }
      written = outLength[0];
    }
    if (c.EVP_EncryptFinal_ex(ctx, this.#finalOut, outLength) !== 1) fail("EVP_EncryptFinal_ex");
    // GCM is a stream mode: all of the body comes out of Update, nothing out of Final.
    if (written !== plaintext.length || outLength[0] !== 0) fail("EVP_Encrypt length");
    const tag = out.subarray(plaintext.length);
    if (c.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_BYTES, tag) !== 1) {
      fail("EVP_CTRL_GCM_GET_TAG");
    }
    return sealed;
  }

  open(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    body: Uint8Array,
    tag: Uint8Array,
  ): Uint8Array | undefined {
    if (key.length !== KEY_BYTES || nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) {
      return undefined;
    }
    if (aad.length > MAX_GCM_INPUT_BYTES || body.length > MAX_GCM_INPUT_BYTES || this.#closed) {
      return undefined;
    }
    const c = this.#c;
    const ctx = this.#openCtx;
    const scratch = this.#scratch;
    const outLength = this.#outLength;
    if (c.EVP_DecryptInit_ex(ctx, null, null, key, nonce) !== 1) return undefined;
    if (aad.length > 0 && c.EVP_DecryptUpdate_aad(ctx, null, outLength, aad, aad.length) !== 1) {
      return undefined;
    }
    let written = 0;
    if (body.length > 0) {
      if (c.EVP_DecryptUpdate(ctx, scratch, outLength, body, body.length) !== 1) {
        scratch.fill(0, 0, body.length);
        return undefined;
      }
      written = outLength[0];
    }
    const verified = written === body.length &&
      c.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_BYTES, tag) === 1 &&
      c.EVP_DecryptFinal_ex(ctx, this.#finalOut, outLength) > 0 && outLength[0] === 0;
    if (!verified) {
      // The unverified plaintext never leaves this buffer.
      scratch.fill(0, 0, body.length);
      return undefined;
    }
    return scratch.slice(0, body.length);
  }
}

function checkKeyAndNonce(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== KEY_BYTES) throw new RangeError("an AES-256-GCM key is 32 bytes");
  if (nonce.length !== NONCE_BYTES) throw new RangeError("a GCM nonce here is 12 bytes");
}

function fail(step: string): never {
  throw new OpensslGcmError(`OpenSSL ${step} failed`);
}
