/**
 * The share folder: which of its files may be published and served ({@linkcode resolveSharedFile},
 * never PeerSync's own `.peersync-…` files), how PeerSync opens its own working files there
 * without following anything planted under their names ({@linkcode openOwnFile}), and the size
 * and SHA-256 of shared files, hashed once and remembered across restarts
 * ({@linkcode DigestCache}, {@linkcode fileDigest}, kept in `.peersync-digests.json`), with the
 * hashing itself ({@linkcode hashFileRange}, on a worker thread with {@linkcode OffThreadSha256}).
 * Uploads read through it, downloads write into it, `pub` hashes through it.
 *
 * @module
 */

export {
  describeNotShareable,
  isReservedName,
  type NotShareable,
  type OpenedSharedFile,
  openSharedFile,
  RESERVED_NAME_PREFIX,
  resolveSharedFile,
  type SharedFile,
} from "./share_folder.ts";
export {
  FileInUseError,
  NotOwnFileError,
  openOwnFile,
  readOwnBytes,
  readOwnText,
  replaceOwnTextSync,
} from "./own_file.ts";
export {
  DigestCache,
  type DigestCacheOptions,
  DigestError,
  type FileDigest,
  fileDigest,
  type FileVersion,
  type PersistentDigestCacheOptions,
} from "./digest_cache.ts";
export { DIGEST_STORE_NAME } from "./digest_store.ts";
export { hashFileRange } from "./hash_file.ts";
export { type HashSink, OffThreadSha256 } from "./hash_worker.ts";
export {
  type FolderFile,
  planReconcile,
  type PublishedVersion,
  type ReconcilePlan,
  type ReconcileState,
  withdrawalLine,
} from "./reconcile_plan.ts";
export { listShareFolder, stampOf } from "./folder_listing.ts";
export { DEFAULT_SETTLE_MS, followFolder, type FollowOptions } from "./follow_folder.ts";
