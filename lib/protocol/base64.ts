/**
 * Standard base64 with padding, strict on the way in: SCRAM's nonces, salts, proofs and stored
 * keys are written in it, and a decoder that accepted two spellings of one value would let a
 * verifier line or a proof be read two ways. Pure; the decoder never throws.
 *
 * @module
 */

import { Buffer } from "node:buffer";

const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard base64 with padding.
 *
 * @example
 * ```ts
 * import { encodeBase64 } from "./base64.ts";
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
 * import { decodeBase64 } from "./base64.ts";
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
