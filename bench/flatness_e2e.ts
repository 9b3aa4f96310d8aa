/**
 * `deno run -A bench/flatness_e2e.ts`: issue 11's "the same request costs the same at 1k and at
 * 100k sessions" as an operator sees it, next to `bench/flatness.ts` (the router's CPU alone).
 * Real trackers on real UDP sockets (`bench/flatness_server.ts`: one process, one tracker per
 * table size, the made-up sessions already in its state), and the same requests sent over
 * loopback by 32 logged-in clients per tracker (from 127.0.0.2–65), one request in flight each:
 *
 * - `lap`, `get` of a published name (a holder's address comes back): replies/s, p50 and p99
 *   latency, and the tracker process's CPU µs per datagram;
 * - `HBT` (v1 answers none): sent at a fixed rate, the tracker's CPU µs per datagram received.
 *
 * Each round measures every kind on both tables, alternating which goes first; the medians of
 * the rounds after the first (a warm-up) are printed with the 100k/1k ratios.
 *
 *   deno run -A bench/flatness_e2e.ts [--rounds 5] [--seconds 2] [--hbt-rate 12000] [--baseline DIR]
 *     [--v8-flags FLAGS]
 *
 * The trackers run with the V8 flags of `deno task tracker` (`--v8-flags default`: V8's own).
 *
 * `--baseline DIR` serves another checkout too (a second server process) in the same rounds.
 *
 * `--vary names`: the same at 10k and at 1M names instead (issue 11: "the same request costs the
 * same at 10k and at 1M names"): a server process per table size (1,000 sessions each, the index
 * bench's corpus of that many names restored, `flatness_server.ts --corpus`), and requests whose
 * replies are the same at both sizes — `sch` of the index bench's planted queries (1–64 names),
 * `get` of a planted name, `lap` — checked equal across the sizes. Each process holds one table,
 * so its CPU per datagram is that table's (a 1M-name tracker takes ~0.5 GiB); the processes not
 * measured are stopped (SIGSTOP) meanwhile.
 *
 *   deno run -A bench/flatness_e2e.ts --vary names [--rounds 5] [--seconds 2] [--baseline DIR]
 */

import { parseArgs } from "node:util";
import { V1Client } from "./v1_client.ts";
import { PLANTED, PLANTED_QUERIES } from "./tracker_index_bench.ts";
import { benchV8Flags, describeV8Flags, v8FlagsEnv } from "./tracker_v8_flags.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "2" },
    clients: { type: "string", default: "32" },
    "hbt-rate": { type: "string", default: "12000" },
    baseline: { type: "string" },
    vary: { type: "string", default: "sessions" },
    "v8-flags": { type: "string" },
  },
});
if (values.vary !== "sessions" && values.vary !== "names") {
  console.error("--vary takes sessions or names");
  Deno.exit(2);
}
const BY_NAMES = values.vary === "names";
// The trackers run with the V8 flags of `deno task tracker` (`--v8-flags default`: V8's own).
const V8_FLAGS = benchV8Flags(values["v8-flags"]);
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const HBT_RATE = Number(values["hbt-rate"]);
/** Sessions per table, or (`--vary names`) names per table. */
const SIZES = BY_NAMES ? [10_000, 1_000_000] : [1_000, 100_000];
const NAMES = 10_000;
/** Sessions of each table when the names vary. */
const NAMES_SESSIONS = 1_000;

interface Server {
  readonly label: string;
  readonly child: Deno.ChildProcess;
  readonly stats: () => Promise<{ received: number[]; cpuMicros: number; rss: number }>;
  readonly ports: number[];
  /** Ends the server: its stdin closes, which ends its stats loop and the process. */
  readonly close: () => Promise<void>;
}

async function startServer(
  label: string,
  root: string,
  sizes: readonly number[],
  corpus = 0,
): Promise<Server> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./flatness_server.ts", import.meta.url).pathname,
      "--root",
      root,
      "--sizes",
      sizes.join(","),
      "--users",
      String(CLIENTS),
      "--corpus",
      String(corpus),
    ],
    stdin: "piped",
    stdout: "piped",
    // `--expose-gc`: the server collects what building its tables left before it listens.
    env: v8FlagsEnv([V8_FLAGS, "--expose-gc"].filter((f) => f !== undefined).join(",")),
  }).spawn();
  const lines = readLines(child.stdout);
  const first = (await lines.next()).value ?? "";
  if (!first.startsWith("ports ")) throw new Error(`${label} server said: ${first}`);
  const writer = child.stdin.getWriter();
  const stats = async () => {
    await writer.write(new TextEncoder().encode("stats\n"));
    return JSON.parse((await lines.next()).value ?? "{}");
  };
  const close = async () => {
    await writer.close().catch(() => {});
    await child.status;
  };
  return { label, child, stats, ports: first.slice(6).split(" ").map(Number), close };
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
      yield buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
    }
  }
}

interface Table {
  readonly server: Server;
  /** The tracker's index among its server's. */
  readonly index: number;
  /** Its sessions, or its names (`--vary names`). */
  readonly size: number;
  readonly clients: V1Client[];
}

interface Sample {
  repliesPerSecond: number;
  p50: number;
  p99: number;
  cpuPerDatagram: number;
  lost: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function closedLoop(table: Table, request: (i: number) => string): Promise<Sample> {
  const before = await table.server.stats();
  const latencies: number[] = [];
  let lost = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(table.clients.map(async (client, c) => {
    for (let i = c; performance.now() < end; i += CLIENTS) {
      const sent = performance.now();
      const reply = await client.ask(request(i));
      if (reply === undefined) lost++;
      else latencies.push(performance.now() - sent);
    }
  }));
  const elapsed = (performance.now() - start) / 1000;
  const after = await table.server.stats();
  latencies.sort((a, b) => a - b);
  const received = after.received[table.index] - before.received[table.index];
  return {
    repliesPerSecond: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpuPerDatagram: (after.cpuMicros - before.cpuMicros) / received,
    lost,
  };
}

async function heartbeats(table: Table): Promise<Sample> {
  const before = await table.server.stats();
  const start = performance.now();
  let sent = 0;
  // Paced in 5 ms ticks, spread over the clients: bursts stay far below the socket's queue.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.floor((performance.now() - start) * HBT_RATE / 1000);
      for (; sent < due; sent++) table.clients[sent % CLIENTS].send("HBT").catch(() => {});
      if (performance.now() - start >= SECONDS * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const after = await table.server.stats();
  const received = after.received[table.index] - before.received[table.index];
  return {
    repliesPerSecond: received / ((performance.now() - start) / 1000),
    p50: NaN,
    p99: NaN,
    cpuPerDatagram: (after.cpuMicros - before.cpuMicros) / received,
    lost: sent - received,
  };
}

const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const roots: [string, string][] = [["this", here]];
if (values.baseline !== undefined) roots.push(["baseline", values.baseline.replace(/\/$/, "")]);
const servers: Server[] = [];
const tables: Table[] = [];
const unit = BY_NAMES ? "names" : "sessions";
try {
  // Sessions: one process per tree with a tracker per size. Names: a process per tree and size.
  const starting: Promise<{ server: Server; sizes: [number, number][] }>[] = [];
  for (const [label, root] of roots) {
    if (!BY_NAMES) {
      starting.push(
        startServer(label, root, SIZES).then((server) => ({
          server,
          sizes: [...SIZES.entries()],
        })),
      );
    } else {
      for (const names of SIZES) {
        starting.push(
          startServer(label, root, [NAMES_SESSIONS], names).then((server) => ({
            server,
            sizes: [[0, names]],
          })),
        );
      }
    }
  }
  let hostOffset = 0;
  for (const { server, sizes } of await Promise.all(starting)) {
    servers.push(server);
    for (const [index, size] of sizes) {
      const target = {
        transport: "udp" as const,
        hostname: "127.0.0.1",
        port: server.ports[index],
      };
      const clients = Array.from(
        { length: CLIENTS },
        (_, i) => new V1Client(`client-${i}`, hostOffset + i, target),
      );
      hostOffset += CLIENTS;
      for (const [i, client] of clients.entries()) {
        const reply = await client.ask(`auth client-${i} pw-${i}`, 3);
        if (reply !== "OK") throw new Error(`client-${i} at ${size} ${unit}: ${reply}`);
      }
      tables.push({ server, index, size, clients });
    }
  }
  const kinds: Record<string, (table: Table) => Promise<Sample>> = BY_NAMES
    ? {
      sch: (table) =>
        closedLoop(table, (i) => `sch ${PLANTED_QUERIES[i % PLANTED_QUERIES.length]}`),
      get: (table) => closedLoop(table, (i) => `get ${PLANTED[(i * 7) % PLANTED.length]}`),
      lap: (table) => closedLoop(table, () => "lap"),
    }
    : {
      lap: (table) => closedLoop(table, () => "lap"),
      get: (table) => closedLoop(table, (i) => `get file-${(i * 7_919) % NAMES}.bin`),
      HBT: heartbeats,
    };
  if (BY_NAMES) await checkSameReplies(tables);
  const samples = new Map<string, Sample[]>();
  console.log(
    `flatness end to end: ${SIZES.join(" vs ")} ${unit}` +
      (BY_NAMES ? ` (${NAMES_SESSIONS} sessions)` : "") +
      `, ${CLIENTS} clients, ${SECONDS} s a measure, ${ROUNDS} rounds, V8 flags ${
        describeV8Flags(V8_FLAGS)
      }; load average ${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const [kind, measure] of Object.entries(kinds)) {
      for (const table of round % 2 === 0 ? tables : [...tables].reverse()) {
        const key = `${table.server.label}|${kind}|${table.size}`;
        pauseOthers(table.server);
        samples.set(key, [...(samples.get(key) ?? []), await measure(table)]);
      }
    }
  }
  pauseOthers(undefined);
  const median = (xs: number[]) => {
    const kept = (xs.length > 2 ? xs.slice(1) : xs).filter((x) => !Number.isNaN(x));
    return kept.length === 0 ? NaN : [...kept].sort((a, b) => a - b)[kept.length >> 1];
  };
  const figure = (label: string, kind: string, size: number) => {
    const all = samples.get(`${label}|${kind}|${size}`) ?? [];
    return {
      rate: median(all.map((s) => s.repliesPerSecond)),
      p50: median(all.map((s) => s.p50)),
      p99: median(all.map((s) => s.p99)),
      cpu: median(all.map((s) => s.cpuPerDatagram)),
      lost: all.reduce((sum, s) => sum + s.lost, 0),
    };
  };
  for (const [label] of roots) {
    for (const kind of Object.keys(kinds)) {
      const [small, large] = SIZES.map((size) => figure(label, kind, size));
      const ms = (x: number) => Number.isNaN(x) ? "-" : `${x.toFixed(2)} ms`;
      const rateWord = kind === "HBT" ? "received/s" : "replies/s";
      console.log(
        `  ${label.padEnd(8)} ${kind.padEnd(4)} ${rateWord} ${small.rate.toFixed(0)} / ` +
          `${large.rate.toFixed(0)} (${(large.rate / small.rate).toFixed(2)}×), ` +
          `p50 ${ms(small.p50)} / ${ms(large.p50)}, p99 ${ms(small.p99)} / ${ms(large.p99)}, ` +
          `tracker CPU ${small.cpu.toFixed(1)} / ${large.cpu.toFixed(1)} µs a datagram ` +
          `(${(large.cpu / small.cpu).toFixed(2)}×); lost ${small.lost} / ${large.lost}`,
      );
    }
  }
  for (const server of servers) {
    const mib = (await server.stats()).rss / 2 ** 20;
    console.log(`  ${server.label} server process RSS ${mib.toFixed(0)} MiB`);
  }
} finally {
  pauseOthers(undefined);
  for (const table of tables) for (const client of table.clients) client.close();
  for (const server of servers) await server.close();
}

/**
 * With a process per table (`--vary names`), stops every server process but the one measured
 * (all run again with `undefined`): an idle tracker of a million names still collects garbage
 * now and then (~0.5 s of CPU every ~10 s here), which took CPU from the one measured.
 */
function pauseOthers(measured: Server | undefined): void {
  if (!BY_NAMES) return;
  for (const server of servers) {
    Deno.kill(
      server.child.pid,
      server === measured || measured === undefined ? "SIGCONT" : "SIGSTOP",
    );
  }
}

/**
 * Asks every request of `--vary names` once of each table and fails unless each tree's replies
 * are the same at both sizes (and a planted query finds its names).
 */
async function checkSameReplies(tables: readonly Table[]): Promise<void> {
  const requests = [
    ...PLANTED_QUERIES.map((query) => `sch ${query}`),
    ...PLANTED.map((name) => `get ${name}`),
    "lap",
  ];
  const seen = new Map<string, string>();
  for (const table of tables) {
    for (const request of requests) {
      const reply = await table.clients[0].ask(request, 3);
      if (reply === undefined || reply === "No files found" || reply.startsWith("File not")) {
        throw new Error(`${request} at ${table.size} ${unit}: ${reply}`);
      }
      const key = `${table.server.label}|${request}`;
      const before = seen.get(key);
      if (before === undefined) seen.set(key, reply);
      else if (before !== reply) throw new Error(`${request}: replies differ between the sizes`);
    }
  }
  console.log(
    `  ${requests.length} requests (${PLANTED_QUERIES.length} sch, ${PLANTED.length} get, lap) ` +
      `answered the same at both sizes; sch reply bytes ${
        PLANTED_QUERIES.map((query) => seen.get(`${tables[0].server.label}|sch ${query}`)!.length)
          .join(", ")
      }`,
  );
}
