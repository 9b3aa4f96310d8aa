import assert from "node:assert/strict";
import {
  cancelledDetail,
  endLine,
  formatJob,
  type Job,
  JobTable,
  statusLine,
} from "./job_table.ts";
import { splitWords } from "./words.ts";

const MiB = 1024 * 1024;

function added(table: JobTable, file: string, now = 0): Job {
  const result = table.add(file, now);
  assert.ok(result.ok, `${file} was refused`);
  return result.job;
}

Deno.test("jobs are numbered from 1, and past the bound they queue in order", () => {
  const table = new JobTable({ maxRunning: 2 });
  const jobs = ["a", "b", "c", "d"].map((file) => added(table, file));
  assert.deepEqual(jobs.map((job) => job.id), [1, 2, 3, 4]);
  assert.deepEqual(jobs.map((job) => job.state), ["running", "running", "queued", "queued"]);
  assert.equal(jobs[0].startedAt, 0);
  assert.equal(jobs[2].startedAt, undefined);
});

Deno.test("an ended job hands its slot to the oldest queued one", () => {
  const table = new JobTable({ maxRunning: 1 });
  added(table, "a");
  added(table, "b");
  added(table, "c");
  const started = table.end(1, "failed", "no holder", 50);
  assert.deepEqual(started.map((job) => job.file), ["b"]);
  assert.equal(table.get(2)?.state, "running");
  assert.equal(table.get(2)?.startedAt, 50);
  assert.equal(table.get(3)?.state, "queued");
  // Ending it again is a no-op: no second slot is handed out.
  assert.deepEqual(table.end(1, "done", "late", 60), []);
  assert.equal(table.get(1)?.state, "failed");
  assert.equal(table.get(3)?.state, "queued");
});

Deno.test("a cancelled queued job never runs, and frees no slot it did not hold", () => {
  const table = new JobTable({ maxRunning: 1 });
  added(table, "a");
  added(table, "b");
  added(table, "c");
  assert.deepEqual(table.end(2, "cancelled", "cancelled", 5), []);
  assert.equal(table.get(3)?.state, "queued");
  assert.deepEqual(table.end(1, "done", "ok", 6).map((job) => job.file), ["c"]);
});

Deno.test("the same name is refused while its job is active, and taken again after", () => {
  const table = new JobTable();
  added(table, "a.bin");
  const again = table.add("a.bin", 1);
  assert.ok(!again.ok);
  assert.equal(again.reason, "duplicate");
  assert.equal(again.job.id, 1);
  table.end(1, "cancelled", "cancelled", 2);
  assert.equal(added(table, "a.bin", 3).id, 2);
});

Deno.test("cancel selects by number, %number, name or all, among active jobs only", () => {
  const table = new JobTable({ maxRunning: 1 });
  added(table, "a");
  added(table, "b");
  added(table, "7");
  assert.deepEqual(table.select("2").map((job) => job.file), ["b"]);
  assert.deepEqual(table.select("%1").map((job) => job.file), ["a"]);
  assert.deepEqual(table.select("b").map((job) => job.id), [2]);
  assert.deepEqual(table.select("all").map((job) => job.id), [1, 2, 3]);
  // A name that looks like a number still finds its job when no job has that number.
  assert.deepEqual(table.select("7").map((job) => job.id), [3]);
  table.end(1, "done", "ok", 1);
  assert.deepEqual(table.select("1"), []);
  assert.deepEqual(table.select("nothing"), []);
});

Deno.test("progress is kept for running jobs only, and speed is zero once ended", () => {
  const table = new JobTable({ maxRunning: 1 });
  added(table, "a");
  added(table, "b");
  table.progress(1, { received: MiB, total: 4 * MiB, bytesPerSecond: MiB });
  table.progress(2, { received: 5, total: 10, bytesPerSecond: 1 });
  assert.equal(table.get(1)?.received, MiB);
  assert.equal(table.get(2)?.received, 0);
  table.end(1, "cancelled", "x", 1);
  assert.equal(table.get(1)?.bytesPerSecond, 0);
});

Deno.test("ended jobs beyond the bound are forgotten, oldest first; active ones never", () => {
  const table = new JobTable({ maxRunning: 1, keepEnded: 2 });
  for (const file of ["a", "b", "c", "d", "e"]) added(table, file);
  for (const id of [1, 2, 3]) table.end(id, "done", "ok", id);
  assert.deepEqual(table.list().map((job) => job.id), [2, 3, 4, 5]);
  assert.deepEqual(table.active().map((job) => job.id), [4, 5]);
});

Deno.test("jobs lines give state, bytes done and size, speed and time left", () => {
  const table = new JobTable({ maxRunning: 1 });
  const a = added(table, "a.bin");
  const b = added(table, "b.bin");
  table.progress(1, { received: 10 * MiB, total: 40 * MiB, bytesPerSecond: 2 * MiB });
  assert.equal(formatJob(a), "[1] a.bin  running  25%  10.0 MiB / 40.0 MiB  2.0 MiB/s  15 s left");
  assert.equal(formatJob(b), "[2] b.bin  queued  (waiting for a free slot)");
  table.end(1, "cancelled", cancelledDetail(a), 1);
  assert.equal(
    formatJob(a),
    "[1] a.bin  cancelled  cancelled at 10.0 MiB / 40.0 MiB; the part file is kept: " +
      "get a.bin resumes it",
  );
  table.end(2, "failed", "Download of b.bin failed: no holder", 2);
  assert.equal(formatJob(b), "[2] b.bin  failed  Download of b.bin failed: no holder");
});

Deno.test("a name with control characters is shown cleaned", () => {
  const table = new JobTable();
  const job = added(table, "a\u001b[31m.bin");
  assert.ok(!formatJob(job).includes("\u001b"));
  assert.ok(!(statusLine(table.list()) ?? "").includes("\u001b"));
});

Deno.test("the status line sums up running jobs and the queue, and is gone when idle", () => {
  const table = new JobTable({ maxRunning: 2 });
  assert.equal(statusLine(table.list()), undefined);
  added(table, "a.bin");
  added(table, "b.bin");
  added(table, "c.bin");
  table.progress(1, { received: MiB, total: 4 * MiB, bytesPerSecond: MiB });
  assert.equal(
    statusLine(table.list()),
    "[1] a.bin 25% 1.0 MiB/s 3.0 s left | [2] b.bin --:-- left | 1 queued",
  );
  for (const id of [1, 2, 3]) table.end(id, "done", "ok", 1);
  assert.equal(statusLine(table.list()), undefined);
});

Deno.test("a job's end is one line, its outcome's first line then the rest in brackets", () => {
  assert.equal(endLine(3, ["Download of a failed: x"]), "[3] Download of a failed: x");
  assert.equal(
    endLine(1, ["a downloaded successfully", "1.0 MiB in 0.5 s, 2.0 MiB/s, SHA-256 verified"]),
    "[1] a downloaded successfully (1.0 MiB in 0.5 s, 2.0 MiB/s, SHA-256 verified)",
  );
  const table = new JobTable();
  assert.equal(cancelledDetail(added(table, "z")), "cancelled; get z resumes it");
});

Deno.test("a name with spaces is shown quoted, and the resume hint can be typed as shown", () => {
  const table = new JobTable();
  const job = added(table, "my report.pdf");
  table.progress(1, { received: MiB, total: 4 * MiB, bytesPerSecond: MiB });
  assert.equal(
    formatJob(job),
    '[1] "my report.pdf"  running  25%  1.0 MiB / 4.0 MiB  1.0 MiB/s  3.0 s left',
  );
  assert.equal(statusLine(table.list()), '[1] "my report.pdf" 25% 1.0 MiB/s 3.0 s left');
  const detail = cancelledDetail(job);
  assert.ok(detail.endsWith('get "my report.pdf" resumes it'), detail);
  const typed = splitWords(detail.slice(detail.lastIndexOf("get "), -" resumes it".length));
  assert.ok(typed.ok);
  assert.deepEqual(typed.words, ["get", "my report.pdf"]);
});
