/**
 * The tracker's policy: how large its tables may grow, how fast a source may send, how failed
 * logins are punished, and the session timing it announces to v2 peers. These are the tracker's
 * choices, not the protocol's (the wire limits are `lib/protocol/limits.ts`); docs/protocol.md,
 * "Bounds and throttling", lists them for operators.
 *
 * @module
 */

// Sessions.

/**
 * Live sessions the tracker holds at most; a login past it is refused. Why 100,000: a session
 * costs a few hundred bytes and one heartbeat a second, so 100k sessions are ~100k datagrams/s —
 * about twice what the Deno socket answers on the 2-core reference machine at the default 3 s
 * timeout. A larger fleet needs a longer `--session-timeout` (fewer heartbeats) before a larger cap.
 */
export const MAX_SESSIONS = 100_000;

/**
 * A v2 session lives this long after its last sign of life (announced in `WELCOME`; the operator's
 * `--session-timeout` replaces it). 3 s, as v1: the design promises that a peer that stops
 * heartbeating leaves `lap`, `sch` and `get` within 3 s whatever its protocol. Loss does not
 * expire a live session because v2 heartbeats are acknowledged and retried within their interval
 * (the peer's `HEARTBEAT_RETRY_INITIAL_MS`). A longer timeout means fewer heartbeats (a large
 * fleet's load) but dead peers listed longer: docs/operations.md, "Session timing".
 */
export const V2_SESSION_TIMEOUT_MS = 3000;

/**
 * Heartbeat intervals per session timeout: a peer beats every timeout / 3 (1 s by default), each
 * beat retried until acknowledged, so three whole intervals would have to fail for a live session
 * to expire.
 */
export const HEARTBEATS_PER_SESSION_TIMEOUT = 3;

/** The heartbeat interval announced in `WELCOME` with the default timeout. */
export const V2_HEARTBEAT_INTERVAL_MS = V2_SESSION_TIMEOUT_MS / HEARTBEATS_PER_SESSION_TIMEOUT;

/** The shortest heartbeat interval a tracker asks of v2 peers, however short the timeout. */
export const MIN_HEARTBEAT_INTERVAL_MS = 100;

/**
 * Whether a v2 request carrying a token is still served unsealed, as before sealed datagrams. Off:
 * after login only sealed requests count, and an unsealed one gets `ERR token` (an operator could
 * only want it on for peers older than sealing).
 */
export const ACCEPT_UNSEALED_REQUESTS = false;

/**
 * A session ended by `BYE` is remembered this long, so a repeated `BYE` gets `OK` again (and is
 * logged as a repeat) instead of `gone`: a peer's copies come within a second.
 */
export const ENDED_SESSION_MEMORY_MS = 5000;

/** Ended sessions remembered at most (the oldest forgotten first): bounded like every table. */
export const MAX_ENDED_SESSIONS = 4096;

/** Replies remembered per session for retransmitted requests; older ids are answered `stale`. */
export const V2_REPLY_CACHE_SIZE = 64;

// Publications and lookups.

/**
 * Publications one user may hold; past it `pub` is refused so no user can grow the tracker without
 * bound. 10,000 names are a large shared music or photo folder; with `MAX_SESSIONS` users that is
 * still a bounded table (the store keeps ~77 bytes a publication on disk).
 */
export const MAX_PUBLICATIONS_PER_USER = 10_000;

/**
 * The most work one search may do, in steps of the search index (an entry visited, a seek by the
 * labels it reads, a name read: weighted so that a step costs about the same time whatever the
 * walk does), so one broad `sch` cannot stall the loop for every other peer; a search past it
 * answers what it found (v2: `ERR broad`). 50,000 steps cost ~2–5 ms over a million names here
 * with cold caches (docs/tracker_index.md), under the p99 bound. Passed to the state as
 * `maxSearchSteps` (the index enforces it).
 */
export const MAX_SEARCH_STEPS = 50_000;

/** Most holders a v2 `GET` reply carries per page. */
export const V2_MAX_HOLDERS_PER_PAGE = 8;

// Logins.

/** A login challenge is valid this long. */
export const V2_CHALLENGE_TTL_MS = 30_000;

/** Login challenges waiting for their proof at most; the oldest are dropped past it. */
export const MAX_PENDING_CHALLENGES = 4096;

/**
 * Login challenges one source host (an IPv4 address, an IPv6 /64) may have waiting; past it the
 * host's own oldest is dropped. A host's logins wait a round trip and a PBKDF2 each, so 64 at once
 * is hundreds of logins a second from one NAT; and a storm needs 64 hosts to fill the table.
 */
export const MAX_PENDING_CHALLENGES_PER_HOST = 64;

/** Replies to handshake requests remembered for retransmissions, across all sources. */
export const MAX_HANDSHAKE_REPLIES = 4096;

/**
 * A handshake reply answers a byte-identical retransmission from the same address for this long,
 * then is forgotten (a login's retransmissions come within a second or two).
 */
export const HANDSHAKE_REPLY_TTL_MS = 5000;

/**
 * v1 `auth` checks against a verifier (PBKDF2 off the loop) running at once at most; past it a
 * further `auth` gets `ERR` at once, logged as a limit.
 */
export const MAX_VERIFICATIONS_IN_FLIGHT = 4;

/** Failed logins of one user from one host allowed before that pair is locked out. */
export const FREE_LOGIN_FAILURES = 3;

/** Failed logins from one host, any user, allowed before the host is locked out. */
export const HOST_FREE_LOGIN_FAILURES = 20;

/** A user with more failed logins than this within the window below is "under pressure". */
export const USER_PRESSURE_FAILURES = 10;

/** The window over which a user's failures are counted for pressure. */
export const USER_PRESSURE_WINDOW_MS = 10 * 60_000;

/** First lockout of a (user, host) while the user is under pressure (one free failure). */
export const PRESSURED_LOCKOUT_INITIAL_MS = 30_000;

/** A failure count with no new failure for this long starts again from zero. */
export const FAILURE_MEMORY_MS = 10 * 60_000;

/** First lockout after the free failures; doubles with each further failure up to the cap. */
export const LOGIN_LOCKOUT_INITIAL_MS = 1000;

/** Longest lockout. */
export const LOGIN_LOCKOUT_MAX_MS = 5 * 60_000;

// Floods and the log.

/**
 * Datagrams per second one source address (ip and port) may send before the excess is dropped. One
 * honest peer sends a heartbeat a second (and its tries under loss) plus what its user types, and
 * a v2 list of a few thousand names is a few dozen pages: 100/s never cuts a peer, while one
 * socket cannot take more than a sliver of the tracker.
 */
export const RATE_LIMIT_PER_SECOND = 100;

/**
 * Burst one source address may send above its rate: a `pub` of a whole folder of up to a thousand
 * files from one socket, one after another (a v1 client waiting for each reply gets them all),
 * paged lists. A flood from one socket still gets at most this many answers, then the rate.
 */
export const RATE_LIMIT_BURST = 1000;

/**
 * Datagrams per second one host (ip, any port) may send: a flooder rotating source ports is cut
 * here. It is 20 times the per-source rate because many honest peers may share one address: a
 * home NAT has a few, a carrier-grade NAT (CGNAT, mobile networks) puts thousands of users behind
 * one public address. 2000/s carries ~1,500 peers beating every second with room for their
 * commands; an operator serving a larger NAT raises `--host-rate` (and `--host-burst`).
 */
export const HOST_RATE_LIMIT_PER_SECOND = 2000;

/** Burst one host may send above its rate (a NAT's peers all re-logging in after a restart). */
export const HOST_RATE_LIMIT_BURST = 4000;

/**
 * Source addresses (or users) remembered by the flood and login guards; the oldest are forgotten.
 * The per-source flood limit remembers this many strangers on top of one address per session
 * (`--max-sessions`): with fewer, 100,000 live sessions took turns being forgotten, so each of
 * their datagrams made a new bucket and evicted another.
 */
export const MAX_TRACKED_SOURCES = 10_000;

/** A cap that is hit is logged at most once per this interval, with a count. */
export const CAP_LOG_INTERVAL_MS = 10_000;

/**
 * Versions of one name a v2 `FIND` reply lists at most (most holders first): sixteen of them, at
 * their widest, and a 255-byte name still fit one sealed datagram, so a page always holds a name.
 */
export const MAX_FOUND_VERSIONS = 16;
