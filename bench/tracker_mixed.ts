/**
 * Part of `deno task bench:tracker`: the mixed load of issue 11 against the real tracker, beside a
 * bare `Deno.listenDatagram` echo driven the same way in the same run (alternating rounds, so the
 * machine's drift hits both). 1,024 v1 sessions from 64 loopback hosts (127.0.0.2–65), each
 * heartbeating every second, 100,000 published names, cycling `lap`, `sch`, `get` with a window
 * of requests in flight. The tracker runs twice: publications in memory, and kept in a SQLite
 * file as `--store sqlite` does. Prints replies/s and the ratio to the echo, p50/p99 latency,
 * `ERR` answers to valid requests, and sessions the tracker expired while they heartbeat.
 *
 * `--baseline DIR` adds a fourth server driven in the same rounds: the tracker (in memory) of
 * another checkout at DIR, e.g. the commit before a change, so before and after are measured
 * side by side against the same echo.
 *
 *   deno run -A bench/tracker_mixed.ts [--seconds 4] [--rounds 2] [--names 100000]
 *                                      [--baseline DIR]
 */

import {
  drive,
  heartbeat,
  logInAndPublish,
  loopback,
  makeNames,
  parseLoadOptions,
  type RoundResult,
  seeded,
  startServer,
} from "./mixed_load.ts";
import { V1Client } from "./v1_client.ts";
import { relative, resolve } from "node:path";

const defaults = { seconds: 4, rounds: 2, names: 100_000, sessions: 1024 };
const baselineAt = Deno.args.indexOf("--baseline");
const baseline = baselineAt === -1 ? undefined : Deno.args[baselineAt + 1];
const load = parseLoadOptions(
  Deno.args.filter((_, i) => i !== baselineAt && i !== baselineAt + 1),
  defaults,
);
const { seconds: SECONDS, rounds: ROUNDS, names: NAMES, sessions: SESSIONS, window: WINDOW } = load;
const HOSTS = V1Client.HOSTS;

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

const dir = await Deno.makeTempDir({ prefix: "peersync-mixed-" });
const users = Array.from({ length: SESSIONS }, (_, i) => `user${String(i).padStart(4, "0")}`);
await Deno.writeTextFile(`${dir}/credentials.txt`, users.map((u) => `${u} ${u}-pw\n`).join(""));
const names = makeNames(NAMES, seeded(11));
const credentials = `${dir}/credentials.txt`;
/** The servers driven in turn: the echo, then the tracker in memory and on SQLite. */
type Kind = "echo" | "memory" | "sqlite" | "baseline";
const servers: Partial<Record<Kind, Awaited<ReturnType<typeof startServer>>>> = {
  echo: await startServer("bench/udp_echo.ts", []),
  memory: await startServer("bench/tracker_load_server.ts", [credentials]),
  sqlite: await startServer("bench/tracker_load_server.ts", [credentials, `${dir}/bench.db`]),
};
if (baseline !== undefined) {
  // Program runs a script under this checkout's root: reach the other one from there.
  const root = new URL("..", import.meta.url).pathname;
  const script = `${relative(root, resolve(baseline))}/bench/tracker_load_server.ts`;
  servers.baseline = await startServer(script, [credentials]);
}
const KINDS = Object.keys(servers) as Kind[];
const server = (kind: Kind) => servers[kind] as Awaited<ReturnType<typeof startServer>>;
const clientsFor = (port: number) => users.map((user, i) => new V1Client(user, i, loopback(port)));
const clientsOf = Object.fromEntries(
  KINDS.map((kind) => [kind, clientsFor(server(kind).port)]),
) as Record<Kind, V1Client[]>;
const trackerKinds = KINDS.filter((kind) => kind !== "echo");
try {
  // Log in, register a download address, and publish the names (each client its share), with a
  // window so the tracker's receive buffer never overflows.
  // The trackers' sessions heartbeat from their login to the end, as live peers do.
  const loggedIn: V1Client[] = [];
  const stopHeartbeats = heartbeat(() => loggedIn);
  for (const kind of trackerKinds) {
    const setupStarted = performance.now();
    let failures = 0;
    const clients = clientsOf[kind];
    const setup = async (client: V1Client, index: number) => {
      const done = await logInAndPublish(client, index, names, clients.length, () => {
        loggedIn.push(client);
      });
      failures += done.failures;
    };
    for (let i = 0; i < clients.length; i += WINDOW * 2) {
      await Promise.all(clients.slice(i, i + WINDOW * 2).map((c, j) => setup(c, i + j)));
    }
    console.log(
      `mixed load (${kind}): ${SESSIONS} v1 sessions from ${HOSTS} hosts, ` +
        `${NAMES.toLocaleString("en")} names published in ` +
        `${((performance.now() - setupStarted) / 1000).toFixed(1)} s ` +
        `(${failures} logins/publications not acknowledged), ${WINDOW} requests in flight, ` +
        `${SECONDS} s rounds`,
    );
  }
  const results = Object.fromEntries(KINDS.map((kind) => [kind, []])) as unknown as Record<
    Kind,
    RoundResult[]
  >;
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts with another server, so the machine's drift hits all of them.
    const order = KINDS.map((_, i) => KINDS[(i + round) % KINDS.length]);
    for (const kind of order) {
      // The echo gets the same heartbeats in its rounds (the trackers' go on meanwhile).
      const stopEcho = kind === "echo" ? heartbeat(() => clientsOf.echo) : undefined;
      const clients = clientsOf[kind];
      const seed = 100 + round;
      results[kind].push(await drive({ clients, names, seed, seconds: SECONDS, window: WINDOW }));
      stopEcho?.();
    }
  }
  // Every session must still be live: a session the tracker expired answers `ERR`.
  const expired: Record<string, number> = {};
  for (const kind of trackerKinds) {
    expired[kind] = 0;
    const clients = clientsOf[kind];
    for (let i = 0; i < clients.length; i += WINDOW) {
      const answers = await Promise.all(clients.slice(i, i + WINDOW).map((c) => c.ask("lpf")));
      expired[kind] += answers.filter((answer) => answer === "ERR" || answer === undefined).length;
    }
  }
  stopHeartbeats();
  const summary = (kind: Kind) => {
    const runs = results[kind];
    const rate = runs.reduce((sum, run) => sum + run.replies, 0) / (runs.length * SECONDS);
    const sorted = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
    return {
      rate,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      lost: runs.reduce((sum, run) => sum + run.lost, 0),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
      perRound: runs.map((run) => (run.replies / SECONDS).toFixed(0)).join(", "),
    };
  };
  const e = summary("echo");
  const line = (label: string, s: ReturnType<typeof summary>) =>
    `  ${label.padEnd(8)} ${s.rate.toFixed(0).padStart(6)} replies/s (${s.perRound}), ` +
    `p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, unanswered ${s.lost}`;
  console.log(line("echo", e));
  for (const kind of trackerKinds) {
    const t = summary(kind);
    console.log(
      line(kind, t) + `, ERR to valid requests ${t.errors}; ` +
        `${kind}/echo ${(t.rate / e.rate).toFixed(2)}×; ` +
        `sessions expired while heartbeating: ${expired[kind]}`,
    );
  }
  if (baseline !== undefined) {
    const ratio = summary("memory").rate / summary("baseline").rate;
    console.log(`  memory / baseline (${baseline}), same rounds: ${ratio.toFixed(2)}×`);
  }
} finally {
  for (const kind of KINDS) for (const client of clientsOf[kind]) client.close();
  for (const kind of KINDS) await server(kind).program.stop();
  await Deno.remove(dir, { recursive: true });
}
