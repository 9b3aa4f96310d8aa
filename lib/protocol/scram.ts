/**
 * SCRAM-SHA-256 (RFC 5802/7677) as the v2 login uses it: key derivation, the auth message, client
 * proof, server signature, and PostgreSQL's verifier text. Pure arithmetic: no sockets, files or
 * clocks. Randomness is used only by {@linkcode newSalt} and {@linkcode newNonce}.
 *
 * Passwords are hashed as their UTF-8 bytes, unnormalised (no SASLprep), exactly as v1 compares
 * them.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto";
import {
  MAX_SCRAM_ITERATIONS,
  MIN_SCRAM_ITERATIONS,
  SCRAM_NONCE_BYTES,
  SCRAM_SALT_BYTES,
} from "./limits.ts";

/** What a tracker keeps about a SCRAM user: enough to check a proof, never enough to make one. */
export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Uint8Array;
  /** `SHA-256(ClientKey)`. */
  readonly storedKey: Uint8Array;
  /** `HMAC(SaltedPassword, "Server Key")`. */
  readonly serverKey: Uint8Array;
}

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

/** How every verifier in a credentials file begins. */
export const SCRAM_VERIFIER_PREFIX = "SCRAM-SHA-256$";

/** Bytes of a SHA-256 digest: the length of every key, proof and signature. */
export const SCRAM_KEY_BYTES = 32;

const encoder = new TextEncoder();
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard base64 with padding.
 *
 * @example
 * ```ts
 * import { encodeBase64 } from "./scram.ts";
 * console.assert(encodeBase64(new TextEncoder().encode("n,,")) === "biws");
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * Decodes standard, padded, canonical base64; anything else (other alphabets, missing padding,
 * whitespace, stray bits in the last character) gives `undefined`, never an exception.
 *
 * @example
 * ```ts
 * import { decodeBase64 } from "./scram.ts";
 * console.assert(decodeBase64("biws")?.length === 3);
 * console.assert(decodeBase64("biw") === undefined);
 * ```
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!CANONICAL_BASE64.test(text)) return undefined;
  const bytes = new Uint8Array(Buffer.from(text, "base64"));
  // `QR==` passes the pattern but is not what any encoder writes for its one byte.
  return encodeBase64(bytes) === text ? bytes : undefined;
}

/**
 * Whether `iterations` is a PBKDF2 round count this program accepts, from a file or a tracker.
 *
 * @example
 * ```ts
 * import { isAcceptableIterations } from "./scram.ts";
 * console.assert(isAcceptableIterations(4096));
 * console.assert(!isAcceptableIterations(1e9));
 * ```
 */
export function isAcceptableIterations(iterations: number): boolean {
  return Number.isSafeInteger(iterations) && iterations >= MIN_SCRAM_ITERATIONS &&
    iterations <= MAX_SCRAM_ITERATIONS;
}

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
 * PostgreSQL's text for a verifier:
 * `SCRAM-SHA-256$<iterations>:<salt-b64>$<StoredKey-b64>:<ServerKey-b64>`.
 *
 * @example
 * ```ts
 * import { formatVerifier } from "./scram.ts";
 * const text = formatVerifier({
 *   iterations: 4096,
 *   salt: new Uint8Array(16),
 *   storedKey: new Uint8Array(32),
 *   serverKey: new Uint8Array(32),
 * });
 * console.assert(text.startsWith("SCRAM-SHA-256$4096:AAAAAAAAAAAAAAAAAAAAAA==$"));
 * ```
 */
export function formatVerifier(verifier: ScramVerifier): string {
  return `${SCRAM_VERIFIER_PREFIX}${verifier.iterations}:${encodeBase64(verifier.salt)}` +
    `$${encodeBase64(verifier.storedKey)}:${encodeBase64(verifier.serverKey)}`;
}

/**
 * Reads PostgreSQL's verifier text. Gives `undefined` — never throws — unless the text is exactly
 * the prefix, a decimal iteration count within the accepted range, a non-empty canonical base64
 * salt, and two canonical base64 keys of 32 bytes each.
 *
 * @example
 * ```ts
 * import { formatVerifier, parseVerifier } from "./scram.ts";
 * const text = "SCRAM-SHA-256$4096:AAAAAAAAAAAAAAAAAAAAAA==$" +
 *   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
 * const verifier = parseVerifier(text);
 * console.assert(verifier !== undefined && formatVerifier(verifier) === text);
 * console.assert(parseVerifier("SCRAM-SHA-256$1:x$y:z") === undefined);
 * ```
 */
export function parseVerifier(text: string): ScramVerifier | undefined {
  if (!text.startsWith(SCRAM_VERIFIER_PREFIX)) return undefined;
  const match = /^([1-9][0-9]{0,8}):([^$:]+)\$([^$:]+):([^$:]+)$/.exec(
    text.slice(SCRAM_VERIFIER_PREFIX.length),
  );
  if (match === null) return undefined;
  const iterations = Number(match[1]);
  const salt = decodeBase64(match[2]);
  const storedKey = decodeBase64(match[3]);
  const serverKey = decodeBase64(match[4]);
  if (
    !isAcceptableIterations(iterations) || salt === undefined || salt.length === 0 ||
    storedKey?.length !== SCRAM_KEY_BYTES || serverKey?.length !== SCRAM_KEY_BYTES
  ) {
    return undefined;
  }
  return { iterations, salt, storedKey, serverKey };
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
