/**
 * The trackers of `bench/flatness_e2e.ts`: in this one process, one real tracker (`startTracker`,
 * a UDP socket on 127.0.0.1) per table size, each serving a state that already holds that many v1
 * sessions (addresses under 10.0.0.0/8 that never send) and 10,000 names published by them, each
 * holder with a download address, so `get` answers a holder. The bench's own clients log in over
 * the socket. Sessions live an hour (`sessionTimeoutMs`), so the made-up ones need no heartbeats:
 * the bench measures the cost of a request, not of 100,000 heartbeats a second.
 *
 *   deno run -A bench/flatness_server.ts --root DIR --sizes 1000,100000 --users 32 [--corpus N]
 *
 * With `--corpus N`, each tracker also holds N names of `bench/tracker_index_bench.ts`'s corpus
 * and its 64 planted names (trigrams no corpus name has), published by the made-up users and
 * restored as a restart does (one indexing pass in name order), and each bench client publishes
 * the same 40 names of its own: the table grows, the requests' replies (`sch` of a planted query,
 * `get` of a planted name, `lap`) do not.
 *
 * `--root` is the checkout whose `lib/` serves (another one than this for a baseline). Prints
 * `ports P1 P2 …` once listening; then answers each `stats` line on stdin with a JSON line: the
 * datagrams each tracker received and this process's CPU µs so far.
 */

import { parseArgs } from "node:util";
import { cpuUsage } from "node:process";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    root: { type: "string", default: new URL("..", import.meta.url).pathname },
    sizes: { type: "string", default: "1000,100000" },
    users: { type: "string", default: "32" },
    corpus: { type: "string", default: "0" },
  },
});
const root = values.root.replace(/\/$/, "");
const { startTracker } = await import(`${root}/lib/tracker/server.ts`);
const { TrackerState } = await import(`${root}/lib/tracker/state.ts`);
const sizes = values.sizes.split(",").map(Number);
const NAMES = 10_000;
const CORPUS = Number(values.corpus);
/** Names each bench client publishes itself with `--corpus`: the same at every table size. */
const OWN_NAMES = 40;
// This tree's corpus, whatever `--root` serves: both trees get the same names.
const { corpus, PLANTED } = await import("./tracker_index_bench.ts");
let names: string[] | undefined = CORPUS > 0 ? corpus(CORPUS).names : undefined;
const HOUR_MS = 3_600_000;
const credentials = new Map(
  Array.from({ length: Number(values.users) }, (_, i) => [
    `client-${i}`,
    { kind: "plain", password: `pw-${i}` },
  ]),
);
const unlimited = { perSecond: 1e12, burst: 1e12 };
const controller = new AbortController();
const now = () => performance.now();
const trackers = sizes.map((size) => {
  const state = new TrackerState({ now, sessionTimeoutMs: HOUR_MS, maxSessions: size + 1000 });
  const users: string[] = [];
  for (let i = 0; i < size; i++) {
    const user = `user-${((i * 2_654_435_761) >>> 0).toString(36)}`;
    const address = { hostname: `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, port: 6000 };
    const opened = state.openSession(address, user, { version: 1 });
    if (!opened.ok) throw new Error(`session ${i}: ${opened.reason}`);
    opened.session.downloadAddress = { hostname: address.hostname, port: 7000 };
    users.push(user);
  }
  for (let i = 0; i < NAMES; i++) state.publish(users[i % size], `file-${i}.bin`);
  if (names !== undefined) {
    names.forEach((name, i) => state.restore(users[(i * 7_919) % size], name));
    PLANTED.forEach((name: string, i: number) => state.restore(users[(i * 37) % size], name));
    for (let c = 0; c < Number(values.users); c++) {
      for (let k = 0; k < OWN_NAMES; k++) state.restore(`client-${c}`, `own-${c}-${k}.txt`);
    }
    state.flushRestored();
  }
  return startTracker({
    hostname: "127.0.0.1",
    port: 0,
    credentials,
    signal: controller.signal,
    rate: unlimited,
    hostRate: unlimited,
    logDatagrams: false,
    now,
    state,
    maxSessions: size + 1000,
  });
});
names = undefined;
// What building the tables left behind is collected before the bench measures anything (when the
// V8 flags expose the collector), not during its first measures.
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
console.log(`ports ${trackers.map((t) => t.address.port).join(" ")}`);
// stdin stays open while the parent runs, so a SIGTERM alone must end the process too.
Deno.addSignalListener("SIGTERM", () => {
  controller.abort();
  Promise.all(trackers.map((t) => t.finished)).finally(() => Deno.exit(0));
});
const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
let buffered = "";
for await (const chunk of lines) {
  buffered += chunk;
  for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
    const line = buffered.slice(0, end).trim();
    buffered = buffered.slice(end + 1);
    if (line !== "stats") continue;
    const usage = cpuUsage();
    console.log(JSON.stringify({
      received: trackers.map((t) => t.traffic.datagrams),
      cpuMicros: usage.user + usage.system,
      rss: Deno.memoryUsage().rss,
    }));
  }
}
controller.abort();
await Promise.all(trackers.map((t) => t.finished));
