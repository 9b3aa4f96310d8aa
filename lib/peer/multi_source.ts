/**
 * `downloadFromHolders`: the v2 download. It tries every holder the tracker named, resumes an
 * interrupted download of the same file and digest, moves on to another holder when one refuses,
 * stalls or drops (continuing at the current offset), comes back to holders that were busy when
 * no other holder can go on (after 1 s, 2 s, 4 s… within a budget), fetches disjoint ranges from
 * several v2 holders at once for large files, and links the file into place only after its size
 * and SHA-256 match what was published. With v1 holders only (no digest), it falls back to the plain v1
 * download: no resume and no verification are possible then.
 *
 * @module
 */

import { resolve } from "node:path";
import {
  BUSY_RETRY_INITIAL_MS,
  DEFAULT_BUSY_RETRY_BUDGET_MS,
  DEFAULT_FAILOVER_STALL_TIMEOUT_MS,
  DEFAULT_MULTI_SOURCE_THRESHOLD_BYTES,
  DEFAULT_PARALLEL_SOURCES,
  DEFAULT_TRANSFER_STALL_TIMEOUT_MS,
  type Holder,
} from "../protocol/mod.ts";
import {
  asDownloadError,
  checkedFinalPath,
  DownloadError,
  downloadFile,
  errorText,
  hostPort,
  placeWithoutOverwriting,
  removeQuietly,
  withDownloadErrors,
} from "./download.ts";
import { CompleteRanges } from "./complete_ranges.ts";
import { PartFile, resumablePartName, resumeNoteName } from "./part_file.ts";
import { formatBytes, SpeedMeter, type TransferProgress } from "./progress.ts";
import { FetchError, fetchRange, type RangeTask, type Source } from "./range_fetch.ts";
import { TokenBucket } from "./rate_limit.ts";

/** The size and digest a download must end with. */
export interface ExpectedFile {
  readonly size: number;
  /** SHA-256, 64 lowercase hex digits. */
  readonly sha256: string;
}

/** What to download, from whom, and how. */
export interface DownloadFromHoldersOptions {
  /** The file name (checked against the file-name rule before anything else). */
  readonly file: string;
  /** The share folder the file goes into; nothing is written anywhere else. */
  readonly dir: string;
  /** Every holder the tracker returned, in the order to try them. */
  readonly holders: readonly Holder[];
  /**
   * Size and digest to verify against; by default those most v2 holders published. Holders that
   * published another digest are not used.
   */
  readonly expected?: ExpectedFile;
  /** Cancels the download; the temporary file is kept for a later resume. */
  readonly signal?: AbortSignal;
  /**
   * A holder that sends nothing for this long is dropped; by default 5 s while another holder
   * could take over, 15 s for the last one.
   */
  readonly stallTimeoutMs?: number;
  /** A holder that does not accept the connection within this long is skipped; 10 s by default. */
  readonly connectTimeoutMs?: number;
  /** Holders fetched from at once for a large file; defaults to 4 (1 turns multi-source off). */
  readonly parallel?: number;
  /** Files at least this large (and with at least two v2 holders) are fetched in ranges; 64 MiB. */
  readonly multiSourceThresholdBytes?: number;
  /** Total download rate in bytes per second; unlimited when unset. */
  readonly rateLimitBytesPerSecond?: number;
  /** Called as bytes arrive (at most ~10 times a second) and once at the end. */
  readonly onProgress?: (progress: TransferProgress) => void;
  /**
   * Verify on a worker thread, beside the transfer instead of in it. Off by default: it pays off
   * only with a core to spare (measured here, 2 cores with both peers on one machine: no faster),
   * and the worker adds ~30 MiB of memory.
   */
  readonly hashOnWorker?: boolean;
  /**
   * When holders answered `busy` and no other holder can go on, they are asked again after a
   * wait that starts at `busyRetryDelayMs` (1 s) and doubles, for at most this long in all (30 s
   * by default; 0 gives up on a busy holder at once). Holders that failed any other way are not
   * asked again.
   */
  readonly busyRetryBudgetMs?: number;
  /** The first wait before busy holders are asked again; 1 s by default, doubling after each. */
  readonly busyRetryDelayMs?: number;
  /**
   * Called with one line when something worth telling the user happens (a v1 fallback, waiting
   * for busy holders).
   */
  readonly onNotice?: (line: string) => void;
}

/** A completed download. */
export interface HoldersDownloadResult {
  /** The path of the new file. */
  readonly path: string;
  /** Its size. */
  readonly bytes: number;
  /** Users of the holders that delivered bytes (or confirmed an empty or complete file). */
  readonly fromHolders: string[];
  /** Bytes that were already there from an interrupted download (0 when none). */
  readonly resumedFrom: number;
  /** How long the download took. */
  readonly ms: number;
  /** Whether size and SHA-256 were checked (false only for a v1-only download). */
  readonly verified: boolean;
  /** Bytes each holder delivered in this run, by user. */
  readonly sources: readonly { readonly user: string; readonly bytes: number }[];
}

const CONNECT_TIMEOUT_MS = 10_000;
/** A range is split for an idle holder only when both halves are at least this long. */
const MIN_SPLIT_BYTES = 2 * 1024 * 1024;
const ALIGN_BYTES = 1024 * 1024;
const PROGRESS_INTERVAL_MS = 100;
const NOTE_INTERVAL_MS = 1000;
/** With `hashOnWorker`, files this large are hashed on a worker thread (smaller ones here). */
const OFF_THREAD_HASH_MIN_BYTES = 16 * 1024 * 1024;

/** Part files being written by this process: two downloads never share one. */
const partsInUse = new Set<string>();

function holderLabel(holder: Holder): string {
  return `${holder.user} (${hostPort(holder.host, holder.port)})`;
}

function addressesOf(holder: Holder): { host: string; port: number }[] {
  const addresses = [{ host: holder.host, port: holder.port }];
  if (holder.claimed) addresses.push({ host: holder.claimed.host, port: holder.claimed.port });
  return addresses;
}

/** One line for the user out of each holder's reason for failing (a lone one is enough as is). */
function everyHolderFailed(failures: readonly string[]): DownloadError {
  return new DownloadError(
    failures.length === 1 ? failures[0] : `every holder failed — ${failures.join("; ")}`,
  );
}

/**
 * The failure when some holders were still busy at the end: it says so, and how long they were
 * waited for.
 */
function holdersStayedBusy(
  busy: readonly string[],
  others: readonly string[],
  waitedMs: number,
): DownloadError {
  const all = [...others, ...busy];
  const what = all.length === 1
    ? all[0]
    : `${others.length === 0 ? "every holder is busy" : "every holder failed or is busy"} — ${
      all.join("; ")
    }`;
  const waited = waitedMs > 0 ? ` (still busy after waiting ${seconds(waitedMs)})` : "";
  return new DownloadError(`${what}${waited}`);
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Waits `ms`, or rejects with a `cancelled` {@linkcode DownloadError} as soon as `signal` aborts.
 */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new DownloadError("cancelled"));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DownloadError("cancelled"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The size and digest most v2 holders agree on, or `undefined` when none has one. */
export function expectedFromHolders(holders: readonly Holder[]): ExpectedFile | undefined {
  const votes = new Map<string, { expected: ExpectedFile; count: number }>();
  for (const { size, sha256 } of holders) {
    if (size === undefined || sha256 === undefined) continue;
    const key = `${size} ${sha256}`;
    const vote = votes.get(key) ?? { expected: { size, sha256 }, count: 0 };
    vote.count++;
    votes.set(key, vote);
  }
  let best: { expected: ExpectedFile; count: number } | undefined;
  for (const vote of votes.values()) if (!best || vote.count > best.count) best = vote;
  return best?.expected;
}

/**
 * Splits `[start, end)` into at most `count` ranges of about equal length, on 1 MiB boundaries.
 * Pure.
 *
 * @example
 * ```ts
 * import { splitRange } from "./multi_source.ts";
 * const ranges = splitRange(0, 10 * 1024 * 1024, 3);
 * console.assert(ranges.length === 3 && ranges[2].end === 10 * 1024 * 1024);
 * ```
 */
export function splitRange(start: number, end: number, count: number): RangeTask[] {
  const ranges: RangeTask[] = [];
  const step = Math.max(ALIGN_BYTES, Math.ceil((end - start) / count / ALIGN_BYTES) * ALIGN_BYTES);
  for (let pos = start; pos < end; pos += step) {
    ranges.push({ pos, end: Math.min(end, pos + step) });
  }
  return ranges;
}

/**
 * Downloads `file` into `dir` from `holders`, verifying it against `expected` (or what the v2
 * holders published).
 *
 * @throws {DownloadError} with a one-line reason; the final name is then never created. An
 * interrupted v2 download keeps its temporary file, and the next call for the same file and
 * digest continues from it.
 *
 * @example
 * ```ts ignore
 * import { downloadFromHolders } from "./multi_source.ts";
 * const result = await downloadFromHolders({ file: "a.bin", dir: ".", holders });
 * console.log(`${result.bytes} bytes from ${result.fromHolders.join(", ")}`);
 * ```
 */
export function downloadFromHolders(
  options: DownloadFromHoldersOptions,
): Promise<HoldersDownloadResult> {
  return withDownloadErrors(() => download(options));
}

async function download(options: DownloadFromHoldersOptions): Promise<HoldersDownloadResult> {
  const started = performance.now();
  const { file, dir, holders } = options;
  const final = await checkedFinalPath(options);
  if (holders.length === 0) throw new DownloadError("no holder to download from");
  const expected = options.expected ?? expectedFromHolders(holders);
  if (expected === undefined) return await downloadV1(options, started);
  const sources: { holder: Holder; source: Source }[] = [];
  const otherVersions: Holder[] = [];
  for (const holder of holders) {
    if (holder.sha256 === undefined || holder.size === undefined) continue;
    if (holder.sha256 !== expected.sha256 || holder.size !== expected.size) {
      otherVersions.push(holder);
      continue;
    }
    sources.push({
      holder,
      source: { label: holderLabel(holder), addresses: addressesOf(holder), mode: "v2" },
    });
  }
  // v1 holders cannot resume or range, but with a known digest what they send is verified too.
  for (const holder of holders) {
    if (holder.sha256 !== undefined) continue;
    sources.push({
      holder,
      source: { label: holderLabel(holder), addresses: addressesOf(holder), mode: "v1" },
    });
  }
  if (sources.length === 0) {
    throw new DownloadError(
      `no holder offers the expected version of ${file} (${otherVersions.length} offer another)`,
    );
  }
  const partPath = resolve(dir, resumablePartName(file, expected.sha256));
  if (partsInUse.has(partPath)) {
    throw new DownloadError(`${file} is already being downloaded`);
  }
  partsInUse.add(partPath);
  try {
    return await downloadInto(options, expected, sources, partPath, final, started);
  } finally {
    partsInUse.delete(partPath);
  }
}

/** Only v1 holders: the plain v1 download from each in turn. Nothing can be verified. */
async function downloadV1(
  options: DownloadFromHoldersOptions,
  started: number,
): Promise<HoldersDownloadResult> {
  const failures: string[] = [];
  for (const holder of options.holders) {
    for (const { host, port } of addressesOf(holder)) {
      try {
        const result = await downloadFile({
          host,
          port,
          file: options.file,
          dir: options.dir,
          signal: options.signal,
          stallTimeoutMs: options.stallTimeoutMs,
          connectTimeoutMs: options.connectTimeoutMs,
        });
        options.onProgress?.({ received: result.bytes, total: result.bytes, bytesPerSecond: 0 });
        return {
          path: result.path,
          bytes: result.bytes,
          fromHolders: [holder.user],
          resumedFrom: 0,
          ms: performance.now() - started,
          verified: false,
          sources: [{ user: holder.user, bytes: result.bytes }],
        };
      } catch (error) {
        if (!(error instanceof DownloadError)) throw error;
        if (options.signal?.aborted || /not overwriting/.test(error.message)) throw error;
        failures.push(`${holderLabel(holder)}: ${error.message}`);
      }
    }
  }
  throw everyHolderFailed(failures);
}

interface HolderState {
  readonly user: string;
  source: Source;
  active: boolean;
  dead: boolean;
  /** Why it last answered `busy`, while it waits to be asked again. */
  busy: string | undefined;
  bytes: number;
  confirmed: boolean;
  triedV1: boolean;
}

type Outcome = { readonly state: HolderState; readonly task: RangeTask; readonly error?: unknown };

async function downloadInto(
  options: DownloadFromHoldersOptions,
  expected: ExpectedFile,
  sourceList: readonly { holder: Holder; source: Source }[],
  partPath: string,
  final: string,
  started: number,
): Promise<HoldersDownloadResult> {
  const { file, dir } = options;
  const { size } = expected;
  const notePath = resumeNoteName(partPath);
  let part: PartFile;
  try {
    part = await PartFile.open(partPath, size, {
      offThreadHash: options.hashOnWorker === true && size >= OFF_THREAD_HASH_MIN_BYTES,
    });
  } catch (error) {
    throw new DownloadError(`cannot write into ${dir}: ${errorText(error)}`);
  }
  let complete: CompleteRanges;
  try {
    complete = await CompleteRanges.load(part, notePath, size);
  } catch (error) {
    part.close();
    throw new DownloadError(`cannot read ${partPath}: ${errorText(error)}`);
  }
  const { resumedFrom } = complete;
  const holes = complete.holes();

  const states: HolderState[] = sourceList.map(({ holder, source }) => ({
    user: holder.user,
    source,
    active: false,
    dead: false,
    busy: undefined,
    bytes: 0,
    confirmed: false,
    triedV1: source.mode === "v1",
  }));
  const v2Count = states.filter((state) => state.source.mode === "v2").length;
  const parallel = Math.max(1, options.parallel ?? DEFAULT_PARALLEL_SOURCES);
  const threshold = options.multiSourceThresholdBytes ?? DEFAULT_MULTI_SOURCE_THRESHOLD_BYTES;
  const multi = parallel > 1 && v2Count > 1 && size - resumedFrom >= threshold;
  const maxWorkers = multi ? Math.min(parallel, v2Count) : 1;
  // An empty file still asks one holder, so a file no one has is never "downloaded".
  const open: RangeTask[] = holes.length === 1 && multi
    ? splitRange(holes[0].start, holes[0].end, maxWorkers)
    : holes.length > 0
    ? holes.map(({ start, end }) => ({ pos: start, end }))
    : size === 0
    ? [{ pos: 0, end: 0 }]
    : [];
  for (const task of open) complete.track(task);
  // The part file's length says what is complete only while it is one prefix; otherwise a note
  // beside it does (kept up to date, so even a killed download resumes from its holes).
  const noted = multi || open.length > 1 || (open.length === 1 && open[0].end < size);
  const pending = [...open];
  const assigned = new Set<RangeTask>();
  const running = new Map<RangeTask, Promise<Outcome>>();
  const failures: string[] = [];
  const stopAll = new AbortController();
  const cancel = () => stopAll.abort();
  options.signal?.addEventListener("abort", cancel, { once: true });

  let have = resumedFrom;
  let lastNote = performance.now();
  const meter = new SpeedMeter();
  let lastProgress = -Infinity;
  const report = (force: boolean) => {
    if (options.onProgress === undefined) return;
    const now = performance.now();
    if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return;
    lastProgress = now;
    options.onProgress({ received: have, total: size, bytesPerSecond: meter.bytesPerSecond() });
  };
  const bucket = options.rateLimitBytesPerSecond !== undefined &&
      options.rateLimitBytesPerSecond > 0
    ? new TokenBucket({ bytesPerSecond: options.rateLimitBytesPerSecond })
    : undefined;

  const startWorker = (state: HolderState, task: RangeTask) => {
    state.active = true;
    assigned.add(task);
    const promise = fetchRange(state.source, task, {
      file,
      size,
      sha256: expected.sha256,
      part,
      stallTimeoutMs: options.stallTimeoutMs ??
        (states.some((other) => other !== state && !other.dead)
          ? DEFAULT_FAILOVER_STALL_TIMEOUT_MS
          : DEFAULT_TRANSFER_STALL_TIMEOUT_MS),
      connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      signal: stopAll.signal,
      bucket,
      onBytes: (bytes) => {
        have += bytes;
        state.bytes += bytes;
        if (bytes > 0) meter.add(bytes);
        report(false);
        if (noted && performance.now() - lastNote >= NOTE_INTERVAL_MS) {
          lastNote = performance.now();
          try {
            complete.writeNote();
          } catch {
            // The last note written stays: it says less than is done, never more.
          }
        }
      },
    }).then(
      (): Outcome => ({ state, task }),
      (error): Outcome => ({ state, task, error }),
    );
    running.set(task, promise);
  };

  /** Gives an idle holder half of the longest range still being fetched. */
  const split = (): RangeTask | undefined => {
    let longest: RangeTask | undefined;
    for (const task of assigned) {
      if (!longest || task.end - task.pos > longest.end - longest.pos) longest = task;
    }
    if (!longest || longest.end - longest.pos < 2 * MIN_SPLIT_BYTES) return undefined;
    const middle = Math.ceil((longest.pos + (longest.end - longest.pos) / 2) / ALIGN_BYTES) *
      ALIGN_BYTES;
    if (middle >= longest.end || middle - longest.pos < MIN_SPLIT_BYTES) return undefined;
    const task = { pos: middle, end: longest.end };
    longest.end = middle;
    open.push(task);
    complete.track(task);
    return task;
  };

  const busyBudgetMs = Math.max(0, options.busyRetryBudgetMs ?? DEFAULT_BUSY_RETRY_BUDGET_MS);
  let busyDelayMs = Math.max(1, options.busyRetryDelayMs ?? BUSY_RETRY_INITIAL_MS);
  let busyWaitedMs = 0;
  let failure: DownloadError | undefined;
  try {
    try {
      await complete.useNote(noted);
    } catch (error) {
      throw new DownloadError(`cannot write into ${dir}: ${errorText(error)}`);
    }
    while (open.length > 0 && failure === undefined) {
      for (const state of states) {
        if (running.size >= maxWorkers) break;
        if (state.dead || state.active || state.busy !== undefined) continue;
        const task = pending.shift() ?? (multi && state.source.mode === "v2" ? split() : undefined);
        if (task === undefined) continue;
        startWorker(state, task);
      }
      if (running.size === 0) {
        // No one can go on: wait and ask the busy holders again, as long as the budget lasts.
        const busy = states.filter((state) => state.busy !== undefined);
        const waitMs = Math.min(busyDelayMs, busyBudgetMs - busyWaitedMs);
        if (busy.length === 0 || waitMs <= 0) break;
        if (busyWaitedMs === 0) {
          options.onNotice?.(
            `${busy.length === 1 ? busy[0].source.label + " is" : "every holder left is"} ` +
              `busy; asking again for up to ${seconds(busyBudgetMs)}`,
          );
        }
        await pause(waitMs, stopAll.signal);
        busyWaitedMs += waitMs;
        busyDelayMs *= 2;
        for (const state of busy) state.busy = undefined;
        continue;
      }
      const outcome = await Promise.race(running.values());
      running.delete(outcome.task);
      assigned.delete(outcome.task);
      outcome.state.active = false;
      const { state, task, error } = outcome;
      if (error === undefined) {
        open.splice(open.indexOf(task), 1);
        state.confirmed = true;
        continue;
      }
      if (task.pos < task.end || task.end === 0) pending.unshift(task);
      else open.splice(open.indexOf(task), 1);
      if (error instanceof DownloadError) {
        failure = error;
        break;
      }
      const message = `${state.source.label}: ${errorText(error)}`;
      if (error instanceof FetchError && error.kind === "busy") {
        // Its upload slots are all taken: worth asking again later, unlike any other failure.
        state.busy = message;
        continue;
      }
      if (error instanceof FetchError && error.kind === "nostatus" && !state.triedV1) {
        // A v1 uploader reads a v2 request as an invalid name and closes without a byte.
        state.triedV1 = true;
        state.source = { ...state.source, mode: "v1" };
        options.onNotice?.(`${state.source.label} did not answer in v2; trying it in v1`);
        continue;
      }
      state.dead = true;
      failures.push(message);
    }
    if (failure === undefined && open.length > 0) {
      const busy = states.flatMap((state) => state.busy ?? []);
      failure = busy.length > 0
        ? holdersStayedBusy(busy, failures, busyWaitedMs)
        : everyHolderFailed(failures);
    }
  } catch (error) {
    failure = asDownloadError(error);
  } finally {
    options.signal?.removeEventListener("abort", cancel);
    if (running.size > 0) {
      stopAll.abort();
      await Promise.allSettled(running.values());
    }
  }

  if (failure !== undefined) {
    // Keep what is complete, and say which that is, so the next attempt fetches only the rest.
    const kept = await complete.keepAfterFailure(part);
    if (kept === 0) throw failure;
    throw new DownloadError(
      `${failure.message} (${formatBytes(kept)} of ${
        formatBytes(size)
      } kept; get it again to resume)`,
    );
  }

  report(true);
  let digest: string;
  let length: number;
  try {
    length = await part.length();
    digest = await part.digest();
  } finally {
    part.close();
    await removeQuietly(notePath);
  }
  if (length !== size || digest !== expected.sha256) {
    await removeQuietly(partPath);
    throw new DownloadError(
      `what arrived does not match the published SHA-256 (${
        length !== size ? `${length} of ${size} bytes` : "different content"
      }); the temporary file was deleted`,
    );
  }
  try {
    await placeWithoutOverwriting(partPath, final, { file, dir });
  } finally {
    await removeQuietly(partPath);
  }
  return {
    path: final,
    bytes: size,
    fromHolders: states.filter((state) => state.bytes > 0 || state.confirmed).map((state) =>
      state.user
    ),
    resumedFrom,
    ms: performance.now() - started,
    verified: true,
    sources: states.map((state) => ({ user: state.user, bytes: state.bytes })),
  };
}
