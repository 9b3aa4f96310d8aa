/**
 * Small helpers with no PeerSync knowledge, each with one home: waiting that a signal can cut
 * short ({@linkcode delay}, {@linkcode abortable}), writing every byte ({@linkcode writeAll},
 * {@linkcode writeAllSync}), small files written whole or not at all
 * ({@linkcode writeNewFileDurably}, {@linkcode replaceFileDurablySync}), one line out of
 * anything thrown ({@linkcode errorText}), quiet file-system clean-ups ({@linkcode exists},
 * {@linkcode removeQuietly}), byte arrays ({@linkcode concat}), sizes and durations for people
 * ({@linkcode formatBytes}, {@linkcode formatDuration}, {@linkcode formatSeconds}) and a rate
 * limit shared by transfers ({@linkcode TokenBucket}). Nothing here opens a socket or reads the
 * clock unless asked to.
 *
 * @module
 */

export { abortable, delay, TurnTaker } from "./async.ts";
export { concat } from "./bytes.ts";
export { errorText, fileErrorText } from "./error_text.ts";
export { exists, removeQuietly } from "./files.ts";
export { replaceFileDurablySync, writeNewFileDurably } from "./durable_file.ts";
export { formatBytes, formatDuration, formatSeconds } from "./format.ts";
export { withoutBom } from "./text_file.ts";
export { TokenBucket, type TokenBucketOptions } from "./token_bucket.ts";
export { type SyncWriter, writeAll, writeAllSync, type Writer } from "./write_all.ts";
