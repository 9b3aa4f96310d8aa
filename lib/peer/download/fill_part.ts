/**
 * Filling a download's part file with what the holders send, through the
 * {@linkcode fetchFromHolders} scheduler. A file with a known size and digest goes into its
 * resumable {@linkcode PartFile}: what an interrupted run left is reopened, the holes are planned
 * into ranges (several at once for a large file), a resume note is kept while they leave holes,
 * and at the end the whole is checked against the digest — or, after a failure, what is complete
 * is kept and said. A whole that does not match is thrown away and fetched again from holders not
 * proven wrong (see {@linkcode fillPartFile}). A file with nothing to check against (v1 holders only) is one holder's whole
 * stream in a {@linkcode StreamPartFile}, removed after a failure.
 *
 * @module
 */

import {
  BUSY_RETRY_INITIAL_MS,
  DEFAULT_BUSY_RETRY_BUDGET_MS,
  DEFAULT_MAX_V1_BYTES,
  DEFAULT_MIN_DOWNLOAD_SPEED_BYTES,
  DEFAULT_MULTI_SOURCE_THRESHOLD_BYTES,
  DEFAULT_PARALLEL_SOURCES,
  TCP_REQUEST_TIMEOUT_MS,
} from "../defaults.ts";
import { errorText, formatBytes, removeQuietly, TokenBucket } from "../../util/mod.ts";
import { CompleteRanges } from "./complete_ranges.ts";
import { asDownloadError, DownloadError } from "./errors.ts";
import type { ExpectedFile } from "./holders.ts";
import type { DownloadSettings } from "./options.ts";
import { PartFile, type PartSink, StreamPartFile } from "./part_file.ts";
import { resumeNoteName } from "./part_names.ts";
import { ProgressReporter } from "./progress.ts";
import {
  fetchFromHolders,
  type HolderShare,
  type HolderSource,
  planRanges,
  type ScheduleOptions,
} from "./scheduler.ts";

const CONNECT_TIMEOUT_MS = 10_000;
/** How often the resume note is brought up to date while ranges leave holes. */
const NOTE_INTERVAL_MS = 1000;
/** With `hashOnWorker`, files this large are hashed on a worker thread (smaller ones here). */
const OFF_THREAD_HASH_MIN_BYTES = 16 * 1024 * 1024;

/** A part file complete under its temporary name, and who delivered it. */
export interface Fetched {
  readonly bytes: number;
  readonly resumedFrom: number;
  readonly shares: readonly HolderShare[];
}

/**
 * Fetches what is missing of a file of known size and digest into its resumable part file, and
 * checks the whole of it. On failure, what is complete stays for the next run.
 *
 * A whole that does not match the digest says only that some bytes were wrong, not whose: a
 * holder serving a file changed in place (size and mtime kept), or a corrupt part file from an
 * earlier run. Without piece digests the one way to tell is a whole file from a single holder
 * into an empty part file: when that is what failed, the holder is proven wrong and left out;
 * otherwise each holder left is asked alone, in turn, until one whole verifies.
 *
 * @throws {DownloadError} `mismatch` when no holder left sent the right bytes; else as the
 * scheduler does.
 */
export async function fillPartFile(
  settings: DownloadSettings,
  sources: readonly HolderSource[],
  expected: ExpectedFile,
  partPath: string,
): Promise<Fetched> {
  let left = [...sources];
  let oneAtATime = false;
  const failures: string[] = [];
  let mismatch: DownloadError | undefined;
  const labelOf = (user: string) =>
    sources.find((holder) => holder.user === user)?.source.label ?? user;
  // Each holder is asked alone at most twice (onto a part another left, then into an empty one);
  // past that a part file that cannot be deleted is being checked over and over.
  for (let attempts = 1;; attempts++) {
    let attempt: Attempt;
    try {
      attempt = await fillOnce(settings, oneAtATime ? left.slice(0, 1) : left, expected, partPath);
    } catch (error) {
      const failure = asDownloadError(error);
      // Asked alone, a holder that cannot deliver is skipped like any failed holder.
      if (!oneAtATime || failure.kind !== "holders") throw failure;
      failures.push(failure.message);
      left = left.slice(1);
      if (left.length === 0) throw new DownloadError("mismatch", failuresLine(mismatch, failures));
      continue;
    }
    if (attempt.ok) return attempt.fetched;
    mismatch ??= attempt.failure;
    if (attempts > 2 * sources.length) throw attempt.failure;
    const senders = attempt.shares.filter((share) => share.bytes > 0).map((share) => share.user);
    if (senders.length === 1 && attempt.resumedFrom === 0) {
      // The whole came from this holder alone: its bytes are wrong.
      const [liar] = senders;
      left = left.filter((holder) => holder.user !== liar);
      failures.push(`${labelOf(liar)}: ${attempt.failure.message}`);
      if (left.length === 0) {
        if (failures.length === 1) throw attempt.failure;
        throw new DownloadError("mismatch", failuresLine(mismatch, failures));
      }
      settings.onNotice?.(
        `${
          labelOf(liar)
        }: what it sent does not match the published SHA-256; trying another holder`,
      );
    } else if (senders.length === 0 && attempt.resumedFrom === 0) {
      // Nothing was fetched, so no one to blame (an empty file whose published digest is wrong).
      throw attempt.failure;
    } else if (!oneAtATime) {
      oneAtATime = true;
      const from = [
        ...senders.map(labelOf),
        ...(attempt.resumedFrom > 0 ? ["the part file of an earlier run"] : []),
      ];
      settings.onNotice?.(
        `what arrived (from ${
          from.join(", ")
        }) does not match the published SHA-256; fetching it again from one holder at a time`,
      );
    }
    // The part file was deleted with the mismatch: the next attempt starts from an empty one.
  }
}

/** The failure once every holder was wrong or failed. */
function failuresLine(mismatch: DownloadError | undefined, failures: readonly string[]): string {
  const first = mismatch?.message ?? "what arrived does not match the published SHA-256";
  return `${first} — no holder sent the right bytes: ${failures.join("; ")}`;
}

/** One fill and check: the file, or the mismatch with who sent what. */
type Attempt =
  | { readonly ok: true; readonly fetched: Fetched }
  | {
    readonly ok: false;
    readonly failure: DownloadError;
    readonly shares: readonly HolderShare[];
    readonly resumedFrom: number;
  };

/** Fills the part file once and checks the whole against the digest. */
async function fillOnce(
  settings: DownloadSettings,
  sources: readonly HolderSource[],
  expected: ExpectedFile,
  partPath: string,
): Promise<Attempt> {
  const { dir } = settings;
  const { size } = expected;
  const notePath = resumeNoteName(partPath);
  let part: PartFile;
  try {
    part = await PartFile.open(partPath, size, {
      offThreadHash: settings.hashOnWorker === true && size >= OFF_THREAD_HASH_MIN_BYTES,
    });
  } catch (error) {
    throw new DownloadError("local", `cannot write into ${dir}: ${errorText(error)}`);
  }
  let complete: CompleteRanges;
  try {
    complete = await CompleteRanges.load(part, notePath, size);
  } catch (error) {
    part.close();
    throw new DownloadError("local", `cannot read ${partPath}: ${errorText(error)}`);
  }
  const { resumedFrom } = complete;
  const v2Count = sources.filter(({ source }) => source.mode === "v2").length;
  const parallel = Math.max(1, settings.parallel ?? DEFAULT_PARALLEL_SOURCES);
  const threshold = settings.multiSourceThresholdBytes ?? DEFAULT_MULTI_SOURCE_THRESHOLD_BYTES;
  const multi = parallel > 1 && v2Count > 1 && size - resumedFrom >= threshold;
  const workers = multi ? Math.min(parallel, v2Count) : 1;
  const ranges = planRanges(complete.holes(), size, workers);
  for (const task of ranges) complete.track(task);
  // The part file's length says what is complete only while it is one prefix; otherwise a note
  // beside it does (kept up to date, so even a killed download resumes from its holes).
  const noted = multi || ranges.length > 1 || (ranges.length === 1 && ranges[0].end < size);
  const progress = new ProgressReporter(settings.onProgress, size, resumedFrom);
  let lastNote = performance.now();
  let shares: HolderShare[];
  try {
    try {
      await complete.useNote(noted);
    } catch (error) {
      throw new DownloadError("local", `cannot write into ${dir}: ${errorText(error)}`);
    }
    shares = await fetchAll(settings, {
      sources,
      expected,
      part,
      ranges,
      workers,
      splitForIdle: multi,
      onBytes: (bytes) => {
        progress.add(bytes);
        if (noted && performance.now() - lastNote >= NOTE_INTERVAL_MS) {
          lastNote = performance.now();
          try {
            complete.writeNote();
          } catch {
            // The last note written stays: it says less than is done, never more.
          }
        }
      },
      onNewRange: (task) => complete.track(task),
    });
  } catch (error) {
    const failure = asDownloadError(error);
    // Keep what is complete, and say which that is, so the next attempt fetches only the rest.
    const kept = await complete.keepAfterFailure(part);
    if (kept === 0) throw failure;
    throw new DownloadError(
      failure.kind,
      `${failure.message} (${formatBytes(kept)} of ${
        formatBytes(size)
      } kept; get it again to resume)`,
    );
  }
  progress.finish();
  try {
    await checkWhole(part, expected, notePath);
  } catch (error) {
    if (!(error instanceof DownloadError && error.kind === "mismatch")) throw error;
    return { ok: false, failure: error, shares, resumedFrom };
  }
  return { ok: true, fetched: { bytes: size, resumedFrom, shares } };
}

/**
 * Checks the complete part file against the published size and digest, and closes it (its note
 * is no longer needed).
 *
 * @throws {DownloadError} `mismatch`, after deleting the part file.
 */
async function checkWhole(part: PartFile, expected: ExpectedFile, notePath: string): Promise<void> {
  let digest: string;
  let length: number;
  try {
    length = await part.length();
    digest = await part.digest();
  } finally {
    part.close();
    await removeQuietly(notePath);
  }
  if (length !== expected.size || digest !== expected.sha256) {
    await removeQuietly(part.path);
    throw new DownloadError(
      "mismatch",
      `what arrived does not match the published SHA-256 (${
        length !== expected.size ? `${length} of ${expected.size} bytes` : "different content"
      }); the temporary file was deleted`,
    );
  }
}

/**
 * Fetches a file of unknown size with nothing to check it against (v1 holders only): one holder
 * at a time, each streaming the whole file from its start. On failure nothing is kept.
 */
export async function fillStreamFile(
  settings: DownloadSettings,
  sources: readonly HolderSource[],
  partPath: string,
): Promise<Fetched> {
  const part = new StreamPartFile(partPath);
  const whole = { pos: 0, end: Infinity };
  const progress = new ProgressReporter(settings.onProgress, undefined);
  let shares: HolderShare[];
  try {
    shares = await fetchAll(settings, {
      sources,
      expected: undefined,
      part,
      ranges: [whole],
      workers: 1,
      splitForIdle: false,
      onBytes: (bytes) => progress.add(bytes),
    });
  } catch (error) {
    await part.remove();
    throw error;
  }
  part.close();
  progress.finish();
  return { bytes: whole.end, resumedFrom: 0, shares };
}

/** Runs the scheduler with the settings every download shares. */
function fetchAll(
  settings: DownloadSettings,
  plan:
    & Pick<
      ScheduleOptions,
      "sources" | "ranges" | "workers" | "splitForIdle" | "onBytes" | "onNewRange"
    >
    & { readonly expected: ExpectedFile | undefined; readonly part: PartSink },
): Promise<HolderShare[]> {
  const { expected, part, ...schedule } = plan;
  const rate = settings.rateLimitBytesPerSecond;
  return fetchFromHolders({
    ...schedule,
    fetch: {
      file: settings.file,
      expected,
      part,
      connectTimeoutMs: settings.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      minSpeedBytesPerSecond: settings.minSpeedBytesPerSecond ?? DEFAULT_MIN_DOWNLOAD_SPEED_BYTES,
      statusTimeoutMs: settings.statusTimeoutMs ?? TCP_REQUEST_TIMEOUT_MS,
      maxStreamBytes: settings.maxV1Bytes ?? DEFAULT_MAX_V1_BYTES,
      bucket: rate !== undefined && rate > 0
        ? new TokenBucket({ bytesPerSecond: rate })
        : undefined,
    },
    stallTimeoutMs: settings.stallTimeoutMs,
    busyRetryBudgetMs: Math.max(0, settings.busyRetryBudgetMs ?? DEFAULT_BUSY_RETRY_BUDGET_MS),
    busyRetryDelayMs: Math.max(1, settings.busyRetryDelayMs ?? BUSY_RETRY_INITIAL_MS),
    signal: settings.signal,
    onNotice: settings.onNotice,
  });
}
