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

/** How long an uploader waits for the downloader to name a file before hanging up. */
export const TCP_REQUEST_TIMEOUT_MS = 10_000;

/** Read and write size of a transfer: large enough that syscalls do not dominate. */
export const TRANSFER_BUFFER_BYTES = 1024 * 1024;

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
