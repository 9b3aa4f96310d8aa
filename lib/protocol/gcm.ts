/**
 * AES-256-GCM as sealed datagrams use it (one 12-byte nonce, AAD, a 16-byte tag), behind one small
 * interface so the fast OpenSSL path (`openssl_gcm.ts`) and `node:crypto` are interchangeable and
 * give byte-identical datagrams.
 *
 * @module
 */

import { createCipheriv, createDecipheriv } from "node:crypto";

const TAG_BYTES = 16;

/** One AES-256-GCM implementation. Both calls are synchronous. */
export interface Gcm {
  /** Shown in the tracker's start line. */
  readonly name: "node-crypto" | "openssl-ffi";
  /**
   * Encrypts `plaintext` and authenticates it with `aad`: ciphertext then the 16-byte tag, after
   * `front` bytes left zero for the caller (a datagram's header: one array per datagram instead
   * of two and a copy). Throws `RangeError` for a key other than 32 bytes, a nonce other than 12
   * or a negative `front` (caller bugs).
   */
  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    front?: number,
  ): Uint8Array;
  /**
   * The plaintext when `tag` verifies over `aad` and `body`, else undefined: unverified
   * plaintext is never returned. Never throws.
   */
  open(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    body: Uint8Array,
    tag: Uint8Array,
  ): Uint8Array | undefined;
}

/**
 * `node:crypto`: a cipher object per message (the IV is fixed when it is made), which is most of
 * its cost (docs/performance.md). Works wherever Deno does, with no permission.
 *
 * @example
 * ```ts
 * import { nodeGcm } from "./gcm.ts";
 * const key = new Uint8Array(32);
 * const nonce = new Uint8Array(12);
 * const aad = new Uint8Array(0);
 * const sealed = nodeGcm.seal(key, nonce, aad, new Uint8Array([1, 2, 3]));
 * const opened = nodeGcm.open(key, nonce, aad, sealed.subarray(0, 3), sealed.subarray(3));
 * console.assert(opened !== undefined && opened[2] === 3);
 * ```
 */
export const nodeGcm: Gcm = {
  name: "node-crypto",
  seal(key, nonce, aad, plaintext, front = 0) {
    if (!Number.isSafeInteger(front) || front < 0) throw new RangeError("front must be >= 0");
    // No options object: a 16-byte tag is GCM's default, and Deno copies the options into the
    // cipher's stream options on every call.
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    cipher.final();
    const out = new Uint8Array(front + body.length + TAG_BYTES);
    out.set(body, front);
    out.set(cipher.getAuthTag(), front + body.length);
    return out;
  },
  open(key, nonce, aad, body, tag) {
    if (tag.length !== TAG_BYTES) return undefined;
    try {
      // The tag length is fixed here, so a shortened tag can never be accepted.
      const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      const plain = decipher.update(body);
      decipher.final();
      // A plain view, not node's Buffer (whose `slice` shares memory).
      return new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
    } catch {
      // node:crypto reports a failed tag check only by throwing from final().
      return undefined;
    }
  },
};
