/**
 * Runs the background downloads the {@linkcode JobTable} schedules: starts each with its own
 * abort signal, records its progress, ends it as done, failed or cancelled, starts the next
 * queued one, prints one line when a job ends, and says when all are over. What a download is
 * (`get` against the tracker and the holders) is passed in, so this runs in tests without any.
 *
 * Cancelling is an API (`cancel`, `cancelAll`): `cancel` commands call it, and so can a Ctrl-C
 * handler; a cancelled download keeps its part file, and `get` resumes from it.
 *
 * @module
 */

import { errorText } from "../../util/mod.ts";
import type { TransferProgress } from "../download/mod.ts";
import {
  cancelledDetail,
  endLine,
  formatJob,
  type Job,
  JobTable,
  type JobTableOptions,
} from "./job_table.ts";
import { type Outcome, outcomeNotices } from "./outcome.ts";
import { showName } from "./words.ts";

/** One download as the runner starts it. */
export type StartDownload = (
  job: Job,
  signal: AbortSignal,
  onProgress: (progress: TransferProgress) => void,
) => Promise<Outcome>;

/** Options of a {@linkcode JobRunner}. */
export interface JobRunnerOptions extends JobTableOptions {
  /** Downloads `job.file`; cancelled through `signal`. */
  readonly download: StartDownload;
  /** Prints one line above the prompt (a job's end). */
  readonly print: (line: string) => void;
  /** Says a finished job's notices (`Now sharing …`) after its end line; `print` by default. */
  readonly notify?: (line: string) => void;
  /** The clock, in milliseconds. */
  readonly now?: () => number;
}

/**
 * The background downloads of one session.
 *
 * @example
 * ```ts ignore
 * const runner = new JobRunner({ download, print: (line) => terminal.print(line) });
 * terminal.print(runner.get("a.bin"));
 * await runner.idle();
 * ```
 */
export class JobRunner {
  readonly table: JobTable;
  readonly #options: JobRunnerOptions;
  readonly #now: () => number;
  readonly #controllers = new Map<number, AbortController>();
  readonly #running = new Set<Promise<void>>();
  #failed = 0;

  constructor(options: JobRunnerOptions) {
    this.#options = options;
    this.table = new JobTable(options);
    this.#now = options.now ?? (() => performance.now());
  }

  /** Failed jobs so far (cancelled ones not counted). */
  get failures(): number {
    return this.#failed;
  }

  /** Starts (or queues) a download of `file`, and returns the line that says so. */
  get(file: string): string {
    const added = this.table.add(file, this.#now());
    if (!added.ok) {
      return `${
        showName(file)
      } is already being downloaded (job ${added.job.id}); cancel ${added.job.id} ` +
        "stops it";
    }
    const { job } = added;
    if (job.state === "running") {
      this.#start(job);
      return `[${job.id}] ${
        showName(file)
      }: downloading in the background (jobs shows it, cancel ${job.id} ` +
        "stops it)";
    }
    const running = this.table.maxRunning;
    return `[${job.id}] ${showName(file)}: queued; ${running} download${
      running === 1 ? " is" : "s are"
    } running, it starts when one ends`;
  }

  /** Cancels the active jobs `ref` names (a number, a file name or `all`); the lines to print. */
  cancel(ref: string): string[] {
    const jobs = this.table.select(ref);
    if (jobs.length === 0) {
      return [
        ref === "all"
          ? "No download to cancel"
          : `No queued or running download "${ref}"; jobs lists them`,
      ];
    }
    return jobs.map((job) => {
      this.#cancel(job);
      return job.state === "running"
        ? `[${job.id}] ${showName(job.file)}: cancelling; its part file is kept: get ${
          showName(job.file)
        } resumes it`
        : `[${job.id}] ${showName(job.file)}: cancelled before it started`;
    });
  }

  /** Cancels every queued and running job; how many there were. */
  cancelAll(): number {
    const jobs = this.table.active();
    for (const job of jobs) this.#cancel(job);
    return jobs.length;
  }

  /** The lines of `jobs` for the jobs themselves. */
  lines(): string[] {
    const jobs = this.table.list();
    return jobs.length === 0 ? ["No downloads in this session"] : jobs.map(formatJob);
  }

  /** Resolves once no job is queued or running. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  #cancel(job: Job): void {
    const controller = this.#controllers.get(job.id);
    if (controller !== undefined) {
      controller.abort();
      return;
    }
    // Queued: it never started, so it ends here.
    this.#end(job, "cancelled", "cancelled before it started", false);
  }

  #start(job: Job): void {
    const controller = new AbortController();
    this.#controllers.set(job.id, controller);
    const run = this.#run(job, controller.signal).finally(() => {
      this.#controllers.delete(job.id);
      this.#running.delete(run);
    });
    this.#running.add(run);
  }

  async #run(job: Job, signal: AbortSignal): Promise<void> {
    try {
      const outcome = await this.#options.download(
        job,
        signal,
        (progress) => this.table.progress(job.id, progress),
      );
      if (outcome.ok) {
        this.#end(job, "done", endLine(job.id, outcome.lines).replace(/^\[\d+\] /, ""));
        const notify = this.#options.notify ?? this.#options.print;
        for (const notice of outcomeNotices(outcome)) notify(notice);
      } else if (signal.aborted) {
        this.#end(job, "cancelled", cancelledDetail(job));
      } else {
        this.#end(job, "failed", outcome.message);
      }
    } catch (error) {
      // The session is stopping (its own signal), or a bug: either way this job is over.
      if (signal.aborted) this.#end(job, "cancelled", cancelledDetail(job));
      else {this.#end(
          job,
          "failed",
          `Download of ${showName(job.file)} failed: ${errorText(error)}`,
        );}
    }
  }

  #end(job: Job, state: "done" | "failed" | "cancelled", detail: string, say = true): void {
    if (state === "failed") this.#failed++;
    const started = this.table.end(job.id, state, detail, this.#now());
    if (say) {
      this.#options.print(
        state === "cancelled"
          ? `[${job.id}] ${showName(job.file)}: ${detail}`
          : `[${job.id}] ${detail}`,
      );
    }
    for (const next of started) this.#start(next);
  }
}
