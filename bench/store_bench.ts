/**
 * `deno task bench:store`: what the tracker's publication store costs, each figure beside a
 * baseline measured in the same run:
 *
 * - inserting N publications (1M by default) through the store in batches of `--batch`, as the
 *   tracker's write-behind does, against one bare `node:sqlite` transaction of the same rows;
 * - the database file's size;
 * - restart: opening the file and `loadAll` into per-user maps (what the tracker's state holds),
 *   against reading the same table a row per publication with `iterate()`;
 * - `publish()` as the caller sees it (it only queues), against the nested `Map.set` the
 *   tracker's in-memory state does for the same publication;
 * - how long a batch write takes on a table that already holds N publications (random users,
 *   as a running tracker sees them), and the longest the loop stalls meanwhile (the writes run in
 *   a worker, so only handing the batch over is on the loop).
 *
 *   deno run --allow-all bench/store_bench.ts [--rows 1000000] [--batch 1000] [--users 10000]
 */

import { parseArgs } from "node:util";
import { DatabaseSync } from "node:sqlite";
import { MIGRATIONS } from "../lib/tracker/store/sqlite_schema.ts";
import { type PublicationMeta, SqliteStore } from "../lib/tracker/store/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rows: { type: "string", default: "1000000" },
    batch: { type: "string", default: "1000" },
    users: { type: "string", default: "10000" },
    churn: { type: "string", default: "200" },
  },
});
const ROWS = Number(values.rows);
const BATCH = Number(values.batch);
const USERS = Number(values.users);
const CHURN_BATCHES = Number(values.churn);
const PER_USER = Math.ceil(ROWS / USERS);

// User-major: each user's publications together, as a peer re-publishing its folder sends them.
const userOf = (index: number) => `user${String(Math.floor(index / PER_USER)).padStart(6, "0")}`;
const nameOf = (index: number) => `file-${index}.bin`;
const digest = (index: number) => index.toString(16).padStart(64, "0");
// Half the publications are v2 (size and digest), half v1.
const metaOf = (index: number): PublicationMeta | undefined =>
  index % 2 === 0 ? { size: index * 1024, sha256: digest(index) } : undefined;

const line = (label: string, value: string, note = "") =>
  console.log(`  ${label.padEnd(46)} ${value.padStart(12)}${note ? `   ${note}` : ""}`);
const ms = (value: number) => `${value.toFixed(0)} ms`;
const us = (value: number) => `${value.toFixed(2)} µs`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

const dir = await Deno.makeTempDir({ prefix: "store_bench_" });
let bareInsertMs = 0;
try {
  console.log(
    `publication store, ${ROWS.toLocaleString("en")} publications of ` +
      `${USERS.toLocaleString("en")} users, batches of ${BATCH}`,
  );

  // Baseline: the same rows in one bare transaction, no store.
  const bare = `${dir}/bare.db`;
  {
    const db = new DatabaseSync(bare);
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    db.exec(MIGRATIONS[0]);
    const insert = db.prepare("INSERT INTO publication VALUES (?, ?, ?, ?)");
    const start = performance.now();
    db.exec("BEGIN");
    for (let index = 0; index < ROWS; index++) {
      const meta = metaOf(index);
      insert.run(userOf(index), nameOf(index), meta?.size ?? null, meta?.sha256 ?? null);
    }
    db.exec("COMMIT");
    bareInsertMs = performance.now() - start;
    db.close();
    console.log("\ninsert");
    line("bare node:sqlite, one transaction", ms(bareInsertMs), "(baseline)");
  }

  // The store, in batches; publish() time is summed apart from the writes.
  const file = `${dir}/peersync-tracker.db`;
  let publishMs = 0;
  {
    const store = SqliteStore.open(file, {
      intervalMs: 60_000,
      batchSize: Number.MAX_SAFE_INTEGER,
    });
    const start = performance.now();
    for (let first = 0; first < ROWS; first += BATCH) {
      const queued = performance.now();
      const end = Math.min(ROWS, first + BATCH);
      for (let index = first; index < end; index++) {
        store.publish(userOf(index), nameOf(index), metaOf(index));
      }
      publishMs += performance.now() - queued;
      await store.flush();
    }
    const storeMs = performance.now() - start;
    const { transactions } = store.stats;
    await store.close();
    line(
      `store, ${transactions.toLocaleString("en")} transactions`,
      ms(storeMs),
      `${(storeMs / bareInsertMs).toFixed(2)}× the baseline, ` +
        `${us((storeMs * 1000) / ROWS)} per publication`,
    );
  }
  console.log("\nfile");
  line("database size after close", mb((await Deno.stat(file)).size));
  line("bare baseline file size", mb((await Deno.stat(bare)).size));

  console.log("\nrestart");
  {
    const db = new DatabaseSync(bare);
    const select = db.prepare("SELECT user, name, size, sha256 FROM publication");
    const start = performance.now();
    let count = 0;
    for (const _ of select.iterate()) count++;
    const iterateMs = performance.now() - start;
    db.close();
    line(`bare iterate(), a row per publication (${count})`, ms(iterateMs), "(baseline)");
    const opened = performance.now();
    const store = SqliteStore.open(file);
    const openMs = performance.now() - opened;
    const state = new Map<string, Map<string, PublicationMeta | undefined>>();
    const loading = performance.now();
    const loaded = await store.loadAll((user, name, meta) => {
      let files = state.get(user);
      if (files === undefined) state.set(user, files = new Map());
      files.set(name, meta);
    });
    const loadMs = performance.now() - loading;
    const counting = performance.now();
    await store.loadAll(() => {});
    const countMs = performance.now() - counting;
    await store.close();
    line("store open (lock, schema check, WAL)", ms(openMs));
    line(
      `store loadAll into per-user maps (${loaded})`,
      ms(loadMs),
      `${(loadMs / iterateMs).toFixed(2)}× the baseline`,
    );
    line("store loadAll, visitor doing nothing", ms(countMs));
    line("restart total (open + loadAll into maps)", ms(openMs + loadMs));
  }

  console.log("\nper call, as the caller sees it (second of two alternating rounds)");
  {
    const calls = 200_000;
    const mapRound = () => {
      const state = new Map<string, Map<string, PublicationMeta | undefined>>();
      const start = performance.now();
      for (let index = 0; index < calls; index++) {
        const user = userOf(index);
        let files = state.get(user);
        if (files === undefined) state.set(user, files = new Map());
        files.set(nameOf(index), metaOf(index));
      }
      return ((performance.now() - start) * 1000) / calls;
    };
    const storeRound = async (round: number) => {
      const store = SqliteStore.open(`${dir}/calls-${round}.db`, {
        intervalMs: 60_000,
        batchSize: Number.MAX_SAFE_INTEGER,
      });
      let queuedMs = 0;
      for (let first = 0; first < calls; first += BATCH) {
        const start = performance.now();
        for (let index = first; index < first + BATCH; index++) {
          store.publish(userOf(index), nameOf(index), metaOf(index));
        }
        queuedMs += performance.now() - start;
        await store.flush();
      }
      await store.close();
      return (queuedMs * 1000) / calls;
    };
    mapRound();
    await storeRound(0);
    const mapUs = mapRound();
    const publishUs = await storeRound(1);
    line("nested Map.set (the in-memory state)", us(mapUs), "(baseline)");
    line(
      `store.publish(), ${calls.toLocaleString("en")} calls`,
      us(publishUs),
      `${(publishUs / mapUs).toFixed(1)}× the baseline`,
    );
    line(
      `store.publish() in the ${ROWS.toLocaleString("en")}-row load`,
      us((publishMs * 1000) / ROWS),
    );
  }

  console.log(`\nbatch writes on the ${ROWS.toLocaleString("en")}-row table (random users)`);
  {
    const store = SqliteStore.open(file, {
      intervalMs: 60_000,
      batchSize: Number.MAX_SAFE_INTEGER,
    });
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const size of [100, BATCH]) {
      const writes: number[] = [];
      const stalls: number[] = [];
      for (let round = 0; round < CHURN_BATCHES; round++) {
        for (let change = 0; change < size; change++) {
          const index = Math.floor(random() * ROWS);
          if (random() < 0.5) store.unpublish(userOf(index), nameOf(index));
          else store.publish(userOf(index), `new-${size}-${round}-${change}`, metaOf(index));
        }
        // The loop's longest stall while the batch is written: what a datagram would wait.
        let last = performance.now();
        let stall = 0;
        const ticker = setInterval(() => {
          const now = performance.now();
          stall = Math.max(stall, now - last);
          last = now;
        }, 1);
        const start = performance.now();
        await store.flush();
        const end = performance.now();
        clearInterval(ticker);
        writes.push(end - start);
        stalls.push(Math.max(stall, end - last));
      }
      const figures = (values: number[]) => {
        values.sort((a, b) => a - b);
        return `${percentile(values, 0.5).toFixed(1)} / ${percentile(values, 0.99).toFixed(1)} / ` +
          `${values[values.length - 1].toFixed(1)} ms`;
      };
      line(`${CHURN_BATCHES} batches of ${size}, write: median / p99 / max`, figures(writes));
      line(`  loop stall meanwhile: median / p99 / max`, figures(stalls));
    }
    await store.close();
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
