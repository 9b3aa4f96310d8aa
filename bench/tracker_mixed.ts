/**
 * Part of `deno task bench:tracker`: the mixed load of issue 11 against the real tracker, beside a
 * bare `Deno.listenDatagram` echo driven the same way in the same run (alternating rounds, so the
 * machine's drift hits both). 1,024 v1 sessions from 64 loopback hosts (127.0.0.2–65), each
 * heartbeating every second, 100,000 published names, cycling `lap`, `sch`, `get` with a window
 * of requests in flight. The tracker runs twice: publications in memory, and kept in a SQLite
 * file as `--store sqlite` does. Prints replies/s and the ratio to the echo, p50/p99 latency,
 * `ERR` answers to valid requests, and sessions the tracker expired while they heartbeat.
 *
 * Also prints each tracker's CPU per reply (its process's user + system time over its rounds),
 * steadier than replies/s when the client, not the tracker, sets the pace.
 *
 *   deno run -A bench/tracker_mixed.ts [--seconds 4] [--rounds 2] [--names 100000]
 *     [--baseline DIR] [--no-sqlite] [--v8-flags FLAGS] [--baseline-v8-flags FLAGS]
 *
 * `--baseline DIR` drives a third tracker (in memory) from another checkout of the project (e.g.
 * `git worktree add /tmp/base main`) in the same rounds: a change measured beside the code before
 * it. `--no-sqlite` leaves the SQLite tracker out (a shorter run). `--v8-flags` and
 * `--baseline-v8-flags` run the trackers, or the baseline alone, with those V8 flags
 * (`DENO_V8_FLAGS`, space-separated) instead of those `deno task tracker` is launched with
 * (`tracker_v8_flags.ts`), `default` for none: `--baseline .` measures a V8 setting beside the
 * same code without it. Each tracker's RSS is printed at the end.
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
import { relative } from "node:path";
import { projectRoot } from "../tests/support/programs.ts";
import { cpuSeconds } from "./proc_usage.ts";
import { benchV8Flags, describeV8Flags, v8FlagsEnv } from "./tracker_v8_flags.ts";
import { V1Client } from "./v1_client.ts";

const defaults = { seconds: 4, rounds: 2, names: 100_000, sessions: 1024 };
// This bench's own flags; the rest are the mixed load's.
const baselineAt = Deno.args.indexOf("--baseline");
const baselineDir = baselineAt < 0 ? undefined : Deno.args[baselineAt + 1];
const withSqlite = !Deno.args.includes("--no-sqlite");
/** The value after `flag`, and the indexes of both (not the mixed load's options). */
function valueOf(flag: string): { value?: string; at: number[] } {
  const at = Deno.args.indexOf(flag);
  return at < 0 ? { at: [] } : { value: Deno.args[at + 1], at: [at, at + 1] };
}
const v8Flags = valueOf("--v8-flags");
const baselineV8Flags = valueOf("--baseline-v8-flags");
const ownArgs = new Set([...v8Flags.at, ...baselineV8Flags.at]);
const load = parseLoadOptions(
  Deno.args.filter((arg, i) =>
    arg !== "--no-sqlite" && !ownArgs.has(i) &&
    (baselineAt < 0 || (i !== baselineAt && i !== baselineAt + 1))
  ),
  defaults,
);
// The trackers run as `deno task tracker` launches them unless told otherwise.
const trackerFlags = benchV8Flags(v8Flags.value);
const baselineFlags = benchV8Flags(baselineV8Flags.value);
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
type Kind = "echo" | "memory" | "sqlite" | "baseline";
/** The servers driven in turn: the echo, then the tracker in memory and on SQLite (and another). */
const servers: Partial<Record<Kind, Awaited<ReturnType<typeof startServer>>>> = {
  echo: await startServer("bench/udp_echo.ts", []),
  memory: await startServer(
    "bench/tracker_load_server.ts",
    [credentials],
    undefined,
    v8FlagsEnv(trackerFlags),
  ),
};
if (withSqlite) {
  servers.sqlite = await startServer(
    "bench/tracker_load_server.ts",
    [
      credentials,
      `${dir}/bench.db`,
    ],
    undefined,
    v8FlagsEnv(trackerFlags),
  );
}
if (baselineDir !== undefined) {
  const script = relative(projectRoot, `${baselineDir}/bench/tracker_load_server.ts`);
  servers.baseline = await startServer(
    script,
    [credentials],
    undefined,
    v8FlagsEnv(baselineFlags),
  );
}
const KINDS = (["echo", "memory", "sqlite", "baseline"] as const).filter((kind) => servers[kind]);
const clientsFor = (port: number) => users.map((user, i) => new V1Client(user, i, loopback(port)));
const clientsOf = Object.fromEntries(
  KINDS.map((kind) => [kind, clientsFor(servers[kind]!.port)]),
) as Record<Kind, V1Client[]>;
const trackerKinds = KINDS.filter((kind) => kind !== "echo");
/** CPU seconds each server used during its rounds. */
const cpuUsed: Record<string, number> = {};
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
  const results: Record<Kind, RoundResult[]> = { echo: [], memory: [], sqlite: [], baseline: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts with another server, so the machine's drift hits all of them.
    const order = KINDS.map((_, i) => KINDS[(i + round) % KINDS.length]);
    for (const kind of order) {
      // The echo gets the same heartbeats in its rounds (the trackers' go on meanwhile).
      const stopEcho = kind === "echo" ? heartbeat(() => clientsOf.echo) : undefined;
      const clients = clientsOf[kind];
      const seed = 100 + round;
      const pid = servers[kind]!.program.pid;
      const cpuBefore = cpuSeconds(pid);
      results[kind].push(await drive({ clients, names, seed, seconds: SECONDS, window: WINDOW }));
      cpuUsed[kind] = (cpuUsed[kind] ?? 0) + cpuSeconds(pid) - cpuBefore;
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
  const line = (label: Kind, s: ReturnType<typeof summary>) =>
    `  ${label.padEnd(8)} ${s.rate.toFixed(0).padStart(6)} replies/s (${s.perRound}), ` +
    `p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, unanswered ${s.lost}, ` +
    `${(cpuUsed[label] * 1e6 / (s.rate * SECONDS * ROUNDS)).toFixed(1)} µs CPU/reply`;
  console.log(
    `load average ${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}` +
      (baselineDir === undefined ? "" : `; baseline: the tracker of ${baselineDir}`),
  );
  console.log(line("echo", e));
  for (const kind of trackerKinds) {
    const t = summary(kind);
    console.log(
      line(kind, t) + `, ERR to valid requests ${t.errors}; ` +
        `${kind}/echo ${(t.rate / e.rate).toFixed(2)}×; ` +
        `sessions expired while heartbeating: ${expired[kind]}`,
    );
  }
  const rss = (pid: number) => {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  };
  console.log(
    "  RSS after the rounds: " +
      trackerKinds.map((kind) => `${kind} ${rss(servers[kind]!.program.pid).toFixed(0)} MiB`)
        .join(", ") +
      `; trackers' V8 flags: ${describeV8Flags(trackerFlags)}` +
      (baselineDir === undefined ? "" : `; baseline's: ${describeV8Flags(baselineFlags)}`),
  );
  if (baselineDir !== undefined) {
    const ratio = summary("memory").rate / summary("baseline").rate;
    console.log(`  memory / baseline (${baselineDir}), same rounds: ${ratio.toFixed(2)}×`);
  }
} finally {
  for (const kind of KINDS) for (const client of clientsOf[kind]) client.close();
  for (const kind of KINDS) await servers[kind]!.program.stop();
  await Deno.remove(dir, { recursive: true });
}
