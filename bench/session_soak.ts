/**
 * Part of `deno task bench:tracker` (issue 11): 20,000 v1 sessions from 64 loopback hosts
 * heartbeating every second for 60 s against the real tracker (`tracker.ts`, default limits,
 * publications in memory, logging at its default level), then asked `lpf` each: zero false expiries is the target. Prints the
 * heartbeats per second the tracker took, its CPU share and RSS while it held every session.
 *
 *   deno run -A bench/session_soak.ts [--sessions 20000] [--seconds 60] [--v8-flags FLAGS]
 *
 * The tracker runs with the V8 flags of `deno task tracker`, or `--v8-flags` (space-separated;
 * `default` for V8's own).
 */

import { parseArgs } from "node:util";
import { TrackerProcess } from "../tests/support/programs.ts";
import { cpuSeconds, memoryMiB } from "./proc_usage.ts";
import { benchV8Flags, describeV8Flags, v8FlagsEnv } from "./tracker_v8_flags.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sessions: { type: "string", default: "20000" },
    seconds: { type: "string", default: "60" },
    "v8-flags": { type: "string" },
  },
});
const SESSIONS = Number(values.sessions);
const SECONDS = Number(values.seconds);
// One process holds at most this many sockets (the descriptor limit here is 20,000).
const PER_CLIENT = 10_000;

interface ClientReport {
  readonly event: "done";
  readonly loggedIn: number;
  readonly refused: number;
  readonly loginSeconds: number;
  readonly expired: number;
  readonly unanswered: number;
  /** The client's longest wait between heartbeat ticks: beats late on its side, not the tracker's. */
  readonly longestTickGapMs: number;
}

/** CPU seconds and RSS in MiB of process `pid`. */
function usage(pid: number): { cpuSeconds: number; rssMiB: number } {
  return { cpuSeconds: cpuSeconds(pid), rssMiB: memoryMiB(pid).rss };
}

const users = Array.from({ length: SESSIONS }, (_, i) => `user${String(i).padStart(5, "0")}`);
// The tracker runs with the V8 flags `deno task tracker` launches it with, as an operator's does.
const v8Flags = benchV8Flags(values["v8-flags"]);
const tracker = await TrackerProcess.start(
  users.map((user) => `${user} ${user}-pw\n`).join(""),
  ["--store", "memory"],
  0,
  v8FlagsEnv(v8Flags),
);
const clients: Deno.ChildProcess[] = [];
try {
  const idle = usage(tracker.program.pid);
  for (let first = 0; first < SESSIONS; first += PER_CLIENT) {
    clients.push(
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("./soak_client.ts", import.meta.url).pathname,
          String(tracker.port),
          String(first),
          String(Math.min(PER_CLIENT, SESSIONS - first)),
          String(SECONDS),
        ],
        stdout: "piped",
        stderr: "inherit",
      }).spawn(),
    );
  }
  const reports = clients.map(async (client) => {
    const lines: unknown[] = [];
    for await (const chunk of client.stdout.pipeThrough(new TextDecoderStream())) {
      for (const line of chunk.split("\n").filter(Boolean)) lines.push(JSON.parse(line));
    }
    await client.status;
    return lines;
  });
  // The tracker measured from the first login to the last answer.
  const started = performance.now();
  const before = usage(tracker.program.pid);
  let peakRss = before.rssMiB;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, usage(tracker.program.pid).rssMiB);
  }, 2000);
  const all = (await Promise.all(reports)).flat() as ClientReport[];
  clearInterval(sampler);
  const after = usage(tracker.program.pid);
  const wall = (performance.now() - started) / 1000;
  const done = all.filter((line) => line.event === "done");
  const sum = (key: keyof Omit<ClientReport, "event">) =>
    done.reduce((total, line) => total + line[key], 0);
  console.log(
    `session soak: ${SESSIONS.toLocaleString("en")} v1 sessions from 64 hosts, a heartbeat each ` +
      `per second for ${SECONDS} s; tracker's V8 flags: ${describeV8Flags(v8Flags)}`,
  );
  console.log(
    `  logged in ${sum("loggedIn")} (refused ${sum("refused")}), slowest client took ` +
      `${Math.max(...done.map((line) => line.loginSeconds)).toFixed(1)} s`,
  );
  console.log(
    `  false expiries: ${sum("expired")}; final lpf unanswered: ${sum("unanswered")}; ` +
      `the clients' longest wait between heartbeat ticks ${
        Math.max(...done.map((line) => line.longestTickGapMs)).toFixed(0)
      } ms`,
  );
  console.log(
    `  tracker CPU ${
      (100 * (after.cpuSeconds - before.cpuSeconds) / wall).toFixed(0)
    } % of a core ` +
      `over ${wall.toFixed(0)} s (logins, ${SESSIONS.toLocaleString("en")} heartbeats/s, ` +
      `final lpf); RSS ${idle.rssMiB.toFixed(0)} MiB idle, peak ${peakRss.toFixed(0)} MiB ` +
      `(${(((peakRss - idle.rssMiB) * 1024) / SESSIONS).toFixed(1)} KiB per session)`,
  );
  const logged = tracker.program.stdout.text.split("\n");
  Deno.writeTextFileSync("/tmp/soak_tracker.log", logged.join("\n"));
  console.log(
    `  the tracker's log: ${logged.filter((line) => line.includes(" expired")).length} ` +
      `expiries, ${logged.filter((line) => line.includes(" Limit: ")).length} limit lines, ` +
      `${logged.filter((line) => line.includes("Receive buffer full")).length} episodes of ` +
      `receive-buffer drops, ${
        logged.filter((line) => line.includes("loop stalled")).length
      } stalls`,
  );
} finally {
  for (const client of clients) {
    try {
      client.kill("SIGTERM");
    } catch {
      // already gone
    }
  }
  await tracker.stop();
}
