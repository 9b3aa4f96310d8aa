/**
 * SCRAM-SHA-256 (RFC 5802/7677) as the v2 login uses it: key derivation, the auth message, client
 * proof and server signature, and their checks on either side. Pure arithmetic: no sockets, files
 * or clocks. Randomness is used only by {@linkcode newSalt} and {@linkcode newNonce}. What a
 * tracker stores (the verifier and its text) is `scram_verifier.ts`; both are exported here too.
 *
 * Passwords are hashed as their UTF-8 bytes, unnormalised (no SASLprep), exactly as v1 compares
 * them.
 *
 * @module
 */

import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto";
import { encodeBase64 } from "./base64.ts";
import {
  MAX_SCRAM_ITERATIONS,
  MIN_SCRAM_ITERATIONS,
  SCRAM_NONCE_BYTES,
  SCRAM_SALT_BYTES,
} from "./limits.ts";
import { isAcceptableIterations, SCRAM_KEY_BYTES, type ScramVerifier } from "./scram_verifier.ts";

// SCRAM has one import for its users (the peer's login, the tracker, `passwd`): the verifier
// and its text, and the base64 every field is written in, are re-exported from here.
export { decodeBase64, encodeBase64 } from "./base64.ts";
export {
  formatVerifier,
  isAcceptableIterations,
  parseVerifier,
  SCRAM_KEY_BYTES,
  SCRAM_VERIFIER_PREFIX,
  type ScramVerifier,
} from "./scram_verifier.ts";

/** Everything a peer derives from its password for one salt and iteration count. */
export interface ScramClientKeys {
  /** `HMAC(SaltedPassword, "Client Key")`. */
  readonly clientKey: Uint8Array;
  /** `SHA-256(ClientKey)`. */
  readonly storedKey: Uint8Array;
  /** `HMAC(SaltedPassword, "Server Key")`: what the peer checks the tracker's signature with. */
  readonly serverKey: Uint8Array;
}

/** The values a login's auth message is built from. */
export interface AuthMessageParts {
  readonly user: string;
  /** The nonce the peer sent in `LOGIN`. */
  readonly clientNonce: string;
  /** The tracker's nonce from `CHALLENGE`: the client nonce with the tracker's part appended. */
  readonly nonce: string;
  readonly salt: Uint8Array;
  readonly iterations: number;
}

const encoder = new TextEncoder();
/**
 * Compares two byte strings in time that depends only on their lengths.
 *
 * @example
 * ```ts
 * import { constantTimeEqual } from "./scram.ts";
 * console.assert(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])));
 * console.assert(!constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 2])));
 * ```
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function hmac(key: Uint8Array, message: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHmac("sha256", key).update(message).digest());
}

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

function checkParameters(salt: Uint8Array, iterations: number): void {
  if (salt.length === 0) throw new RangeError("SCRAM salt is empty");
  if (!isAcceptableIterations(iterations)) {
    throw new RangeError(
      `SCRAM iterations ${iterations} outside ${MIN_SCRAM_ITERATIONS}–${MAX_SCRAM_ITERATIONS}`,
    );
  }
}

function keysFromSaltedPassword(salted: Uint8Array): ScramClientKeys {
  const clientKey = hmac(salted, "Client Key");
  return { clientKey, storedKey: sha256(clientKey), serverKey: hmac(salted, "Server Key") };
}

/**
 * `PBKDF2-HMAC-SHA-256(password, salt, iterations)`, computed off the main thread by WebCrypto.
 * Throws `RangeError` for an empty salt or iterations outside
 * {@linkcode MIN_SCRAM_ITERATIONS}–{@linkcode MAX_SCRAM_ITERATIONS}.
 *
 * @example
 * ```ts
 * import { saltedPassword } from "./scram.ts";
 * const salted = await saltedPassword("pencil", new Uint8Array(16), 4096);
 * console.assert(salted.length === 32);
 * ```
 */
export async function saltedPassword(
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array> {
  checkParameters(salt, iterations);
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(salt), iterations },
    key,
    SCRAM_KEY_BYTES * 8,
  );
  return new Uint8Array(bits);
}

/**
 * The peer's keys for a password, salt and iteration count (check the iteration count a tracker
 * sent with {@linkcode isAcceptableIterations} first; out-of-range values throw `RangeError`).
 *
 * @example
 * ```ts
 * import { decodeBase64, deriveClientKeys } from "./scram.ts";
 * const keys = await deriveClientKeys("pencil", decodeBase64("W22ZaJ0SNY7soEsUEjb6gQ==")!, 4096);
 * console.assert(keys.clientKey.length === 32);
 * ```
 */
export async function deriveClientKeys(
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<ScramClientKeys> {
  return keysFromSaltedPassword(await saltedPassword(password, salt, iterations));
}

/**
 * Like {@linkcode deriveClientKeys} but synchronous, blocking the thread for the whole PBKDF2
 * (about half a millisecond per thousand rounds): for callers that cannot wait, such as checking a v1
 * plaintext `auth` against a verifier.
 *
 * @example
 * ```ts
 * import { deriveClientKeysSync } from "./scram.ts";
 * console.assert(deriveClientKeysSync("pencil", new Uint8Array(16), 4096).storedKey.length === 32);
 * ```
 */
export function deriveClientKeysSync(
  password: string,
  salt: Uint8Array,
  iterations: number,
): ScramClientKeys {
  checkParameters(salt, iterations);
  const salted = pbkdf2Sync(encoder.encode(password), salt, iterations, SCRAM_KEY_BYTES, "sha256");
  return keysFromSaltedPassword(new Uint8Array(salted));
}

/**
 * The verifier a tracker stores for `password`: salt, iterations, StoredKey and ServerKey.
 *
 * @example
 * ```ts
 * import { deriveVerifier, newSalt } from "./scram.ts";
 * const verifier = await deriveVerifier("pencil", newSalt(), 4096);
 * console.assert(verifier.storedKey.length === 32 && verifier.serverKey.length === 32);
 * ```
 */
export async function deriveVerifier(
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<ScramVerifier> {
  const { storedKey, serverKey } = await deriveClientKeys(password, salt, iterations);
  return { iterations, salt: new Uint8Array(salt), storedKey, serverKey };
}

/**
 * The AuthMessage both sides sign:
 * `n=<user>,r=<client-nonce>,r=<nonce>,s=<salt-b64>,i=<iterations>,c=biws,r=<nonce>`.
 * Fields are inserted as given (no escaping), as docs/protocol.md defines it.
 *
 * @example
 * ```ts
 * import { authMessage } from "./scram.ts";
 * const message = authMessage({
 *   user: "alice",
 *   clientNonce: "abc",
 *   nonce: "abcdef",
 *   salt: new Uint8Array([1, 2, 3]),
 *   iterations: 4096,
 * });
 * console.assert(message === "n=alice,r=abc,r=abcdef,s=AQID,i=4096,c=biws,r=abcdef");
 * ```
 */
export function authMessage(parts: AuthMessageParts): string {
  const { user, clientNonce, nonce, salt, iterations } = parts;
  return `n=${user},r=${clientNonce},r=${nonce},s=${encodeBase64(salt)},i=${iterations}` +
    `,c=biws,r=${nonce}`;
}

/**
 * `ClientKey XOR HMAC(StoredKey, AuthMessage)`: what the peer sends in `PROOF`.
 *
 * @example
 * ```ts
 * import { clientProof, deriveClientKeys } from "./scram.ts";
 * const keys = await deriveClientKeys("pencil", new Uint8Array(16), 4096);
 * console.assert(clientProof(keys.clientKey, keys.storedKey, "n=a").length === 32);
 * ```
 */
export function clientProof(
  clientKey: Uint8Array,
  storedKey: Uint8Array,
  authMessage: string,
): Uint8Array {
  return xor(clientKey, hmac(storedKey, authMessage));
}

/**
 * `HMAC(ServerKey, AuthMessage)`: what the tracker sends in `WELCOME` to prove it knows the
 * verifier.
 *
 * @example
 * ```ts
 * import { deriveClientKeys, serverSignature } from "./scram.ts";
 * const keys = await deriveClientKeys("pencil", new Uint8Array(16), 4096);
 * console.assert(serverSignature(keys.serverKey, "n=a").length === 32);
 * ```
 */
export function serverSignature(serverKey: Uint8Array, authMessage: string): Uint8Array {
  return hmac(serverKey, authMessage);
}

/**
 * The tracker's check: recovers `ClientKey = proof XOR HMAC(StoredKey, AuthMessage)` and compares
 * `SHA-256(ClientKey)` with StoredKey in constant time. A proof of the wrong length is false.
 *
 * @example
 * ```ts
 * import { clientProof, deriveClientKeys, deriveVerifier, verifyClientProof } from "./scram.ts";
 * const salt = new Uint8Array(16);
 * const verifier = await deriveVerifier("pencil", salt, 4096);
 * const keys = await deriveClientKeys("pencil", salt, 4096);
 * const proof = clientProof(keys.clientKey, keys.storedKey, "n=a");
 * console.assert(verifyClientProof(verifier, "n=a", proof));
 * console.assert(!verifyClientProof(verifier, "n=b", proof));
 * ```
 */
export function verifyClientProof(
  verifier: ScramVerifier,
  authMessage: string,
  proof: Uint8Array,
): boolean {
  if (proof.length !== SCRAM_KEY_BYTES || verifier.storedKey.length !== SCRAM_KEY_BYTES) {
    return false;
  }
  const clientKey = xor(proof, hmac(verifier.storedKey, authMessage));
  return constantTimeEqual(sha256(clientKey), verifier.storedKey);
}

/**
 * The peer's check of `WELCOME`: whether `signature` is `HMAC(ServerKey, AuthMessage)`, compared
 * in constant time.
 *
 * @example
 * ```ts
 * import { deriveClientKeys, serverSignature, verifyServerSignature } from "./scram.ts";
 * const keys = await deriveClientKeys("pencil", new Uint8Array(16), 4096);
 * const signature = serverSignature(keys.serverKey, "n=a");
 * console.assert(verifyServerSignature(keys.serverKey, "n=a", signature));
 * ```
 */
export function verifyServerSignature(
  serverKey: Uint8Array,
  authMessage: string,
  signature: Uint8Array,
): boolean {
  return constantTimeEqual(serverSignature(serverKey, authMessage), signature);
}

/**
 * A salt that stands for `user` without a stored verifier: the first
 * {@linkcode SCRAM_SALT_BYTES} of `HMAC(secret, "PeerSync SCRAM salt\0" + user)`. The same
 * secret and user always give the same salt, and nobody without the secret can tell it from a
 * random one — so a tracker can answer for plaintext users and for unknown users alike.
 *
 * @example
 * ```ts
 * import { secretSalt } from "./scram.ts";
 * const secret = new Uint8Array(32);
 * console.assert(secretSalt(secret, "alice").length === 16);
 * console.assert(secretSalt(secret, "alice")[0] === secretSalt(secret, "alice")[0]);
 * ```
 */
export function secretSalt(secret: Uint8Array, user: string): Uint8Array {
  return hmac(secret, `PeerSync SCRAM salt\0${user}`).slice(0, SCRAM_SALT_BYTES);
}

/**
 * {@linkcode SCRAM_SALT_BYTES} random bytes for a new verifier.
 *
 * @example
 * ```ts
 * import { newSalt } from "./scram.ts";
 * console.assert(newSalt().length === 16);
 * ```
 */
export function newSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SCRAM_SALT_BYTES));
}

/**
 * {@linkcode SCRAM_NONCE_BYTES} random bytes in base64: a peer's client nonce, or the part a
 * tracker appends to it.
 *
 * @example
 * ```ts
 * import { newNonce } from "./scram.ts";
 * console.assert(newNonce().length === 24);
 * ```
 */
export function newNonce(): string {
  return encodeBase64(crypto.getRandomValues(new Uint8Array(SCRAM_NONCE_BYTES)));
}
