import assert from "node:assert/strict";
import { JobRunner } from "./job_runner.ts";
import { failed, type Outcome, succeeded } from "./outcome.ts";
import type { Job } from "./job_table.ts";

/** Downloads that end when the test says, or fail as a cancelled download does when aborted. */
class Downloads {
  readonly started: string[] = [];
  readonly #finish = new Map<string, (outcome: Outcome) => void>();

  readonly download = (job: Job, signal: AbortSignal): Promise<Outcome> => {
    this.started.push(job.file);
    return new Promise((resolve) => {
      this.#finish.set(job.file, resolve);
      signal.addEventListener("abort", () => {
        resolve(failed("get", "downloadFailed", `Download of ${job.file} failed: cancelled`));
      }, { once: true });
    });
  };

  succeed(file: string): void {
    this.#finish.get(file)?.(
      succeeded("get", [`${file} downloaded successfully`, "1.0 MiB in 0.5 s, 2.0 MiB/s"], {}),
    );
  }

  fail(file: string): void {
    this.#finish.get(file)?.(failed("get", "fileNotFound", "File not found"));
  }
}

function runner(maxRunning = 2) {
  const downloads = new Downloads();
  const printed: string[] = [];
  const jobs = new JobRunner({
    maxRunning,
    download: downloads.download,
    print: (line) => printed.push(line),
    now: () => 0,
  });
  return { downloads, printed, jobs };
}

Deno.test("get starts at most the bound at once, queues the rest, and runs them in turn", async () => {
  const { downloads, printed, jobs } = runner(2);
  assert.match(jobs.get("a"), /^\[1\] a: downloading in the background/);
  jobs.get("b");
  assert.match(jobs.get("c"), /^\[3\] c: queued; 2 downloads are running/);
  assert.deepEqual(downloads.started, ["a", "b"]);
  downloads.succeed("a");
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(downloads.started, ["a", "b", "c"]);
  downloads.fail("b");
  downloads.succeed("c");
  await jobs.idle();
  assert.deepEqual(printed, [
    "[1] a downloaded successfully (1.0 MiB in 0.5 s, 2.0 MiB/s)",
    "[2] File not found",
    "[3] c downloaded successfully (1.0 MiB in 0.5 s, 2.0 MiB/s)",
  ]);
  assert.equal(jobs.failures, 1);
  assert.deepEqual(jobs.table.list().map((job) => job.state), ["done", "failed", "done"]);
});

Deno.test("the same name is refused while it downloads", async () => {
  const { downloads, jobs } = runner();
  jobs.get("a");
  assert.equal(jobs.get("a"), "a is already being downloaded (job 1); cancel 1 stops it");
  assert.deepEqual(downloads.started, ["a"]);
  downloads.succeed("a");
  await jobs.idle();
});

Deno.test("cancel stops a running job, which ends cancelled with its part file named", async () => {
  const { jobs, printed } = runner(1);
  jobs.get("a");
  jobs.get("b");
  jobs.table.progress(1, { received: 1024, total: 4096, bytesPerSecond: 10 });
  assert.deepEqual(jobs.cancel("a"), [
    "[1] a: cancelling; its part file is kept: get a resumes it",
  ]);
  // b was queued behind a, and now runs; cancelling it by number stops it too.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(jobs.table.get(2)?.state, "running");
  jobs.cancel("2");
  await jobs.idle();
  assert.deepEqual(printed, [
    "[1] a: cancelled at 1.0 KiB / 4.0 KiB; the part file is kept: get a resumes it",
    "[2] b: cancelled; get b resumes it",
  ]);
  assert.equal(jobs.failures, 0);
});

Deno.test("cancel all ends queued jobs at once and unwinds running ones", async () => {
  const { downloads, jobs } = runner(1);
  jobs.get("a");
  jobs.get("b");
  assert.deepEqual(jobs.cancel("all"), [
    "[1] a: cancelling; its part file is kept: get a resumes it",
    "[2] b: cancelled before it started",
  ]);
  await jobs.idle();
  // b never started, even though a's slot came free.
  assert.deepEqual(downloads.started, ["a"]);
  assert.deepEqual(jobs.table.list().map((job) => job.state), ["cancelled", "cancelled"]);
  assert.deepEqual(jobs.cancel("all"), ["No download to cancel"]);
  assert.deepEqual(jobs.cancel("zz"), ['No queued or running download "zz"; jobs lists them']);
});

Deno.test("a download that throws ends its job as failed, and the runner goes on", async () => {
  const printed: string[] = [];
  const jobs = new JobRunner({
    download: () => Promise.reject(new Error("boom")),
    print: (line) => printed.push(line),
  });
  jobs.get("a");
  await jobs.idle();
  assert.deepEqual(printed, ["[1] Download of a failed: boom"]);
  assert.deepEqual(jobs.lines(), ["[1] a  failed  Download of a failed: boom"]);
  assert.equal(jobs.cancelAll(), 0);
});

Deno.test("a finished job's notices (Now sharing …) come after its end line, to notify", async () => {
  const printed: string[] = [];
  const said: string[] = [];
  const jobs = new JobRunner({
    download: (job) =>
      Promise.resolve(
        succeeded("get", [`${job.file} downloaded successfully`, "17 B in 0.1 s, 170 B/s"], {}, [
          `Now sharing ${job.file}`,
        ]),
      ),
    print: (line) => {
      printed.push(line);
      said.push(line);
    },
    notify: (line) => said.push(`stderr: ${line}`),
    now: () => 0,
  });
  jobs.get("hello.txt");
  await jobs.idle();
  assert.deepEqual(printed, ["[1] hello.txt downloaded successfully (17 B in 0.1 s, 170 B/s)"]);
  assert.deepEqual(said, [
    "[1] hello.txt downloaded successfully (17 B in 0.1 s, 170 B/s)",
    "stderr: Now sharing hello.txt",
  ]);
});
