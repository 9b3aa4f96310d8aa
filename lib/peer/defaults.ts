/**
 * The peer's policy defaults: timeouts, retries, buffer sizes and transfer limits that the peer
 * chooses and the protocol does not fix (wire limits live in `lib/protocol/limits.ts`). One file for
 * the whole peer, as `lib/tracker/defaults.ts` is for the tracker, so the numbers a user may want to
 * tune are found in one place; each package imports the ones it uses.
 *
 * @module
 */

// Control channel: how long and how often the peer asks the tracker.

/** A peer gives up on a tracker reply after this long (overridable on the command line). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 2000;

/** Retransmission of a v2 request: the first wait, doubled after each try up to the cap. */
export const V2_RETRY_INITIAL_MS = 250;

/** Longest wait between two tries of one request. */
export const V2_RETRY_MAX_INTERVAL_MS = 1000;

/**
 * A request unanswered this long is reported as "tracker not responding": seven tries, so 20%
 * loss each way fails a request about once in 1300 (`--timeout` raises it for worse links).
 */
export const V2_REQUEST_DEADLINE_MS = 5000;

/**
 * A v2 heartbeat whose `OK` has not come is sent again after this long, then after twice as long,
 * until its interval ends (tries at 0, 200 and 600 ms of a 1 s interval): the tracker's session
 * lives only three intervals (3 s), and any of those tries reaching it is a sign of life.
 */
export const HEARTBEAT_RETRY_INITIAL_MS = 200;

/**
 * Whether the peer seals every v2 datagram after login (docs/protocol.md, "Sealed datagrams").
 * On: our tracker refuses unsealed requests after login; off only to talk to an older v2 tracker.
 */
export const SEAL_V2_DATAGRAMS = true;

/**
 * `LOGIN` is retried this long before v1's bare `ERR` alone means a v1-only tracker: any v2 reply
 * within it wins over any number of `ERR`s, so one forged `ERR` cannot downgrade a login.
 */
export const V1_FALLBACK_WINDOW_MS = 1000;

// Data channel: uploads and downloads.

/**
 * How long an uploader waits for the downloader's whole request, from the moment it accepted the
 * connection (not per byte: a request dripped a byte at a time is cut at this deadline), and how
 * long a downloader waits for a holder's whole status line from the moment it connected.
 */
export const TCP_REQUEST_TIMEOUT_MS = 10_000;

/** Read and write size of a transfer: large enough that syscalls do not dominate. */
export const TRANSFER_BUFFER_BYTES = 1024 * 1024;

/** Uploads one peer serves at once by default; a v2 request past it gets `PS2 ERR busy`. */
export const DEFAULT_MAX_UPLOADS = 8;

/**
 * Of those, uploads to one remote address at once (v1 and v2 together; IPv6 by /64), so one host
 * cannot take every slot. Two leave room for a resumed range beside a running one.
 */
export const DEFAULT_MAX_UPLOADS_PER_PEER = 2;

/**
 * The upload speed floor: after `graceMs`, a reader that took less than `bytesPerSecond` on
 * average over the last `windowMs` loses its slot (unless less than a window's worth is left to
 * send). 16 KiB/s is far below any link worth serving from, and far above a reader that drips.
 */
export const DEFAULT_MIN_UPLOAD_SPEED = {
  bytesPerSecond: 16 * 1024,
  windowMs: 10_000,
  graceMs: 10_000,
} as const;

/**
 * After the speed floor drops a reader, its address is answered as busy for `baseMs`, twice as
 * long for each repeat within `memoryMs` of the last cool-down's end, at most `maxMs`; at most
 * `maxEntries` addresses are remembered (docs/security.md, "Fair uploads").
 */
export const DEFAULT_SLOW_READER_COOL_DOWN = {
  baseMs: 30_000,
  maxMs: 8 * 60_000,
  memoryMs: 10 * 60_000,
  maxEntries: 4096,
} as const;

/**
 * Connections that have not yet sent their request, for everyone and per remote address: past
 * either cap a new connection is closed at once. Each lasts at most `TCP_REQUEST_TIMEOUT_MS`.
 */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 32;
export const DEFAULT_MAX_PENDING_PER_PEER = 4;

/**
 * A downloader drops a holder that sends less than the minimum speed's worth for this long when
 * no other holder could take over: giving up then ends the download, so a hiccup is given time.
 */
export const DEFAULT_TRANSFER_STALL_TIMEOUT_MS = 15_000;

/** …and for this long when another holder is there to continue from: moving on costs little. */
export const DEFAULT_FAILOVER_STALL_TIMEOUT_MS = 5_000;

/**
 * Stalled means "less than this speed over the stall window", not "no byte": a holder dripping a
 * byte a second is left after the window like a silent one. With it, one holder's attempt at a
 * range ends within the stall window plus the range's length at this speed.
 */
export const DEFAULT_MIN_DOWNLOAD_SPEED_BYTES = 1024;

/**
 * The most a v1 holder's stream may send when nothing says how long the file is (no digest, no
 * size): past it the holder is broken and its bytes are discarded (`--max-v1-size`). Far above
 * any file a v1 peer shares, far below filling a disk by accident.
 */
export const DEFAULT_MAX_V1_BYTES = 64 * 1024 ** 3;

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

/**
 * `BYE` copies a leaving v2 peer sends at most, `BYE_GAP_MS` apart, until the tracker answers
 * one: at 20 % loss each way all four are lost 0.16 % of the time (two at once: 4 %), and a
 * tracker that is gone holds the exit ~0.3 s.
 */
export const BYE_COPIES = 4;
export const BYE_GAP_MS = 100;
