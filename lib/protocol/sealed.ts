/**
 * Sealed v2 datagrams: after login every v2 request and reply travels encrypted and authenticated
 * (AES-256-GCM) under keys both sides derive from the SCRAM exchange, so a forged, altered or
 * replayed datagram is dropped whatever its source address. Pure: no sockets and no clocks; the
 * per-direction counters and replay windows are state the caller owns.
 *
 * Layout (docs/protocol.md, "Sealed datagrams"):
 *
 * ```
 * "PS2 *" <token: 32 hex> <counter: 8 bytes, big-endian> <ciphertext> <tag: 16 bytes>
 * ```
 *
 * The header (prefix, token and counter) is the additional authenticated data; the 12-byte GCM
 * nonce is a 4-byte direction label followed by the counter, so the two directions never share a
 * nonce even though they share the counter space.
 *
 * @module
 */

import { createCipheriv, createDecipheriv, createHash, hkdfSync } from "node:crypto";
import { MAX_DATAGRAM_BYTES } from "./limits.ts";

/** Every sealed datagram starts with these five bytes; the `*` can never start a v2 request id. */
export const SEALED_PREFIX = "PS2 *";
/** Hex digits of the session token in the header. */
const TOKEN_CHARS = 32;
const COUNTER_BYTES = 8;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const HEADER_BYTES = SEALED_PREFIX.length + TOKEN_CHARS + COUNTER_BYTES;
/** What sealing adds to a datagram. */
export const SEALED_OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES;
/** The largest plaintext that still fits one datagram once sealed. */
export const MAX_SEALED_PLAINTEXT_BYTES = MAX_DATAGRAM_BYTES - SEALED_OVERHEAD_BYTES;
/**
 * Largest counter a sender uses: counters are JavaScript numbers, and a session that sent 2^53
 * datagrams (centuries at any real rate) would have to log in again.
 */
export const MAX_SEALED_COUNTER = Number.MAX_SAFE_INTEGER;

/** Which way a datagram travels; each direction has its own key and nonce label. */
export type SealDirection = "request" | "reply";

const NONCE_LABEL: Readonly<Record<SealDirection, Uint8Array>> = {
  request: new Uint8Array([0x50, 0x53, 0x32, 0x51]), // "PS2Q"
  reply: new Uint8Array([0x50, 0x53, 0x32, 0x52]), // "PS2R"
};

const HKDF_INFO: Readonly<Record<SealDirection, string>> = {
  request: "PeerSync v2 request key",
  reply: "PeerSync v2 reply key",
};

/** The two keys of one session. */
export interface SessionKeys {
  readonly request: Uint8Array;
  readonly reply: Uint8Array;
}

/**
 * The session keys: HKDF-SHA-256 with the user's SCRAM StoredKey as input key material, SHA-256 of
 * the login's AuthMessage (user, both nonces, salt, iterations) as salt, and one label per
 * direction as info. Only the tracker (from its verifier) and the peer (from the password) know
 * StoredKey; the AuthMessage makes every login's keys new.
 *
 * @example
 * ```ts
 * import { deriveSessionKeys } from "./sealed.ts";
 * const keys = deriveSessionKeys(new Uint8Array(32), "n=alice,r=a,r=ab,s=AQ==,i=4096,c=biws,r=ab");
 * console.assert(keys.request.length === 32 && keys.reply.length === 32);
 * ```
 */
export function deriveSessionKeys(storedKey: Uint8Array, authMessage: string): SessionKeys {
  const salt = createHash("sha256").update(authMessage, "utf8").digest();
  const derive = (direction: SealDirection) =>
    new Uint8Array(hkdfSync("sha256", storedKey, salt, HKDF_INFO[direction], KEY_BYTES));
  return { request: derive("request"), reply: derive("reply") };
}

/** True when a datagram has the sealed prefix (it may still fail to open). */
export function isSealedDatagram(datagram: Uint8Array): boolean {
  if (datagram.length < SEALED_PREFIX.length) return false;
  for (let i = 0; i < SEALED_PREFIX.length; i++) {
    if (datagram[i] !== SEALED_PREFIX.charCodeAt(i)) return false;
  }
  return true;
}

// One nonce buffer for every call: node:crypto copies the IV when the cipher is made, and sealing
// is synchronous, so no two calls share it at once. Saves an allocation per datagram.
const scratchNonce = new Uint8Array(12);

function nonceFor(direction: SealDirection, counter: Uint8Array): Uint8Array {
  scratchNonce.set(NONCE_LABEL[direction], 0);
  scratchNonce.set(counter, 4);
  return scratchNonce;
}

// Counters are safe integers, so two 32-bit halves carry them without a BigInt per datagram;
// written byte by byte, without a DataView per datagram.
const TWO_32 = 2 ** 32;

function writeCounter(target: Uint8Array, offset: number, counter: number): void {
  const high = Math.floor(counter / TWO_32);
  const low = counter >>> 0;
  target[offset] = high >>> 24;
  target[offset + 1] = (high >>> 16) & 0xff;
  target[offset + 2] = (high >>> 8) & 0xff;
  target[offset + 3] = high & 0xff;
  target[offset + 4] = low >>> 24;
  target[offset + 5] = (low >>> 16) & 0xff;
  target[offset + 6] = (low >>> 8) & 0xff;
  target[offset + 7] = low & 0xff;
}

function readCounter(source: Uint8Array, offset: number): number {
  const high = ((source[offset] << 24) | (source[offset + 1] << 16) | (source[offset + 2] << 8) |
    source[offset + 3]) >>> 0;
  const low = ((source[offset + 4] << 24) | (source[offset + 5] << 16) |
    (source[offset + 6] << 8) | source[offset + 7]) >>> 0;
  return high * TWO_32 + low;
}

/** True for 32 lowercase hex digits, checked without a regular expression on the hot path. */
function isTokenText(token: string): boolean {
  if (token.length !== TOKEN_CHARS) return false;
  for (let i = 0; i < TOKEN_CHARS; i++) {
    const c = token.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** What {@linkcode sealDatagram} needs. */
export interface SealOptions {
  readonly key: Uint8Array;
  readonly direction: SealDirection;
  /** The session token: 32 lowercase hex digits. */
  readonly token: string;
  /** The sender's next counter: 0, 1, 2 … never reused under one key. */
  readonly counter: number;
  readonly plaintext: Uint8Array;
}

/**
 * Seals one datagram. Throws `RangeError` when the plaintext would not fit 1200 bytes sealed, the
 * token is not 32 hex digits or the counter is out of range: those are the caller's bugs, not
 * hostile input.
 *
 * @example
 * ```ts
 * import { openDatagram, sealDatagram } from "./sealed.ts";
 * const key = new Uint8Array(32);
 * const token = "0123456789abcdef0123456789abcdef";
 * const plaintext = new TextEncoder().encode("PS2 1 OK");
 * const sealed = sealDatagram({ key, direction: "reply", token, counter: 0, plaintext });
 * const opened = openDatagram(sealed, () => key, "reply");
 * console.assert(opened.ok && new TextDecoder().decode(opened.plaintext) === "PS2 1 OK");
 * ```
 */
export function sealDatagram(options: SealOptions): Uint8Array {
  const { key, direction, token, counter, plaintext } = options;
  if (!isTokenText(token)) throw new RangeError("a session token is 32 hex digits");
  if (!Number.isSafeInteger(counter) || counter < 0 || counter > MAX_SEALED_COUNTER) {
    throw new RangeError(`sealed counter out of range: ${counter}`);
  }
  if (plaintext.length > MAX_SEALED_PLAINTEXT_BYTES) {
    throw new RangeError(`plaintext of ${plaintext.length} bytes does not fit a sealed datagram`);
  }
  const sealed = new Uint8Array(HEADER_BYTES + plaintext.length + TAG_BYTES);
  for (let i = 0; i < SEALED_PREFIX.length; i++) sealed[i] = SEALED_PREFIX.charCodeAt(i);
  for (let i = 0; i < TOKEN_CHARS; i++) sealed[SEALED_PREFIX.length + i] = token.charCodeAt(i);
  const counterOffset = SEALED_PREFIX.length + TOKEN_CHARS;
  writeCounter(sealed, counterOffset, counter);
  const header = sealed.subarray(0, HEADER_BYTES);
  const cipher = createCipheriv(
    "aes-256-gcm",
    key,
    nonceFor(direction, sealed.subarray(counterOffset, HEADER_BYTES)),
    { authTagLength: TAG_BYTES },
  );
  cipher.setAAD(header);
  const body = cipher.update(plaintext);
  cipher.final();
  sealed.set(body, HEADER_BYTES);
  sealed.set(cipher.getAuthTag(), HEADER_BYTES + body.length);
  return sealed;
}

/** Why a sealed datagram was dropped. */
export type OpenFailureReason =
  /** Not sealed, too short, or a header that is not ours. */
  | "malformed"
  /** No session has this token (or the caller refuses it, e.g. for its source address). */
  | "unknown-session"
  /** The tag does not verify: forged, altered, or sealed under another key or direction. */
  | "forged";

/** The outcome of {@linkcode openDatagram}; never an exception. */
export type OpenedDatagram =
  | {
    readonly ok: true;
    readonly token: string;
    readonly counter: number;
    readonly plaintext: Uint8Array;
  }
  | { readonly ok: false; readonly reason: OpenFailureReason };

/**
 * Reads the token of a sealed datagram without opening it (to find the session and its key), or
 * undefined when the header is not well-formed.
 */
export function sealedToken(datagram: Uint8Array): string | undefined {
  if (!isSealedDatagram(datagram) || datagram.length < SEALED_OVERHEAD_BYTES) return undefined;
  const start = SEALED_PREFIX.length;
  // Bytes checked first, then one string made at once (not 32 concatenations per datagram).
  for (let i = start; i < start + TOKEN_CHARS; i++) {
    const c = datagram[i];
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return undefined;
  }
  return String.fromCharCode.apply(
    null,
    datagram.subarray(start, start + TOKEN_CHARS) as unknown as number[],
  );
}

/**
 * Opens a sealed datagram: `keyFor(token)` returns the key of the session the header names (or
 * undefined to refuse it). Checking the counter against a {@linkcode ReplayWindow} is the caller's
 * next step, after the tag has verified. Never throws.
 */
export function openDatagram(
  datagram: Uint8Array,
  keyFor: (token: string) => Uint8Array | undefined,
  direction: SealDirection,
): OpenedDatagram {
  const token = sealedToken(datagram);
  if (token === undefined || datagram.length > MAX_DATAGRAM_BYTES) {
    return { ok: false, reason: "malformed" };
  }
  const key = keyFor(token);
  if (key === undefined) return { ok: false, reason: "unknown-session" };
  const counterOffset = SEALED_PREFIX.length + TOKEN_CHARS;
  const counterField = datagram.subarray(counterOffset, HEADER_BYTES);
  const counterValue = readCounter(datagram, counterOffset);
  if (counterValue > MAX_SEALED_COUNTER) return { ok: false, reason: "malformed" };
  const tagStart = datagram.length - TAG_BYTES;
  try {
    const decipher = createDecipheriv(
      "aes-256-gcm",
      key,
      nonceFor(direction, counterField),
      { authTagLength: TAG_BYTES },
    );
    decipher.setAAD(datagram.subarray(0, HEADER_BYTES));
    decipher.setAuthTag(datagram.subarray(tagStart));
    const body = decipher.update(datagram.subarray(HEADER_BYTES, tagStart));
    decipher.final();
    return {
      ok: true,
      token,
      counter: counterValue,
      plaintext: new Uint8Array(body.buffer, body.byteOffset, body.length),
    };
  } catch {
    // node:crypto reports a failed tag check only by throwing from final().
    return { ok: false, reason: "forged" };
  }
}

/** How far behind the newest counter a datagram may arrive (reordered) and still be accepted. */
export const REPLAY_WINDOW_SIZE = 1024;

/**
 * The receiver's memory of counters already accepted, in the manner of IPsec's and WireGuard's
 * anti-replay window: any counter more than {@linkcode REPLAY_WINDOW_SIZE} behind the newest is
 * refused, and each one within the window is accepted once. Call {@linkcode ReplayWindow.accept}
 * only for a datagram whose tag verified, so a forger cannot move the window.
 *
 * @example
 * ```ts
 * import { ReplayWindow } from "./sealed.ts";
 * const window = new ReplayWindow();
 * console.assert(window.accept(5) && !window.accept(5) && window.accept(3));
 * ```
 */
export class ReplayWindow {
  #newest = -1;
  // One bit per counter (slot `c % REPLAY_WINDOW_SIZE`): a tracker keeps one window per v2
  // session, and a byte per counter made it ~1.3 KB of each session's ~1.9 KB of seal state.
  readonly #seen = new Int32Array(REPLAY_WINDOW_SIZE / 32);

  /** True (and remembered) the first time a counter within the window is seen. */
  accept(counter: number): boolean {
    if (!Number.isSafeInteger(counter) || counter < 0) return false;
    if (counter > this.#newest) {
      const advance = counter - this.#newest;
      if (advance >= REPLAY_WINDOW_SIZE) {
        this.#seen.fill(0);
      } else {
        for (let c = this.#newest + 1; c < counter; c++) this.#clear(c % REPLAY_WINDOW_SIZE);
      }
      this.#newest = counter;
      this.#mark(counter % REPLAY_WINDOW_SIZE);
      return true;
    }
    if (this.#newest - counter >= REPLAY_WINDOW_SIZE) return false;
    const slot = counter % REPLAY_WINDOW_SIZE;
    if ((this.#seen[slot >> 5] & (1 << (slot & 31))) !== 0) return false;
    this.#mark(slot);
    return true;
  }

  #mark(slot: number): void {
    this.#seen[slot >> 5] |= 1 << (slot & 31);
  }

  #clear(slot: number): void {
    this.#seen[slot >> 5] &= ~(1 << (slot & 31));
  }
}
