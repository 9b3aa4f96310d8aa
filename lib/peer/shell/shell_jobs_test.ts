import assert from "node:assert/strict";
import { join } from "node:path";
import { resumablePartName } from "../download/mod.ts";
import type { StartDownload } from "./job_runner.ts";
import { failed, type Outcome, succeeded } from "./outcome.ts";
import { DOWNLOADS_ENDED, ShellJobs, type ShellJobsOptions } from "./shell_jobs.ts";

/** A terminal that keeps what it was given; with `status` when asked to have one. */
class Screen {
  readonly printed: string[] = [];
  readonly errors: string[] = [];
  print(line: string): void {
    this.printed.push(line);
  }
  error(line: string): void {
    this.errors.push(line);
  }
}

class StatusScreen extends Screen {
  readonly statuses: (string | undefined)[] = [];
  status(line: string | undefined): void {
    this.statuses.push(line);
  }
}

/** Downloads that end when the test says (or when cancelled). */
function controlled() {
  const finish = new Map<string, (outcome: Outcome) => void>();
  const download: StartDownload = (job, signal, onProgress) =>
    new Promise((resolve) => {
      onProgress({ received: 512, total: 1024, bytesPerSecond: 256 });
      finish.set(job.file, resolve);
      signal.addEventListener("abort", () => {
        resolve(failed("get", "downloadFailed", `Download of ${job.file} failed: cancelled`));
      });
    });
  const done = (file: string) =>
    finish.get(file)?.(succeeded("get", [`${file} downloaded successfully`, "1 KiB"], {}));
  return { download, done };
}

async function withJobs(
  options: Partial<ShellJobsOptions> & { terminal: Screen },
  body: (jobs: ShellJobs, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "peersync-shell-jobs-" });
  const jobs = new ShellJobs({
    background: true,
    dir,
    known: [],
    download: () => Promise.resolve(failed("get", "fileNotFound", "File not found")),
    ...options,
  });
  try {
    await body(jobs, dir);
  } finally {
    await jobs.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("help, jobs and cancel are answered here; tracker commands are not", async () => {
  const terminal = new Screen();
  await withJobs({ terminal, background: false }, async (jobs) => {
    assert.deepEqual(await jobs.handle("help cancel"), { ok: true });
    assert.match(terminal.printed.at(-1)!, /^cancel ID\|FILE\|all: /);
    assert.deepEqual(await jobs.handle("help nope"), { ok: false });
    assert.deepEqual(await jobs.handle("cancel 1"), { ok: false });
    assert.match(terminal.printed.at(-1)!, /get runs in the foreground here/);
    assert.deepEqual(await jobs.handle("jobs 3"), { ok: false });
    // Without background downloads, get is the session's own (foreground) business.
    assert.equal(await jobs.handle("get a.bin"), undefined);
    assert.equal(await jobs.handle("lap"), undefined);
    assert.equal(await jobs.handle("xit"), undefined);
    assert.ok(jobs.mayLeave());
  });
});

Deno.test("jobs lists the session's downloads and the part files of earlier ones", async () => {
  const terminal = new Screen();
  const { download, done } = controlled();
  await withJobs({ terminal, download, known: ["old.bin"] }, async (jobs, dir) => {
    await Deno.writeFile(
      join(dir, resumablePartName("old.bin", "ab".repeat(32))),
      new Uint8Array(4),
    );
    // The running job's own part file is its job line, not a leftover.
    await Deno.writeFile(join(dir, resumablePartName("a.bin", "cd".repeat(32))), new Uint8Array(4));
    assert.deepEqual(await jobs.handle("get a.bin"), { ok: true });
    terminal.printed.length = 0;
    await jobs.handle("jobs");
    assert.deepEqual(terminal.printed, [
      "[1] a.bin  running  50%  512 B / 1.0 KiB  256 B/s  2.0 s left",
      "Part files in the share folder (1):",
      "  old.bin: part file of 4 B; get old.bin resumes it",
    ]);
    done("a.bin");
    await jobs.ended();
    assert.equal(terminal.printed.at(-1), "[1] a.bin downloaded successfully (1 KiB)");
  });
});

Deno.test("xit with a download running waits for it; a second xit may leave at once", async () => {
  const terminal = new Screen();
  const { download, done } = controlled();
  await withJobs({ terminal, download }, async (jobs) => {
    await jobs.handle("get a.bin");
    assert.equal(jobs.mayLeave(), false);
    assert.ok(jobs.leaving);
    assert.equal(
      terminal.printed.at(-1),
      "Leaving when the download ends; xit again cancels it (part files are kept, get resumes them)",
    );
    const ended = jobs.ended();
    // A second xit while it still runs leaves now (the session then closes, cancelling it).
    assert.ok(jobs.mayLeave());
    done("a.bin");
    assert.equal(await ended, DOWNLOADS_ENDED);
  });
});

Deno.test("close cancels what still runs and waits until it unwound", async () => {
  const terminal = new Screen();
  const { download } = controlled();
  const jobs = new ShellJobs({ terminal, background: true, dir: ".", known: [], download });
  assert.equal(jobs.cancelAll(), 0);
  await jobs.handle("get a.bin");
  await jobs.handle("get b.bin");
  await jobs.close();
  assert.deepEqual(jobs.runner?.table.list().map((job) => job.state), ["cancelled", "cancelled"]);
  assert.match(terminal.printed.at(-1)!, /^\[2\] b\.bin: cancelled at 512 B \/ 1\.0 KiB/);
});

Deno.test("a failed background download is a failure for --exit-on-error, once", async () => {
  const terminal = new Screen();
  await withJobs({ terminal }, async (jobs) => {
    assert.equal(jobs.newFailure(), false);
    await jobs.handle("get a.bin");
    await jobs.ended();
    assert.equal(terminal.printed.at(-1), "[1] File not found");
    assert.equal(jobs.newFailure(), true);
    assert.equal(jobs.newFailure(), false);
  });
});

Deno.test("a terminal with a status line gets it redrawn in place, and cleared at the end", async () => {
  const terminal = new StatusScreen();
  const { download, done } = controlled();
  await withJobs({ terminal, download }, async (jobs) => {
    await jobs.handle("get a.bin");
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.ok(
      terminal.statuses.includes("[1] a.bin 50% 256 B/s 2.0 s left"),
      `${terminal.statuses}`,
    );
    done("a.bin");
    await jobs.ended();
  });
  assert.equal(terminal.statuses.at(-1), undefined);
  // Never printed as lines of their own.
  assert.ok(!terminal.printed.some((line) => line.includes("s left")));
});

Deno.test("without a status line, it is printed as a line of its own now and then", async () => {
  const terminal = new Screen();
  const { download, done } = controlled();
  await withJobs({ terminal, download, statusEveryMs: 20 }, async (jobs) => {
    await jobs.handle("get a.bin");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(terminal.printed.includes("[1] a.bin 50% 256 B/s 2.0 s left"), `${terminal.printed}`);
    done("a.bin");
    await jobs.ended();
  });
});
