/**
 * Who fetches what: the ranges of one download handed to its holders — several at once for a
 * large file, an idle holder taking half of the longest range left — and what happens when one
 * fails: the range goes to the next holder at the byte it reached, a v2 request that got no status
 * is asked again in v1, and holders that were busy are asked again (after 1 s, 2 s, 4 s… within a
 * budget) when no other holder can go on. Each connection is {@linkcode fetchRange}'s; this module
 * only decides and waits.
 *
 * @module
 */

import {
  DEFAULT_FAILOVER_STALL_TIMEOUT_MS,
  DEFAULT_TRANSFER_STALL_TIMEOUT_MS,
} from "../defaults.ts";
import { delay, formatSeconds } from "../../util/mod.ts";
import { cancelled, DownloadError, FetchError } from "./errors.ts";
import type { ByteRange } from "./resume_note.ts";
import {
  describeFailure,
  type FetchContext,
  fetchRange,
  type RangeTask,
  type Source,
} from "./fetch_range.ts";

/** A range is split for an idle holder only when both halves are at least this long. */
const MIN_SPLIT_BYTES = 2 * 1024 * 1024;
/** Ranges start on whole MiB (except where a hole starts). */
const ALIGN_BYTES = 1024 * 1024;

/** A holder to fetch from, and who it is. */
export interface HolderSource {
  readonly user: string;
  readonly source: Source;
}

/** What one holder did for a finished download. */
export interface HolderShare {
  readonly user: string;
  /** Bytes it delivered in this run. */
  readonly bytes: number;
  /** Whether it completed a range (an empty one included). */
  readonly confirmed: boolean;
}

/** One download's holders, ranges and limits. */
export interface ScheduleOptions {
  readonly sources: readonly HolderSource[];
  /** What to fetch; advanced (and split) in place. */
  readonly ranges: RangeTask[];
  /** Holders fetching at once. */
  readonly workers: number;
  /** Whether an idle v2 holder may take half of the longest range still being fetched. */
  readonly splitForIdle: boolean;
  /** What every fetch shares, but for its stall timeout and byte counting. */
  readonly fetch: Omit<FetchContext, "stallTimeoutMs" | "onBytes" | "signal">;
  /**
   * A holder that sends less than the minimum speed's worth for this long is dropped; by default
   * 5 s while another holder could take over, 15 s for the last one.
   */
  readonly stallTimeoutMs?: number;
  /** How long in all to keep asking busy holders again, and the first wait. */
  readonly busyRetryBudgetMs: number;
  readonly busyRetryDelayMs: number;
  readonly signal?: AbortSignal;
  /** Bytes written (negative: discarded). */
  readonly onBytes: (bytes: number) => void;
  /** A range split off for an idle holder. */
  readonly onNewRange?: (task: RangeTask) => void;
  /** One line worth telling the user (a v1 fallback, waiting for busy holders). */
  readonly onNotice?: (line: string) => void;
}

/**
 * Splits `[start, end)` into at most `count` ranges of about equal length, on 1 MiB boundaries.
 * Pure.
 *
 * @example
 * ```ts
 * import { splitRange } from "./scheduler.ts";
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
 * The ranges a download starts with: the holes of its part file, the only one split in as many
 * ranges as there are `workers` (one range when it is 1); an empty file is one empty range, so
 * that a holder is still asked and a file no one has is never "downloaded". Pure.
 *
 * @example
 * ```ts
 * import { planRanges } from "./scheduler.ts";
 * const MiB = 1024 * 1024;
 * console.assert(planRanges([{ start: 0, end: 8 * MiB }], 8 * MiB, 4).length === 4);
 * console.assert(planRanges([], 0, 1)[0].end === 0);
 * ```
 */
export function planRanges(
  holes: readonly ByteRange[],
  size: number,
  workers: number,
): RangeTask[] {
  if (holes.length === 1 && workers > 1) return splitRange(holes[0].start, holes[0].end, workers);
  if (holes.length > 0) return holes.map(({ start, end }) => ({ pos: start, end }));
  return size === 0 ? [{ pos: 0, end: 0 }] : [];
}

/** The line for a download that no holder could deliver (a lone reason is enough as is). */
function everyHolderFailed(failures: readonly string[]): DownloadError {
  return new DownloadError(
    "holders",
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
  const waited = waitedMs > 0 ? ` (still busy after waiting ${formatSeconds(waitedMs)})` : "";
  return new DownloadError("holders", `${what}${waited}`);
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

/**
 * Fetches every range of `options.ranges` from the holders, and resolves with what each holder
 * did. Every fetch has ended (or been stopped) by the time it settles.
 *
 * @throws {DownloadError} `holders` when no holder can deliver what is left, `cancelled`, or
 * `local` when the part file cannot be written.
 */
export async function fetchFromHolders(options: ScheduleOptions): Promise<HolderShare[]> {
  const states: HolderState[] = options.sources.map(({ user, source }) => ({
    user,
    source,
    active: false,
    dead: false,
    busy: undefined,
    bytes: 0,
    confirmed: false,
    triedV1: source.mode === "v1",
  }));
  const open = options.ranges;
  const pending = [...open];
  const assigned = new Set<RangeTask>();
  const running = new Map<RangeTask, Promise<Outcome>>();
  const failures: string[] = [];
  const stopAll = new AbortController();
  const cancel = () => stopAll.abort(cancelled());
  options.signal?.addEventListener("abort", cancel, { once: true });

  const startWorker = (state: HolderState, task: RangeTask) => {
    state.active = true;
    assigned.add(task);
    const promise = fetchRange(state.source, task, {
      ...options.fetch,
      stallTimeoutMs: options.stallTimeoutMs ??
        (states.some((other) => other !== state && !other.dead)
          ? DEFAULT_FAILOVER_STALL_TIMEOUT_MS
          : DEFAULT_TRANSFER_STALL_TIMEOUT_MS),
      signal: stopAll.signal,
      onBytes: (bytes) => {
        state.bytes += bytes;
        options.onBytes(bytes);
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
    options.onNewRange?.(task);
    return task;
  };

  const budgetMs = options.busyRetryBudgetMs;
  let busyDelayMs = options.busyRetryDelayMs;
  let busyWaitedMs = 0;
  try {
    while (open.length > 0) {
      for (const state of states) {
        if (running.size >= options.workers) break;
        if (state.dead || state.active || state.busy !== undefined) continue;
        const task = pending.shift() ??
          (options.splitForIdle && state.source.mode === "v2" ? split() : undefined);
        if (task === undefined) continue;
        startWorker(state, task);
      }
      if (running.size === 0) {
        // No one can go on: wait and ask the busy holders again, as long as the budget lasts.
        const busy = states.filter((state) => state.busy !== undefined);
        const waitMs = Math.min(busyDelayMs, budgetMs - busyWaitedMs);
        if (busy.length === 0 || waitMs <= 0) break;
        if (busyWaitedMs === 0) {
          options.onNotice?.(
            `${busy.length === 1 ? busy[0].source.label + " is" : "every holder left is"} ` +
              `busy; asking again for up to ${formatSeconds(budgetMs)}`,
          );
        }
        await delay(waitMs, { signal: stopAll.signal });
        busyWaitedMs += waitMs;
        busyDelayMs *= 2;
        for (const state of busy) state.busy = undefined;
        continue;
      }
      const { state, task, error } = await Promise.race(running.values());
      running.delete(task);
      assigned.delete(task);
      state.active = false;
      if (error === undefined) {
        open.splice(open.indexOf(task), 1);
        state.confirmed = true;
        continue;
      }
      if (task.pos < task.end || task.end === 0) pending.unshift(task);
      else open.splice(open.indexOf(task), 1);
      // Not this holder's doing (cancelled, a full disk): no other holder can help.
      if (error instanceof DownloadError) throw error;
      const message = describeFailure(state.source, error);
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
      // A lone holder's failure is the download's own, said once; a warning would repeat it.
      if (
        error instanceof FetchError && error.kind === "identity" &&
        states.some((other) => other !== state && !other.dead)
      ) {
        options.onNotice?.(`warning: ${message}; trying another holder`);
      }
      state.dead = true;
      failures.push(message);
    }
    if (open.length > 0) {
      const busy = states.flatMap((state) => state.busy ?? []);
      throw busy.length > 0
        ? holdersStayedBusy(busy, failures, busyWaitedMs)
        : everyHolderFailed(failures);
    }
    return states.map(({ user, bytes, confirmed }) => ({ user, bytes, confirmed }));
  } finally {
    options.signal?.removeEventListener("abort", cancel);
    if (running.size > 0) {
      stopAll.abort();
      await Promise.allSettled(running.values());
    }
  }
}
