/**
 * The background downloads of an interactive session, as a table: ids, states (queued, running,
 * done, failed, cancelled), a bound on how many run at once with the rest queued in order, one
 * job per name at a time, progress, and every line the user reads about them (`jobs`, the status
 * line, the line a job prints when it ends). Pure: no sockets, files or clocks — the runner
 * (`job_runner.ts`) starts and stops the downloads and passes the time in.
 *
 * @module
 */

import { displayText } from "../../protocol/display_text.ts";
import { formatBytes, formatDuration } from "../../util/mod.ts";
import type { TransferProgress } from "../download/mod.ts";
import { showName } from "./words.ts";

/** Where a job is in its life. `queued` and `running` are active; the rest are final. */
export type JobState = "queued" | "running" | "done" | "failed" | "cancelled";

/** One background download. */
export interface Job {
  /** Small number the user types (`cancel 2`); never reused in a session. */
  readonly id: number;
  /** The file being downloaded. */
  readonly file: string;
  state: JobState;
  /** Bytes of the file in place (a resumed prefix included), as last reported. */
  received: number;
  /** The file's size once known. */
  total: number | undefined;
  /** Recent speed, as last reported. */
  bytesPerSecond: number;
  /** When it started running (ms on the runner's clock). */
  startedAt: number | undefined;
  /** When it ended. */
  endedAt: number | undefined;
  /** Why it failed, or the summary of a finished download. */
  detail: string | undefined;
}

/** The answer to {@linkcode JobTable.add}. */
export type Added =
  | { readonly ok: true; readonly job: Job }
  | { readonly ok: false; readonly reason: "duplicate"; readonly job: Job };

/** Options of a {@linkcode JobTable}. */
export interface JobTableOptions {
  /** Downloads running at once; the rest wait in order. 3 by default. */
  readonly maxRunning?: number;
  /** Ended jobs kept for `jobs` (the oldest are forgotten first); 20 by default. */
  readonly keepEnded?: number;
}

/** Downloads running at once unless told otherwise. */
export const DEFAULT_MAX_RUNNING_JOBS = 3;

const ACTIVE: ReadonlySet<JobState> = new Set(["queued", "running"]);

/** Whether `job` is queued or running. */
export function isActive(job: Job): boolean {
  return ACTIVE.has(job.state);
}

/**
 * The jobs of one session.
 *
 * @example
 * ```ts
 * import { JobTable } from "./job_table.ts";
 * const table = new JobTable({ maxRunning: 1 });
 * const first = table.add("a.bin", 0);
 * const second = table.add("b.bin", 0);
 * console.assert(first.ok && first.job.state === "running");
 * console.assert(second.ok && second.job.state === "queued");
 * const started = table.end(1, "done", "a.bin downloaded successfully", 10);
 * console.assert(started.length === 1 && started[0].file === "b.bin");
 * ```
 */
export class JobTable {
  readonly maxRunning: number;
  readonly #keepEnded: number;
  readonly #jobs: Job[] = [];
  #nextId = 1;

  constructor(options: JobTableOptions = {}) {
    this.maxRunning = Math.max(1, options.maxRunning ?? DEFAULT_MAX_RUNNING_JOBS);
    this.#keepEnded = Math.max(0, options.keepEnded ?? 20);
  }

  /**
   * A new job for `file`: running at once when there is room, queued otherwise. Refused while a
   * job for the same name is queued or running (two downloads would fill one part file).
   */
  add(file: string, now: number): Added {
    const same = this.#jobs.find((job) => job.file === file && isActive(job));
    if (same !== undefined) return { ok: false, reason: "duplicate", job: same };
    const job: Job = {
      id: this.#nextId++,
      file,
      state: "queued",
      received: 0,
      total: undefined,
      bytesPerSecond: 0,
      startedAt: undefined,
      endedAt: undefined,
      detail: undefined,
    };
    this.#jobs.push(job);
    this.#promote(now);
    return { ok: true, job };
  }

  /** Records what a running job's download reported. */
  progress(id: number, progress: TransferProgress): void {
    const job = this.get(id);
    if (job === undefined || job.state !== "running") return;
    job.received = progress.received;
    job.total = progress.total;
    job.bytesPerSecond = progress.bytesPerSecond;
  }

  /**
   * Ends job `id` (queued or running) in `state`, and returns the queued jobs that now run, in
   * order, for the runner to start. Ending a job that already ended changes nothing.
   */
  end(id: number, state: "done" | "failed" | "cancelled", detail: string, now: number): Job[] {
    const job = this.get(id);
    if (job === undefined || !isActive(job)) return [];
    job.state = state;
    job.detail = detail;
    job.endedAt = now;
    job.bytesPerSecond = 0;
    const started = this.#promote(now);
    this.#forget();
    return started;
  }

  /** The job numbered `id`. */
  get(id: number): Job | undefined {
    return this.#jobs.find((job) => job.id === id);
  }

  /** Every job kept, oldest first. */
  list(): readonly Job[] {
    return this.#jobs;
  }

  /** Queued and running jobs, oldest first. */
  active(): Job[] {
    return this.#jobs.filter(isActive);
  }

  /**
   * The active jobs `ref` names: `all`, a job number (`2`, or `%2` as shells write it), or a
   * file name. Empty when none does.
   */
  select(ref: string): Job[] {
    if (ref === "all") return this.active();
    const number = /^%?(\d+)$/.exec(ref);
    if (number !== null) {
      const job = this.get(Number(number[1]));
      if (job !== undefined && isActive(job)) return [job];
    }
    return this.active().filter((job) => job.file === ref);
  }

  #promote(now: number): Job[] {
    const started: Job[] = [];
    let running = this.#jobs.filter((job) => job.state === "running").length;
    for (const job of this.#jobs) {
      if (running >= this.maxRunning) break;
      if (job.state !== "queued") continue;
      job.state = "running";
      job.startedAt = now;
      running++;
      started.push(job);
    }
    return started;
  }

  #forget(): void {
    let ended = this.#jobs.filter((job) => !isActive(job)).length;
    for (let i = 0; i < this.#jobs.length && ended > this.#keepEnded;) {
      if (isActive(this.#jobs[i])) {
        i++;
        continue;
      }
      this.#jobs.splice(i, 1);
      ended--;
    }
  }
}

/** `12.0 MiB / 40.0 MiB`, or `12.0 MiB` while the size is unknown. */
function amount(job: Job): string {
  return job.total === undefined
    ? formatBytes(job.received)
    : `${formatBytes(job.received)} / ${formatBytes(job.total)}`;
}

/** `11 s left` (`1:05 left` from a minute on), or `--:-- left` with no speed yet. */
function timeLeft(job: Job): string {
  if (job.total === undefined || job.bytesPerSecond <= 0) return "--:-- left";
  return `${
    formatDuration(Math.max(0, job.total - job.received) / job.bytesPerSecond * 1000)
  } left`;
}

function percent(job: Job): string {
  if (job.total === undefined) return "";
  const fraction = job.total > 0 ? Math.min(1, job.received / job.total) : 1;
  return `${Math.floor(fraction * 100)}%`;
}

/**
 * One line of `jobs` for `job`:
 * `[1] a.bin  running  37%  12.0 MiB / 40.0 MiB  2.5 MiB/s  11 s left`.
 *
 * @example
 * ```ts
 * import { formatJob, JobTable } from "./job_table.ts";
 * const table = new JobTable();
 * const added = table.add("a.bin", 0);
 * console.assert(added.ok && formatJob(added.job) === "[1] a.bin  running  0 B  --:-- left");
 * ```
 */
export function formatJob(job: Job): string {
  const head = `[${job.id}] ${displayText(showName(job.file))}  ${job.state}`;
  switch (job.state) {
    case "queued":
      return `${head}  (waiting for a free slot)`;
    case "running": {
      const parts = [percent(job), amount(job)];
      if (job.bytesPerSecond > 0) parts.push(`${formatBytes(job.bytesPerSecond)}/s`);
      parts.push(timeLeft(job));
      return `${head}  ${parts.filter((part) => part !== "").join("  ")}`;
    }
    case "done":
    case "failed":
    case "cancelled":
      return job.detail === undefined ? head : `${head}  ${job.detail}`;
  }
}

/**
 * The one line drawn above the prompt while downloads run: each running job's number, name,
 * share and speed, and how many wait; `undefined` when none is active.
 *
 * @example
 * ```ts
 * import { JobTable, statusLine } from "./job_table.ts";
 * const table = new JobTable({ maxRunning: 1 });
 * table.add("a.bin", 0);
 * table.add("b.bin", 0);
 * table.progress(1, { received: 512, total: 1024, bytesPerSecond: 256 });
 * console.assert(statusLine(table.list()) === "[1] a.bin 50% 256 B/s 2.0 s left | 1 queued");
 * ```
 */
export function statusLine(jobs: readonly Job[]): string | undefined {
  const running = jobs.filter((job) => job.state === "running");
  const queued = jobs.filter((job) => job.state === "queued").length;
  if (running.length === 0 && queued === 0) return undefined;
  const parts = running.map((job) => {
    const share = percent(job);
    const speed = job.bytesPerSecond > 0 ? ` ${formatBytes(job.bytesPerSecond)}/s` : "";
    return `[${job.id}] ${displayText(showName(job.file))}${
      share === "" ? "" : ` ${share}`
    }${speed} ${timeLeft(job)}`;
  });
  if (queued > 0) parts.push(`${queued} queued`);
  return parts.join(" | ");
}

/**
 * What a job's end says about a cancelled download: how far it got, and how to go on. (Progress
 * is counted as bytes are written out, so a download cancelled early may have a part file
 * before it shows any bytes: `get` is the way on either way.)
 */
export function cancelledDetail(job: Job): string {
  return job.received > 0
    ? `cancelled at ${amount(job)}; the part file is kept: get ${showName(job.file)} resumes it`
    : `cancelled; get ${showName(job.file)} resumes it`;
}

/**
 * The line a job prints when it ends: `[1] ` and its outcome in one line.
 *
 * @example
 * ```ts
 * import { endLine } from "./job_table.ts";
 * console.assert(
 *   endLine(1, ["a.bin downloaded successfully", "1.0 MiB in 0.5 s, 2.0 MiB/s"]) ===
 *     "[1] a.bin downloaded successfully (1.0 MiB in 0.5 s, 2.0 MiB/s)",
 * );
 * ```
 */
export function endLine(id: number, lines: readonly string[]): string {
  const [first, ...rest] = lines;
  return rest.length === 0 ? `[${id}] ${first ?? ""}` : `[${id}] ${first} (${rest.join("; ")})`;
}
