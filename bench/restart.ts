/**
 * Part of `deno task bench:tracker`: how long a real tracker takes to start serving with N
 * publications (1M by default) stored in its SQLite file, beside the same tracker starting on an
 * empty file in the same run. Measured from spawning the process to its "listening" line, and
 * the load alone as the tracker logs it; then a SIGTERM stop, whose write-back is timed too.
 *
 *   deno run --allow-all bench/restart.ts [--rows 1000000] [--users 1000]
 */

import { parseArgs } from "node:util";
import { SqliteStore } from "../lib/tracker/store/mod.ts";
import { Program } from "../tests/support/programs.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rows: { type: "string", default: "1000000" },
    users: { type: "string", default: "1000" },
  },
});
const ROWS = Number(values.rows);
const USERS = Number(values.users);
const PER_USER = Math.ceil(ROWS / USERS);
const userName = (index: number) => `user${String(index).padStart(6, "0")}`;

async function timedStart(dir: string): Promise<{ totalMs: number; loadMs: number }> {
  const started = performance.now();
  // Started as `TrackerProcess.startIn` does, but waiting longer than a test would: on a busy
  // machine a start with a million publications can pass the tests' 10 s.
  const tracker = new Program("tracker.ts", [
    "--credentials",
    `${dir}/credentials.txt`,
    "--quiet",
    "0",
  ]);
  await tracker.stdout.waitFor(/listening on [^ ]+:(\d+)/, 300_000);
  const totalMs = performance.now() - started;
  const loaded = /Loaded .* in (\d+) ms/.exec(tracker.stdout.text);
  const stopped = performance.now();
  const status = await tracker.stop();
  if (status?.code !== 0) throw new Error(`tracker exited ${status?.code}`);
  console.log(`    (stop after SIGTERM: ${(performance.now() - stopped).toFixed(0)} ms)`);
  return { totalMs, loadMs: Number(loaded?.[1] ?? NaN) };
}

const empty = await Deno.makeTempDir({ prefix: "restart_bench_empty_" });
const full = await Deno.makeTempDir({ prefix: "restart_bench_full_" });
try {
  const credentials = Array.from({ length: USERS }, (_, i) => `${userName(i)} pw\n`).join("");
  await Deno.writeTextFile(`${empty}/credentials.txt`, credentials);
  await Deno.writeTextFile(`${full}/credentials.txt`, credentials);
  const store = SqliteStore.open(`${full}/peersync-tracker.db`);
  for (let index = 0; index < ROWS; index++) {
    // Half v2 (size and digest), half v1, as in bench/store_bench.ts.
    const meta = index % 2 === 0
      ? { size: index * 1024, sha256: index.toString(16).padStart(64, "0") }
      : undefined;
    store.publish(userName(Math.floor(index / PER_USER)), `file-${index}.bin`, meta);
    if (index % 100_000 === 99_999) await store.flush();
  }
  await store.close();
  const size = (await Deno.stat(`${full}/peersync-tracker.db`)).size;
  console.log(
    `tracker restart, ${ROWS.toLocaleString("en")} publications of ${USERS} users ` +
      `(${(size / 1e6).toFixed(1)} MB file):`,
  );
  // Alternated, so neither start always runs on a cold cache.
  const runs: { empty: number; full: number; load: number }[] = [];
  for (let round = 0; round < 2; round++) {
    const a = await timedStart(empty);
    const b = await timedStart(full);
    runs.push({ empty: a.totalMs, full: b.totalMs, load: b.loadMs });
  }
  const best = (pick: (run: (typeof runs)[number]) => number) => Math.min(...runs.map(pick));
  console.log(
    `  start to "listening", empty database        ${best((r) => r.empty).toFixed(0)} ms`,
  );
  console.log(`  start to "listening", ${ROWS} publications  ${best((r) => r.full).toFixed(0)} ms`);
  console.log(`  of which loading (the tracker's own figure)  ${best((r) => r.load)} ms`);
} finally {
  await Deno.remove(empty, { recursive: true });
  await Deno.remove(full, { recursive: true });
}
