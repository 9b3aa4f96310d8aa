/**
 * Downloading a file into the share folder — one engine for every download: from v2 holders
 * (verified against the published size and SHA-256, resumed after an interruption, from several
 * holders at once in ranges for a large file, failing over when one refuses, stalls, drops or is
 * busy) and from v1 holders (their bare stream; verified too when a digest is known). The entry
 * is {@linkcode downloadFromHolders}; its failures are a {@linkcode DownloadError} whose `kind`
 * says why. Where the bytes wait before the file gets its name is {@linkcode PartFile} (with
 * {@linkcode CompleteRanges} and its resume note); which files may be written there is
 * `../share/`.
 *
 * @module
 */

export { downloadFile, downloadFromHolders } from "./from_holders.ts";
export type {
  DownloadFileOptions,
  DownloadFromHoldersOptions,
  HoldersDownloadResult,
} from "./options.ts";
export { DownloadError, type DownloadFailure } from "./errors.ts";
export { type ExpectedFile, expectedFromHolders } from "./holders.ts";
export { partFileName, resumablePartName, resumeNoteName } from "./part_names.ts";
export { PartFile } from "./part_file.ts";
export { CompleteRanges } from "./complete_ranges.ts";
export {
  type ByteRange,
  coveredBytes,
  decodeResumeNote,
  encodeResumeNote,
  mergeRanges,
  missingRanges,
} from "./resume_note.ts";
export { splitRange } from "./scheduler.ts";
export { type TransferProgress } from "./progress.ts";
