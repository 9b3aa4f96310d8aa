/**
 * What a tracker keeps about a SCRAM-SHA-256 user — a verifier, enough to check a proof and never
 * enough to make one — and the text it is stored as in a credentials file (PostgreSQL's format).
 * Pure; the parser never throws.
 *
 * @module
 */

import { decodeBase64, encodeBase64 } from "./base64.ts";
import { MAX_SCRAM_ITERATIONS, MIN_SCRAM_ITERATIONS } from "./limits.ts";

/** What a tracker keeps about a SCRAM user: enough to check a proof, never enough to make one. */
export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Uint8Array;
  /** `SHA-256(ClientKey)`. */
  readonly storedKey: Uint8Array;
  /** `HMAC(SaltedPassword, "Server Key")`. */
  readonly serverKey: Uint8Array;
}

/** How every verifier in a credentials file begins. */
export const SCRAM_VERIFIER_PREFIX = "SCRAM-SHA-256$";

/** Bytes of a SHA-256 digest: the length of every key, proof and signature. */
export const SCRAM_KEY_BYTES = 32;

/**
 * Whether `iterations` is a PBKDF2 round count this program accepts, from a file or a tracker.
 *
 * @example
 * ```ts
 * import { isAcceptableIterations } from "./scram_verifier.ts";
 * console.assert(isAcceptableIterations(4096));
 * console.assert(!isAcceptableIterations(1e9));
 * ```
 */
export function isAcceptableIterations(iterations: number): boolean {
  return Number.isSafeInteger(iterations) && iterations >= MIN_SCRAM_ITERATIONS &&
    iterations <= MAX_SCRAM_ITERATIONS;
}

/**
 * PostgreSQL's text for a verifier:
 * `SCRAM-SHA-256$<iterations>:<salt-b64>$<StoredKey-b64>:<ServerKey-b64>`.
 *
 * @example
 * ```ts
 * import { formatVerifier } from "./scram_verifier.ts";
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
 * import { formatVerifier, parseVerifier } from "./scram_verifier.ts";
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
