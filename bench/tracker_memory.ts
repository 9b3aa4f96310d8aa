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
 * shrinks the young generation (committed and mostly empty after the load) to almost nothing,
 * which a tracker under load does not see (it allocates too fast for that); both are printed.
 *
 * With `--busy S`, a reading after S seconds of requests against the state (searches of both
 * kinds, listings, `lap` pages, `get`s and heartbeats, as a tracker at work allocates): the young
 * generation is then used throughout, which the reading after the load alone need not show.
 *
 * The process is measured twice, one after the other: with the V8 flags the tracker is launched
 * with (`deno task tracker`'s `--v8-flags=`, also compiled into the executable: a young
 * generation of 2 x 16 MiB), and with V8's defaults (2 x 32 MiB). `--v8 shipped|default` measures
 * one of them only. A `DENO_V8_FLAGS` in the environment applies to both (the command line's
 * flags come after it, so they win where both set the same flag).
 *
 *   deno run -A bench/tracker_memory.ts [--names 1000000] [--sessions 100000] [--one-by-one]
 *     [--idle 45] [--busy 20] [--v8 both|shipped|default]
 */

import { parseArgs } from "node:util";
import { TrackerState } from "../lib/tracker/state.ts";
import { fileName, flat, vocabulary } from "./tracker_index_bench.ts";
import { SeededRandom } from "../lib/tracker/test_random.ts";
import { trackerV8Flags } from "./tracker_v8_flags.ts";
import { cpuSeconds } from "./proc_usage.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    measure: { type: "boolean", default: false },
    names: { type: "string", default: "1000000" },
    sessions: { type: "string", default: "100000" },
    "one-by-one": { type: "boolean", default: false },
    idle: { type: "string", default: "0" },
    busy: { type: "string", default: "0" },
    v8: { type: "string", default: "both" },
  },
});

const NAMES = Number(values.names);
const IDLE_SECONDS = Number(values.idle);
const BUSY_SECONDS = Number(values.busy);
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
  const addressOf = (i: number) => ({
    hostname: `127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    port: 7000,
  });
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
    const address = addressOf(i);
    const token = i % 2 === 0 ? crypto.randomUUID() : undefined;
    const result = state.openSession(address, userName(i), { version: token ? 2 : 1, token });
    if (!result.ok) throw new Error(`session ${i}: ${result.reason}`);
  }
  const openMs = performance.now() - opened;
  const withSessions = reading();
  const search = state.findIndex("fold").count("img_2019", "user000001");
  let busy: Reading | undefined;
  let requests = 0;
  let busyCpuUs = 0;
  if (BUSY_SECONDS > 0) {
    // A tracker at work: what its requests allocate cycles through the young generation.
    const sessions = Array.from(
      { length: 1000 },
      (_, i) => state.sessionAt(addressOf((i * 97) % SESSIONS)),
    );
    const cpuBefore = cpuSeconds(Deno.pid);
    const ends = performance.now() + BUSY_SECONDS * 1000;
    while (performance.now() < ends) {
      for (let k = 0; k < 100; k++, requests++) {
        const asker = userName((requests * 7919) % SESSIONS);
        const word = words[requests % words.length];
        const query = word.slice(0, 3 + (requests % Math.max(1, word.length - 2)));
        const index = state.findIndex(requests % 2 === 0 ? "fold" : "exact");
        const count = index.count(query, asker);
        const found = index.list(query, { asker });
        const listed: string[] = [];
        for (let n = 0; n < 40 && count.kind !== "tooBroad"; n++) {
          const next = found.next();
          if (next === undefined) break;
          listed.push(next);
        }
        if (listed.length > 0) state.holders(listed[0], asker);
        const lap = state.activeUsersFrom(asker, requests % 1000);
        for (let n = 0; n < 60; n++) lap.next();
        const session = sessions[requests % sessions.length];
        if (session) state.touch(session);
      }
      // Let timers and the collector's tasks run, as between datagrams.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    busyCpuUs = (cpuSeconds(Deno.pid) - cpuBefore) * 1e6 / requests;
    busy = reading();
  }
  let idle: Reading | undefined;
  if (IDLE_SECONDS > 0) {
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    idle = reading();
  }
  return {
    base,
    withNames,
    withSessions,
    busy,
    requests,
    busyCpuUs,
    idle,
    loadMs,
    openMs,
    search,
    distinct,
    state,
  };
}

if (values.measure) {
  const { state: _, ...figures } = await child();
  console.log(JSON.stringify(figures));
} else {
  const shipped = trackerV8Flags();
  const setups = [
    { label: `as launched (${shipped.join(" ") || "no V8 flags"})`, flags: shipped, v8: "shipped" },
    { label: "V8's defaults", flags: [], v8: "default" },
  ].filter((setup) => values.v8 === "both" || values.v8 === setup.v8);
  if (setups.length === 0) throw new Error(`--v8 ${values.v8}: expected both, shipped or default`);
  const totals: string[] = [];
  for (const setup of setups) {
    const { loaded, busy } = await measure(setup.label, setup.flags);
    totals.push(
      `${setup.label} ${mib(loaded)}` + (busy === undefined ? "" : ` (${mib(busy)} busy)`),
    );
  }
  const envFlags = Deno.env.get("DENO_V8_FLAGS");
  console.log(
    `RSS with names and sessions: ${totals.join(", ")}` +
      (envFlags ? ` (DENO_V8_FLAGS=${envFlags} in both)` : ""),
  );
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

/** Runs the measuring process with `flags`, prints its readings; returns its RSS readings. */
async function measure(
  label: string,
  flags: string[],
): Promise<{ loaded: number; busy?: number }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--v8-flags=${["--expose-gc", ...flags].join(",")}`,
      new URL(import.meta.url).pathname,
      "--measure",
      "--names",
      String(NAMES),
      "--sessions",
      String(SESSIONS),
      ...(values["one-by-one"] ? ["--one-by-one"] : []),
      "--idle",
      String(IDLE_SECONDS),
      "--busy",
      String(BUSY_SECONDS),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error("the measuring process failed");
  const r = JSON.parse(new TextDecoder().decode(output.stdout));
  const { base, withNames, withSessions } = r as Record<string, Reading>;
  const row = (label: string, at: Reading) =>
    console.log(
      `  ${label.padEnd(24)} RSS ${mib(at.rss).padStart(8)}  heap ${mib(at.heap).padStart(8)}` +
        ` (of ${mib(at.heapTotal)} taken)  outside the heap ${mib(at.external).padStart(8)}`,
    );
  const how = values["one-by-one"] ? "published one by one" : "loaded as at a restart";
  console.log(
    `tracker memory, ${label}: ${NAMES.toLocaleString("en")} publications of ` +
      `${r.distinct.toLocaleString("en")} names (${how}), then ` +
      `${SESSIONS.toLocaleString("en")} sessions`,
  );
  row("empty process", base);
  row(`+ names (${(r.loadMs / 1000).toFixed(1)} s)`, withNames);
  row(`+ sessions (${(r.openMs / 1000).toFixed(1)} s)`, withSessions);
  if (r.busy) row(`after ${BUSY_SECONDS} s busy`, r.busy);
  if (r.busy) {
    console.log(
      `  (${r.requests.toLocaleString("en")} requests while busy, ` +
        `${r.busyCpuUs.toFixed(1)} µs of CPU each)`,
    );
  }
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
  return { loaded: withSessions.rss, busy: r.busy?.rss };
}
