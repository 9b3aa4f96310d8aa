/**
 * `deno run -A bench/flatness.ts`: whether a request costs the same at 1k and at 100k sessions
 * (issue 11: flat within ±20 %). Both tables live in one process and are measured in alternating
 * batches, so the machine's drift hits both; the figure is CPU time per request (this process's
 * user + system), which a busy shared machine disturbs far less than wall-clock time.
 *
 * Requests go through the whole router (`DatagramRouter.handle`: limits, decode, session lookup,
 * handler, reply encoding), each from its own session's address:
 * - `lap` (v1: the active users but the asker, as far as 1024 bytes hold, with `…and N more`);
 * - `lap core`: `TrackerState.activeUsersFrom` plus fitting, the part issue 11 timed alone;
 * - `HBT`; `get` of a published name (10,000 names, one holder each);
 * - `HBT new`, `get new`: the same from a new address object with a new hostname string each, as
 *   `socket.receive` gives them (the cases above pass the very objects the sessions logged in
 *   with, read back from a table of 100,000: misses of the bench's own, which a server never has).
 *
 *   deno run -A bench/flatness.ts [--rounds 7] [--batch 20000] [--baseline DIR]
 *
 * `--baseline DIR` measures another checkout of the project (its `lib/`) in the same rounds.
 */

import { parseArgs } from "node:util";
import { cpuUsage } from "node:process";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "7" },
    batch: { type: "string", default: "20000" },
    baseline: { type: "string" },
  },
});
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);
const SIZES = [1_000, 100_000];
const NAMES = 10_000;
const encoder = new TextEncoder();

type Handle = (datagram: Uint8Array, from: { hostname: string; port: number }) => unknown;

interface Table {
  readonly label: string;
  readonly sessions: number;
  readonly cases: Record<string, (i: number) => void>;
}

async function table(label: string, root: string, sessions: number): Promise<Table> {
  const { DatagramRouter } = await import(`${root}/lib/tracker/datagram_router.ts`);
  const { TrackerState } = await import(`${root}/lib/tracker/state.ts`);
  const { fitNames } = await import(`${root}/lib/tracker/list_fit.ts`);
  const now = () => 0;
  const state = new TrackerState({ now, maxSessions: sessions });
  const users: string[] = [];
  const addressOf = (i: number) => ({
    hostname: `127.0.${1 + (i % 64)}.${2 + (Math.floor(i / 64) % 250)}`,
    port: 10_000 + Math.floor(i / 16_000),
  });
  const addresses = Array.from({ length: sessions }, (_, i) => addressOf(i));
  for (let i = 0; i < sessions; i++) {
    // Users in random order of name, as logins come.
    const user = `user-${((i * 2_654_435_761) >>> 0).toString(36)}`;
    users.push(user);
    const opened = state.openSession(addresses[i], user, { version: 1 });
    if (!opened.ok) throw new Error(`session ${i}: ${opened.reason}`);
  }
  const names = Array.from({ length: NAMES }, (_, i) => `file-${i}.bin`);
  names.forEach((name, i) => state.publish(users[i % sessions], name));
  const unlimited = { perSecond: 1e12, burst: 1e12 };
  const router = new DatagramRouter({
    credentials: new Map(),
    now,
    state,
    rate: unlimited,
    hostRate: unlimited,
  });
  const handle: Handle = (datagram, from) => router.handle(datagram, from);
  const LAP = encoder.encode("lap");
  const HBT = encoder.encode("HBT");
  const gets = names.map((name) => encoder.encode(`get ${name}`));
  // A fixed pseudo-random walk over the sessions, the same for both tables' share.
  const who = (i: number) => addresses[(i * 7_919) % sessions];
  const whoNew = (i: number) => addressOf((i * 7_919) % sessions);
  const asker = (i: number) => users[(i * 7_919) % sessions];
  let sink = 0;
  return {
    label,
    sessions,
    cases: {
      "lap": (i) => handle(LAP, who(i)),
      "lap core": (i) => {
        const list = state.activeUsersFrom(asker(i));
        sink += fitNames(list.total, list.next).names.length;
      },
      "HBT": (i) => handle(HBT, who(i)),
      "get": (i) => handle(gets[i % NAMES], who(i)),
      "HBT new": (i) => handle(HBT, whoNew(i)),
      "get new": (i) => handle(gets[i % NAMES], whoNew(i)),
      "sink": () => sink,
    },
  };
}

function cpuMicros(): number {
  const usage = cpuUsage();
  return usage.user + usage.system;
}

const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const roots: [string, string][] = [["this", here]];
if (values.baseline !== undefined) roots.push(["baseline", values.baseline.replace(/\/$/, "")]);
const tables: Table[] = [];
for (const [label, root] of roots) {
  for (const size of SIZES) tables.push(await table(label, root, size));
}
const kinds = Object.keys(tables[0].cases).filter((kind) => kind !== "sink");
const samples = new Map<string, number[]>();
console.log(
  `flatness: ${SIZES.join(" vs ")} sessions, ${BATCH} requests a batch, ${ROUNDS} rounds, ` +
    `CPU µs per request; load average ${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
);
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of kinds) {
    const order = round % 2 === 0 ? tables : [...tables].reverse();
    for (const t of order) {
      const run = t.cases[kind];
      const before = cpuMicros();
      for (let i = 0; i < BATCH; i++) run(round * BATCH + i);
      const perRequest = (cpuMicros() - before) / BATCH;
      const key = `${t.label}|${kind}|${t.sessions}`;
      samples.set(key, [...(samples.get(key) ?? []), perRequest]);
    }
  }
}
// The first round warms the JIT up.
const median = (xs: number[]) => {
  const kept = xs.length > 2 ? xs.slice(1) : xs;
  return [...kept].sort((a, b) => a - b)[kept.length >> 1];
};
for (const [label] of roots) {
  for (const kind of kinds) {
    const [small, large] = SIZES.map((size) => median(samples.get(`${label}|${kind}|${size}`)!));
    console.log(
      `  ${label.padEnd(8)} ${kind.padEnd(8)} ${small.toFixed(2)} µs at ${SIZES[0]}, ` +
        `${large.toFixed(2)} µs at ${SIZES[1]}: ratio ${(large / small).toFixed(2)}`,
    );
  }
}
