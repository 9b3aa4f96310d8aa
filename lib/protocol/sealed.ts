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

import { createHash, hkdfSync } from "node:crypto";
import { type Gcm, nodeGcm } from "./gcm.ts";
import { MAX_DATAGRAM_BYTES } from "./limits.ts";

export type { Gcm } from "./gcm.ts";
export { nodeGcm } from "./gcm.ts";

export { REPLAY_WINDOW_SIZE, ReplayWindow } from "./replay_window.ts";

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

const NONCE_BYTES = 12;
const COUNTER_OFFSET = SEALED_PREFIX.length + TOKEN_CHARS;

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

/** Why a sealed datagram was dropped. */
export type OpenFailureReason =
  /** Not sealed, too short, or a header that is not ours. */
  | "malformed"
  /** No session has this token (or the caller refuses it, e.g. for its source address). */
  | "unknown-session"
  /** The tag does not verify: forged, altered, or sealed under another key or direction. */
  | "forged";

/** The outcome of opening a sealed datagram; never an exception. */
export type OpenedDatagram =
  | {
    readonly ok: true;
    readonly token: string;
    readonly counter: number;
    readonly plaintext: Uint8Array;
  }
  | { readonly ok: false; readonly reason: OpenFailureReason };

// Failures are shared, frozen values: a dropped datagram allocates nothing for its verdict.
const MALFORMED: OpenedDatagram = Object.freeze({ ok: false, reason: "malformed" });
const UNKNOWN_SESSION: OpenedDatagram = Object.freeze({ ok: false, reason: "unknown-session" });
const FORGED: OpenedDatagram = Object.freeze({ ok: false, reason: "forged" });

// The AES-256-GCM every SealingKey and openDatagram uses unless given one: node:crypto until the
// program installs a faster one at start (gcm_backend.ts); both give byte-identical datagrams.
let defaultGcm: Gcm = nodeGcm;

/** Makes `gcm` the default for keys made from now on (the programs call it once at start). */
export function setDefaultGcm(gcm: Gcm): void {
  defaultGcm = gcm;
}

/** The default GCM implementation's name (`node-crypto` or `openssl-ffi`). */
export function defaultGcmName(): Gcm["name"] {
  return defaultGcm.name;
}

/** Header (prefix, token, counter) authenticated, plaintext encrypted, tag appended. */
function gcmSeal(
  gcm: Gcm,
  key: Uint8Array,
  nonce: Uint8Array,
  header: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  const sealed = gcm.seal(key, nonce, header, plaintext, HEADER_BYTES);
  sealed.set(header, 0);
  return sealed;
}

/**
 * Opens a datagram whose header was checked (`token` is what it names) under `key`; `nonce` holds
 * the direction's label and gets the counter. Never throws.
 */
function gcmOpen(
  gcm: Gcm,
  key: Uint8Array,
  nonce: Uint8Array,
  datagram: Uint8Array,
  token: string,
): OpenedDatagram {
  const counter = readCounter(datagram, COUNTER_OFFSET);
  if (counter > MAX_SEALED_COUNTER) return MALFORMED;
  for (let i = 0; i < COUNTER_BYTES; i++) nonce[4 + i] = datagram[COUNTER_OFFSET + i];
  const tagStart = datagram.length - TAG_BYTES;
  const plaintext = gcm.open(
    key,
    nonce,
    datagram.subarray(0, HEADER_BYTES),
    datagram.subarray(HEADER_BYTES, tagStart),
    datagram.subarray(tagStart),
  );
  if (plaintext === undefined) return FORGED;
  return { ok: true, token, counter, plaintext };
}

/**
 * One direction of one session's sealing, made once at login: the key, the header's fixed bytes
 * (prefix and token) and the nonce's direction label, so a datagram costs the GCM call and little
 * else. Sealing and opening are synchronous, so the header and nonce buffers are reused (both GCM
 * implementations copy them when they take them).
 *
 * @example
 * ```ts
 * import { SealingKey } from "./sealed.ts";
 * const token = "0123456789abcdef0123456789abcdef";
 * const key = new SealingKey(new Uint8Array(32), "reply", token);
 * const sealed = key.seal(0, new TextEncoder().encode("PS2 1 OK"));
 * const opened = key.open(sealed);
 * console.assert(opened.ok && new TextDecoder().decode(opened.plaintext) === "PS2 1 OK");
 * ```
 */
export class SealingKey {
  readonly #key: Uint8Array;
  readonly #gcm: Gcm;
  /** Prefix and token written once; the counter rewritten per datagram sealed. */
  readonly #header = new Uint8Array(HEADER_BYTES);
  /** Direction label written once; the counter rewritten per datagram. */
  readonly #nonce = new Uint8Array(NONCE_BYTES);

  /**
   * Throws `RangeError` when the key is not 32 bytes or the token not 32 lowercase hex digits:
   * those are the caller's bugs, not hostile input.
   */
  constructor(
    key: Uint8Array,
    readonly direction: SealDirection,
    readonly token: string,
    gcm: Gcm = defaultGcm,
  ) {
    this.#gcm = gcm;
    if (key.length !== KEY_BYTES) throw new RangeError("a session key is 32 bytes");
    if (!isTokenText(token)) throw new RangeError("a session token is 32 hex digits");
    this.#key = key;
    for (let i = 0; i < SEALED_PREFIX.length; i++) this.#header[i] = SEALED_PREFIX.charCodeAt(i);
    for (let i = 0; i < TOKEN_CHARS; i++) {
      this.#header[SEALED_PREFIX.length + i] = token.charCodeAt(i);
    }
    this.#nonce.set(NONCE_LABEL[direction], 0);
  }

  /**
   * Seals `plaintext` with `counter` (the sender's next: 0, 1, 2 … never reused under one key).
   * Throws `RangeError` when it would not fit 1200 bytes sealed or the counter is out of range.
   */
  seal(counter: number, plaintext: Uint8Array): Uint8Array {
    if (!Number.isSafeInteger(counter) || counter < 0 || counter > MAX_SEALED_COUNTER) {
      throw new RangeError(`sealed counter out of range: ${counter}`);
    }
    if (plaintext.length > MAX_SEALED_PLAINTEXT_BYTES) {
      throw new RangeError(`plaintext of ${plaintext.length} bytes does not fit a sealed datagram`);
    }
    writeCounter(this.#header, COUNTER_OFFSET, counter);
    writeCounter(this.#nonce, 4, counter);
    return gcmSeal(this.#gcm, this.#key, this.#nonce, this.#header, plaintext);
  }

  /**
   * Opens a datagram sealed under this key: `unknown-session` when its header names another
   * token. Checking the counter against a {@linkcode ReplayWindow} is the caller's next step,
   * after the tag has verified. Never throws.
   */
  open(datagram: Uint8Array): OpenedDatagram {
    if (datagram.length < SEALED_OVERHEAD_BYTES || datagram.length > MAX_DATAGRAM_BYTES) {
      return MALFORMED;
    }
    for (let i = 0; i < COUNTER_OFFSET; i++) {
      if (datagram[i] !== this.#header[i]) {
        if (i < SEALED_PREFIX.length || sealedToken(datagram) === undefined) return MALFORMED;
        return UNKNOWN_SESSION;
      }
    }
    return gcmOpen(this.#gcm, this.#key, this.#nonce, datagram, this.token);
  }
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
  /** The GCM implementation; the default one (see {@linkcode setDefaultGcm}) when absent. */
  readonly gcm?: Gcm;
}

/**
 * Seals one datagram (a {@linkcode SealingKey} made for it; a sender that seals many keeps one).
 * Throws `RangeError` when the plaintext would not fit 1200 bytes sealed, the token is not 32 hex
 * digits or the counter is out of range: those are the caller's bugs, not hostile input.
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
  const { key, direction, token, counter, plaintext, gcm } = options;
  return new SealingKey(key, direction, token, gcm).seal(counter, plaintext);
}

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

// One nonce buffer per direction for openDatagram: both GCM implementations copy the IV when
// they take it, and opening is synchronous, so no two calls share one at once.
const SCRATCH_NONCE: Readonly<Record<SealDirection, Uint8Array>> = {
  request: new Uint8Array(NONCE_BYTES),
  reply: new Uint8Array(NONCE_BYTES),
};
SCRATCH_NONCE.request.set(NONCE_LABEL.request);
SCRATCH_NONCE.reply.set(NONCE_LABEL.reply);

/**
 * Opens a sealed datagram: `keyFor(token)` returns the key of the session the header names (or
 * undefined to refuse it). Checking the counter against a {@linkcode ReplayWindow} is the caller's
 * next step, after the tag has verified. Never throws.
 */
export function openDatagram(
  datagram: Uint8Array,
  keyFor: (token: string) => Uint8Array | undefined,
  direction: SealDirection,
  gcm: Gcm = defaultGcm,
): OpenedDatagram {
  const token = sealedToken(datagram);
  if (token === undefined || datagram.length > MAX_DATAGRAM_BYTES) return MALFORMED;
  const key = keyFor(token);
  if (key === undefined) return UNKNOWN_SESSION;
  return gcmOpen(gcm, key, SCRATCH_NONCE[direction], datagram, token);
}
