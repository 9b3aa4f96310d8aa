/**
 * Every number the PeerSync protocol depends on, in one place, so that the tracker, the peer and
 * the tests can never disagree about a limit.
 *
 * @module
 */

/** A file name is 1–255 bytes of UTF-8: the common file-system limit for one path component. */
export const MAX_FILE_NAME_BYTES = 255;

/** User names and passwords share the file-name byte budget so one datagram always holds both. */
export const MAX_USER_NAME_BYTES = 255;

/** Passwords are one field of `auth`, so they obey the same byte limit. */
export const MAX_PASSWORD_BYTES = 255;

/** A v1 peer reads at most this many bytes of a reply; every v1 reply fits in it. */
export const V1_MAX_REPLY_BYTES = 1024;

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

/** A v1 peer sends `HBT` this often. */
export const HEARTBEAT_INTERVAL_MS = 2000;

/** A session whose last sign of life is older than this is removed. */
export const SESSION_TIMEOUT_MS = 3000;

/** A peer gives up on a tracker reply after this long (overridable on the command line). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 2000;

/**
 * The file name a downloader sends over TCP is at most a name plus CRLF; anything longer is a
 * hostile or broken client.
 */
export const MAX_TCP_REQUEST_BYTES = MAX_FILE_NAME_BYTES + 2;

/** How long an uploader waits for the downloader to name a file before hanging up. */
export const TCP_REQUEST_TIMEOUT_MS = 10_000;

/** Read and write size of a transfer: large enough that syscalls do not dominate. */
export const TRANSFER_BUFFER_BYTES = 1024 * 1024;

/** Publications one user may hold; past it `pub` is refused so no user can grow the tracker without bound. */
export const MAX_PUBLICATIONS_PER_USER = 10_000;

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

/** Every v2 datagram starts with this. */
export const V2_PREFIX = "PS2 ";

/** A v2 request without a session (LOGIN, PROOF) is padded to at least this, so replies never amplify. */
export const V2_MIN_HANDSHAKE_BYTES = 256;

/** A v2 peer sends `HBT` this often. */
export const V2_HEARTBEAT_INTERVAL_MS = 1000;

/** The shortest heartbeat interval a tracker asks of v2 peers. */
export const MIN_HEARTBEAT_INTERVAL_MS = 100;

/** A v2 session lives this long after its last sign of life: 15 heartbeats would have to be lost. */
export const V2_SESSION_TIMEOUT_MS = 15_000;

/** Largest request id; ids are decimal 1..this. */
export const V2_MAX_REQUEST_ID = 0xffff_ffff;

/** Replies remembered per session for retransmitted requests; older ids are answered `stale`. */
export const V2_REPLY_CACHE_SIZE = 64;

/** A login challenge is valid this long. */
export const V2_CHALLENGE_TTL_MS = 30_000;

/** Longest nonce accepted in a login (our peers send 24 + 24 base64 characters). */
export const V2_MAX_NONCE_CHARS = 128;

/** Most holders a v2 `GET` reply carries per page. */
export const V2_MAX_HOLDERS_PER_PAGE = 8;

/** Retransmission of a v2 request: the first wait, doubled after each try up to the cap. */
export const V2_RETRY_INITIAL_MS = 250;

/** Longest wait between two tries of one request. */
export const V2_RETRY_MAX_INTERVAL_MS = 1000;

/**
 * A request unanswered this long is reported as "tracker not responding": seven tries, so 20%
 * loss each way fails a request about once in 1300 (`--timeout` raises it for worse links).
 */
export const V2_REQUEST_DEADLINE_MS = 5000;

/** Live sessions the tracker holds at most; a login past it is refused. */
export const MAX_SESSIONS = 100_000;

/** Datagrams per second one source address (ip and port) may send before the excess is dropped. */
export const RATE_LIMIT_PER_SECOND = 100;

/** Burst one source address may send above its rate. */
export const RATE_LIMIT_BURST = 200;

/**
 * Datagrams per second one host (ip, any port) may send: a flooder rotating source ports is cut
 * here, while many honest peers behind one address still fit.
 */
export const HOST_RATE_LIMIT_PER_SECOND = 2000;

/** Burst one host may send above its rate. */
export const HOST_RATE_LIMIT_BURST = 4000;

/** Source addresses (or users) remembered by the flood and login guards; the oldest are forgotten. */
export const MAX_TRACKED_SOURCES = 10_000;

/** Failed logins allowed before a user or source is locked out. */
export const FREE_LOGIN_FAILURES = 3;

/** First lockout after the free failures; doubles with each further failure up to the cap. */
export const LOGIN_LOCKOUT_INITIAL_MS = 1000;

/** Longest lockout. */
export const LOGIN_LOCKOUT_MAX_MS = 5 * 60_000;

/** Login challenges waiting for their proof at most; the oldest are dropped past it. */
export const MAX_PENDING_CHALLENGES = 4096;

/** Replies to handshake requests remembered for retransmissions, across all sources. */
export const MAX_HANDSHAKE_REPLIES = 4096;

/** A cap that is hit is logged at most once per this interval, with a count. */
export const CAP_LOG_INTERVAL_MS = 10_000;

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

/** Uploads one peer serves at once by default; a v2 request past it gets `PS2 ERR busy`. */
export const DEFAULT_MAX_UPLOADS = 8;

/**
 * A downloader drops a holder that sends no byte for this long when no other holder could take
 * over: giving up then ends the download, so a network hiccup is given time.
 */
export const DEFAULT_TRANSFER_STALL_TIMEOUT_MS = 15_000;

/** …and for this long when another holder is there to continue from: moving on costs little. */
export const DEFAULT_FAILOVER_STALL_TIMEOUT_MS = 5_000;

/** Files at least this large are fetched from several v2 holders at once, in disjoint ranges. */
export const DEFAULT_MULTI_SOURCE_THRESHOLD_BYTES = 64 * 1024 * 1024;

/** Holders a multi-source download uses at once by default. */
export const DEFAULT_PARALLEL_SOURCES = 4;

/**
 * How long in all a download waits for holders that answered `busy` when no other holder can
 * make progress, before it gives up on them.
 */
export const DEFAULT_BUSY_RETRY_BUDGET_MS = 30_000;

/** The first wait before busy holders are asked again; each further wait is twice as long. */
export const BUSY_RETRY_INITIAL_MS = 1000;
