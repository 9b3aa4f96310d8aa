/**
 * The wire limits: every number the PeerSync protocol itself fixes — field and datagram sizes,
 * prefixes, id ranges, SCRAM's parameters, the v1 timing — so that the tracker, the peer and the
 * tests can never disagree about one. What a program merely chooses lives with that program: the
 * tracker's policy in `lib/tracker/defaults.ts`, the peer's in `lib/peer/defaults.ts`.
 *
 * @module
 */

// Names, datagrams and replies (both versions).

/** A file name is 1–255 bytes of UTF-8: the common file-system limit for one path component. */
export const MAX_FILE_NAME_BYTES = 255;

/** User names and passwords share the file-name byte budget so one datagram always holds both. */
export const MAX_USER_NAME_BYTES = 255;

/** Passwords are one field of `auth`, so they obey the same byte limit. */
export const MAX_PASSWORD_BYTES = 255;

/**
 * Nothing larger is ever sent, and a larger request is refused: 1200 bytes crosses any path
 * without IP fragmentation (the QUIC choice).
 */
export const MAX_DATAGRAM_BYTES = 1200;

/**
 * A datagram shorter than this from an address with no session gets no reply at all, because
 * the shortest refusal (`ERR`) is this long and a reply must never be larger than its request.
 */
export const MIN_STRANGER_REQUEST_BYTES = 3;

/** A v1 peer reads at most this many bytes of a reply; every v1 reply fits in it. */
export const V1_MAX_REPLY_BYTES = 1024;

// v1 timing: fixed by the v1 contract, so the peer beats and the tracker expires by the same numbers.

/** A v1 peer sends `HBT` this often (the v1 contract fixes it: v1 has no way to announce another). */
export const HEARTBEAT_INTERVAL_MS = 2000;

/**
 * A v1 session whose last sign of life is older than this is removed. Fixed by the v1 contract,
 * like the heartbeat: the peer beats by one, the tracker expires by the other.
 */
export const SESSION_TIMEOUT_MS = 3000;

// v2 framing.

/** Every v2 datagram starts with this. */
export const V2_PREFIX = "PS2 ";

/** A v2 request without a session (LOGIN, PROOF) is padded to at least this, so replies never amplify. */
export const V2_MIN_HANDSHAKE_BYTES = 256;

/** Random bytes in a session token, written as twice as many lowercase hex digits (128 bits). */
export const V2_TOKEN_BYTES = 16;

/** Largest request id; ids are decimal 1..this. */
export const V2_MAX_REQUEST_ID = 0xffff_ffff;

/** Longest nonce accepted in a login (our peers send 24 + 24 base64 characters). */
export const V2_MAX_NONCE_CHARS = 128;

// SCRAM-SHA-256 (v2 login and the credentials file): both sides refuse parameters outside these.

/** PBKDF2 rounds of a new SCRAM-SHA-256 verifier: RFC 7677's minimum and PostgreSQL's default. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;

/** Fewer PBKDF2 rounds are refused in a verifier or a challenge (RFC 7677 asks for 4096). */
export const MIN_SCRAM_ITERATIONS = 4096;

/**
 * More PBKDF2 rounds are refused in a verifier or a challenge, so a hostile tracker cannot make a
 * peer compute for minutes: a million rounds take 0.15 s (WebCrypto) to 0.5 s (sync) here.
 */
export const MAX_SCRAM_ITERATIONS = 1_000_000;

/** Bytes of random salt in a new SCRAM-SHA-256 verifier (PostgreSQL's choice). */
export const SCRAM_SALT_BYTES = 16;

/** Random bytes in each half of a login nonce: the peer's own, then the tracker's appended. */
export const SCRAM_NONCE_BYTES = 18;

// Data channel (TCP).

/**
 * The file name a downloader sends over TCP is at most a name plus CRLF; anything longer is a
 * hostile or broken client.
 */
export const MAX_TCP_REQUEST_BYTES = MAX_FILE_NAME_BYTES + 2;

/** Every v2 data-channel request and status line starts with this (a v1 file name has no space). */
export const TRANSFER_V2_PREFIX = "PS2 ";

/**
 * Longest v2 data-channel request: `PS2 GET `, a 255-byte name, two 16-digit numbers, a SHA-256
 * and the separators and newline fit well within it.
 */
export const MAX_TRANSFER_REQUEST_BYTES = 512;

/** Longest status line an uploader sends before the bytes (`PS2 OK …` or `PS2 ERR …`). */
export const MAX_TRANSFER_STATUS_BYTES = 512;

/** Longest human-readable message in a `PS2 ERR` status line. */
export const MAX_TRANSFER_ERROR_MESSAGE_BYTES = 200;

// v2 search results (`FOUND`).

/**
 * Hex digits of a version's SHA-256 that `FOUND` carries: 64 bits tell versions of one name apart
 * for a user choosing one, and `GET` gives the whole digest to verify against.
 */
export const FOUND_DIGEST_HEX_DIGITS = 16;
