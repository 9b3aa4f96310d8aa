/**
 * `deno task bench:memory`: what a tracker's state holds in memory with 1M published names and
 * 100k live sessions (issue 11: target ≤ 512 MiB RSS), and the cost per name and per session.
 *
 * The names are made as `bench/tracker_index_bench.ts`'s corpus (file names with mixed case,
 * digits and some non-Latin words), one at a time so the process holds no list of them besides
 * the tracker's, published by 10,000 users; they are loaded as a restart loads them
 * (`restore`, then one indexing pass in name order), or with `--one-by-one` as peers publish them.
 * Then 100k sessions open (half v1, half v2 with a token), from 100k distinct addresses, 10k of
 * them users with publications. Each step is followed by a full GC and a reading of RSS, the V8
 * heap and the memory outside it (typed arrays), beside the same process before any state.
 * Everything runs in a child process, so nothing from the parent is counted.
 *
 * With `--idle S`, a last reading after S seconds of doing nothing: V8's memory reducer then
 * shrinks the young generation (~63 MiB committed and empty after the load) to almost nothing,
 * which a tracker under load does not see (it allocates too fast for that); both are printed.
 *
 *   deno run -A bench/tracker_memory.ts [--names 1000000] [--sessions 100000] [--one-by-one]
 *     [--idle 45]
 */

import { parseArgs } from "node:util";
import { TrackerState } from "../lib/tracker/state.ts";
import { fileName, flat, vocabulary } from "./tracker_index_bench.ts";
import { SeededRandom } from "../lib/tracker/test_random.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    measure: { type: "boolean", default: false },
    names: { type: "string", default: "1000000" },
    sessions: { type: "string", default: "100000" },
    "one-by-one": { type: "boolean", default: false },
    idle: { type: "string", default: "0" },
  },
});

const NAMES = Number(values.names);
const IDLE_SECONDS = Number(values.idle);
const SESSIONS = Number(values.sessions);
const PUBLISHERS = 10_000;
const MiB = 2 ** 20;

interface Reading {
  readonly rss: number;
  readonly heap: number;
  readonly external: number;
  readonly heapTotal: number;
}

function reading(): Reading {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { rss, heapUsed, external, heapTotal } = Deno.memoryUsage();
  return { rss, heap: heapUsed, external, heapTotal };
}

async function child(): Promise<Record<string, unknown>> {
  const base = reading();
  const state = new TrackerState({ now: () => 0, maxSessions: SESSIONS });
  const random = new SeededRandom(42);
  const words = vocabulary(random, 3000);
  const name = () => flat(fileName(random, words));
  const userName = (i: number) => `user${String(i).padStart(6, "0")}`;
  const userOf = (i: number) => userName(i % PUBLISHERS);
  const started = performance.now();
  if (values["one-by-one"]) {
    // Publishing needs no session; the users go live below.
    for (let i = 0; i < NAMES; i++) state.publish(userOf(i), name());
  } else {
    for (let i = 0; i < NAMES; i++) state.restore(userOf(i), name());
    state.flushRestored();
  }
  const loadMs = performance.now() - started;
  const distinct = state.operatorView().publications.nameCount;
  const withNames = reading();
  const opened = performance.now();
  for (let i = 0; i < SESSIONS; i++) {
    const address = { hostname: `127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 7000 };
    const token = i % 2 === 0 ? crypto.randomUUID() : undefined;
    const result = state.openSession(address, userName(i), { version: token ? 2 : 1, token });
    if (!result.ok) throw new Error(`session ${i}: ${result.reason}`);
  }
  const openMs = performance.now() - opened;
  const withSessions = reading();
  const search = state.findIndex("fold").count("img_2019", "user000001");
  let idle: Reading | undefined;
  if (IDLE_SECONDS > 0) {
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    idle = reading();
  }
  return { base, withNames, withSessions, idle, loadMs, openMs, search, distinct, state };
}

if (values.measure) {
  const { state: _, ...figures } = await child();
  console.log(JSON.stringify(figures));
} else {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      new URL(import.meta.url).pathname,
      "--measure",
      "--names",
      String(NAMES),
      "--sessions",
      String(SESSIONS),
      ...(values["one-by-one"] ? ["--one-by-one"] : []),
      "--idle",
      String(IDLE_SECONDS),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error("the measuring process failed");
  const r = JSON.parse(new TextDecoder().decode(output.stdout));
  const { base, withNames, withSessions } = r as Record<string, Reading>;
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
  const row = (label: string, at: Reading) =>
    console.log(
      `  ${label.padEnd(24)} RSS ${mib(at.rss).padStart(8)}  heap ${mib(at.heap).padStart(8)}` +
        ` (of ${mib(at.heapTotal)} taken)  outside the heap ${mib(at.external).padStart(8)}`,
    );
  const how = values["one-by-one"] ? "published one by one" : "loaded as at a restart";
  console.log(
    `tracker memory: ${NAMES.toLocaleString("en")} publications of ` +
      `${r.distinct.toLocaleString("en")} names (${how}), then ` +
      `${SESSIONS.toLocaleString("en")} sessions`,
  );
  row("empty process", base);
  row(`+ names (${(r.loadMs / 1000).toFixed(1)} s)`, withNames);
  row(`+ sessions (${(r.openMs / 1000).toFixed(1)} s)`, withSessions);
  if (r.idle) row(`after ${IDLE_SECONDS} s idle`, r.idle);
  const per = (a: Reading, b: Reading, n: number, pick: (x: Reading) => number) =>
    ((pick(b) - pick(a)) / n).toFixed(0);
  console.log(
    `  per name: RSS ${per(base, withNames, NAMES, (x) => x.rss)} B, heap ${
      per(base, withNames, NAMES, (x) => x.heap)
    } B, outside ${per(base, withNames, NAMES, (x) => x.external)} B;` +
      ` per session: RSS ${per(withNames, withSessions, SESSIONS, (x) => x.rss)} B, heap ${
        per(withNames, withSessions, SESSIONS, (x) => x.heap)
      } B`,
  );
  const target = 512 * MiB;
  console.log(
    `  RSS with names and sessions ${mib(withSessions.rss)} against the target 512 MiB: ${
      withSessions.rss <= target ? "within" : "over"
    }`,
  );
}
