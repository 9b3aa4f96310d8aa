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
