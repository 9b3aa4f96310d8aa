/**
 * `deno run -A bench/log_cost.ts [seconds] [rounds]`: what a line per request costs the real
 * tracker. Two tracker processes, one logging at the default `info` level (a line per request,
 * written to a file as an operator would) and one with `--quiet`, are flooded in turn, in
 * alternating order, by 32 v1 sessions each keeping one `get` in flight; flood limits are lifted
 * with the limit flags. Prints each round's replies/s and the median of the rounds' ratios
 * logging/quiet (target ≥ 0.90: a per-datagram log costs at most 10 % of throughput).
 *
 * `--baseline DIR` adds a third tracker, logging as the first, run from another checkout of the
 * project (e.g. `git worktree add /tmp/base main`), flooded in the same rounds: a change to the
 * log path measured side by side with the code before it.
 *
 *   deno run -A bench/log_cost.ts [seconds] [rounds] [--baseline DIR]
 */

import { parseArgs } from "node:util";
import { projectRoot } from "../tests/support/programs.ts";
import { cpuSeconds } from "./proc_usage.ts";

const { values: options, positionals } = parseArgs({
  args: Deno.args,
  options: { baseline: { type: "string" } },
  allowPositionals: true,
});
const SECONDS = Number(positionals[0] ?? "3");
const ROUNDS = Number(positionals[1] ?? "5");
const CLIENTS = 32;
const encoder = new TextEncoder();
const GET = encoder.encode("get no-such-file.bin");
const HBT = encoder.encode("HBT");
const UNLIMITED = ["source-rate", "source-burst", "host-rate", "host-burst"]
  .flatMap((flag) => [`--${flag}`, "1000000000"]);

function freePort(): number {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (socket.addr as Deno.NetAddr).port;
  socket.close();
  return port;
}

interface Tracker {
  readonly name: string;
  readonly port: number;
  readonly log: string;
  readonly child: Deno.ChildProcess;
}

async function startTracker(
  dir: string,
  name: string,
  extra: readonly string[],
  root = projectRoot,
): Promise<Tracker> {
  const port = freePort();
  const log = `${dir}/${name}.log`;
  const args = [
    "run",
    "--allow-all",
    `${root}tracker.ts`,
    "--credentials",
    `${dir}/credentials.txt`,
    "--store",
    "memory",
    ...UNLIMITED,
    ...extra,
    String(port),
  ];
  // Standard output to a file, through the shell: where an operator's log goes.
  const child = new Deno.Command("sh", {
    args: ["-c", `exec "$0" "$@" > "${log}"`, Deno.execPath(), ...args],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    const text = await Deno.readTextFile(log).catch(() => "");
    if (text.includes("listening on")) return { name, port, log, child };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} tracker did not start`);
}

/**
 * 32 v1 sessions on one tracker, logged in once and kept alive by heartbeats between turns; during
 * a turn each keeps one `get` in flight.
 */
class Fleet {
  readonly #target: Deno.NetAddr;
  readonly #sockets: Deno.DatagramConn[] = [];
  readonly #lastReply: number[] = [];
  #readers: Promise<void>[] = [];
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #active = false;
  replies = 0;

  constructor(port: number) {
    this.#target = { transport: "udp", hostname: "127.0.0.1", port };
  }

  async login(users: readonly string[]): Promise<void> {
    for (const user of users) {
      const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
      this.#sockets.push(socket);
      this.#lastReply.push(0);
      await socket.send(encoder.encode(`auth ${user} pw`), this.#target);
      const [reply] = await socket.receive();
      if (new TextDecoder().decode(reply) !== "OK") throw new Error(`${user} not logged in`);
    }
    this.#readers = this.#sockets.map((socket, i) => this.#read(socket, i));
    this.#heartbeat = setInterval(() => {
      for (const socket of this.#sockets) socket.send(HBT, this.#target).catch(() => {});
    }, 1000);
  }

  async #read(socket: Deno.DatagramConn, i: number): Promise<void> {
    for (;;) {
      try {
        await socket.receive();
      } catch {
        return;
      }
      this.replies++;
      this.#lastReply[i] = performance.now();
      if (this.#active) await socket.send(GET, this.#target).catch(() => {});
    }
  }

  /** Replies per second over `seconds` of one `get` in flight per session. */
  async turn(seconds: number): Promise<number> {
    this.#active = true;
    // A request lost (a full receive buffer) is sent again, so the window stays full.
    const watchdog = setInterval(() => {
      const now = performance.now();
      this.#sockets.forEach((socket, i) => {
        if (now - this.#lastReply[i] > 100) socket.send(GET, this.#target).catch(() => {});
      });
    }, 50);
    for (const socket of this.#sockets) await socket.send(GET, this.#target);
    const before = this.replies;
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const rate = (this.replies - before) / ((performance.now() - started) / 1000);
    this.#active = false;
    clearInterval(watchdog);
    return rate;
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const socket of this.#sockets) socket.close();
    await Promise.all(this.#readers);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

const dir = await Deno.makeTempDir({ prefix: "peersync-logcost-" });
const users = Array.from({ length: CLIENTS }, (_, i) => `u${i}`);
await Deno.writeTextFile(`${dir}/credentials.txt`, users.map((u) => `${u} pw\n`).join(""));
const logging = await startTracker(dir, "logging", []);
const quiet = await startTracker(dir, "quiet", ["--quiet"]);
const baseline = options.baseline === undefined
  ? undefined
  : await startTracker(dir, "baseline", [], `${options.baseline.replace(/\/$/, "")}/`);
const trackers = baseline === undefined ? [logging, quiet] : [logging, quiet, baseline];
const fleets = new Map(trackers.map((tracker) => [tracker, new Fleet(tracker.port)]));
const rates: Record<string, number[]> = { logging: [], quiet: [], baseline: [] };
/** The tracker's CPU microseconds per reply, per turn: steadier than rates on a shared machine. */
const cpu: Record<string, number[]> = { logging: [], quiet: [], baseline: [] };
try {
  for (const fleet of fleets.values()) await fleet.login(users);
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts with another tracker, so the machine's drift hits all of them.
    const order = trackers.map((_, i) => trackers[(i + round) % trackers.length]);
    const line: string[] = [];
    for (const tracker of order) {
      const fleet = fleets.get(tracker)!;
      const [cpuBefore, repliesBefore] = [cpuSeconds(tracker.child.pid), fleet.replies];
      const rate = await fleet.turn(SECONDS);
      const perReply = (cpuSeconds(tracker.child.pid) - cpuBefore) * 1e6 /
        (fleet.replies - repliesBefore);
      rates[tracker.name].push(rate);
      cpu[tracker.name].push(perReply);
      line.push(`${tracker.name} ${rate.toFixed(0)}/s, ${perReply.toFixed(1)} µs CPU/reply`);
    }
    console.log(`round ${round + 1}: ${line.join(", ")}`);
  }
} finally {
  for (const fleet of fleets.values()) await fleet.close();
  for (const tracker of trackers) {
    tracker.child.kill("SIGTERM");
    await tracker.child.status;
  }
}
const lines = (await Deno.readTextFile(logging.log)).split("\n").length;
const quietLines = (await Deno.readTextFile(quiet.log)).split("\n").length;
// Paired per round (the two turns are seconds apart), since this machine's speed drifts over a run.
const ratios = rates.logging.map((rate, round) => rate / rates.quiet[round]);
const cpuRatios = cpu.quiet.map((quietCpu, round) => quietCpu / cpu.logging[round]);
console.log(
  `per-round CPU cost ratios quiet/logging (the throughput ratio if CPU-bound): ` +
    `${cpuRatios.map((r) => r.toFixed(3)).join(" ")}\nmedian ${median(cpuRatios).toFixed(3)}; ` +
    `CPU per reply: logging ${median(cpu.logging).toFixed(1)} µs, quiet ` +
    `${median(cpu.quiet).toFixed(1)} µs`,
);
console.log(
  `per-round ratios logging/quiet: ${ratios.map((r) => r.toFixed(3)).join(" ")}\n` +
    `median ratio ${median(ratios).toFixed(3)} (target >= 0.90); medians: logging (info, a line ` +
    `per request) ${median(rates.logging).toFixed(0)}/s, --quiet ${
      median(rates.quiet).toFixed(0)
    }/s; ` +
    `${lines} log lines written against ${quietLines} quiet`,
);
if (baseline !== undefined) {
  const baseCpu = cpu.quiet.map((quietCpu, round) => quietCpu / cpu.baseline[round]);
  const baseRates = rates.baseline.map((rate, round) => rate / rates.quiet[round]);
  console.log(
    `baseline (logging, from ${options.baseline}): CPU cost ratios quiet/baseline ` +
      `${baseCpu.map((r) => r.toFixed(3)).join(" ")}, median ${median(baseCpu).toFixed(3)} ` +
      `(this checkout ${median(cpuRatios).toFixed(3)}); CPU per reply ` +
      `${median(cpu.baseline).toFixed(1)} µs; replies/s ratio baseline/quiet median ` +
      `${median(baseRates).toFixed(3)} (this checkout ${median(ratios).toFixed(3)})`,
  );
}
const sample = (await Deno.readTextFile(logging.log)).split("\n").find((l) => l.includes("GET"));
console.log(`a logged line: ${sample}`);
await Deno.remove(dir, { recursive: true });
