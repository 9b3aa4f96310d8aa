/**
 * `deno run -A bench/request_path.ts`: the tracker's own CPU per datagram with the socket left
 * out. The real server loop (`startTracker`: router, handlers, state, per-datagram log, reply) is
 * fed from memory by a stand-in socket, so what is measured is the JavaScript a datagram costs,
 * without the system calls and wake-ups that make socket benches swing 2× on a shared machine.
 * Each variant runs in its own process (its own heap and garbage collector), in turn, rounds in
 * rotating order; CPU is the process's (all threads: V8's collector works on helper threads too).
 *
 * Variants: `quiet` (no line per datagram) and `logging` (a line per datagram at `info`, batched
 * by `LineBuffer` into a file, as `tracker.ts` does), for this checkout and, with `--baseline DIR`,
 * for another checkout of the project (e.g. `git worktree add /tmp/base main`) side by side.
 *
 * Loads: `get` (32 sessions asking for a file nobody has: the log-cost bench's load) or `mixed`
 * (issue 11's mixed load: 1,024 sessions from 64 hosts, 100,000 names, a third each `lap`, `sch`,
 * `get`, plus a heartbeat per ten datagrams).
 *
 * `--v8-flags` and `--baseline-v8-flags` (comma-separated, as `deno run --v8-flags=`) run this
 * checkout's or the baseline's processes with those V8 flags: `--baseline .` measures a V8
 * setting beside the same code without it.
 *
 *   deno run -A bench/request_path.ts [--load get|mixed] [--datagrams 200000] [--rounds 3]
 *     [--variants quiet,logging] [--baseline DIR] [--v8-flags FLAGS] [--baseline-v8-flags FLAGS]
 */

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { cpuSeconds } from "./proc_usage.ts";
import { anywhere, makeNames, seeded } from "./mixed_load.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    load: { type: "string", default: "get" },
    datagrams: { type: "string", default: "200000" },
    rounds: { type: "string", default: "3" },
    variants: { type: "string", default: "quiet,logging" },
    baseline: { type: "string" },
    "v8-flags": { type: "string" },
    "baseline-v8-flags": { type: "string" },
    // A child's own options: which checkout and whether it logs.
    child: { type: "string" },
    root: { type: "string" },
  },
});
const DATAGRAMS = Number(values.datagrams);
const encoder = new TextEncoder();

/** A datagram socket in memory: `receive` takes from a queue, `send` counts. */
class MemorySocket {
  readonly addr: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: 9 };
  readonly #queue: [Uint8Array, Deno.NetAddr][] = [];
  #head = 0;
  #waiting:
    | { resolve: (item: [Uint8Array, Deno.NetAddr]) => void; reject: (e: Error) => void }
    | undefined;
  #closed = false;
  sent = 0;

  feed(items: readonly [Uint8Array, Deno.NetAddr][]): void {
    for (const item of items) this.#queue.push(item);
    const waiting = this.#waiting;
    if (waiting !== undefined && this.#head < this.#queue.length) {
      this.#waiting = undefined;
      waiting.resolve(this.#queue[this.#head++]);
    }
  }

  get pending(): number {
    return this.#queue.length - this.#head;
  }

  receive(): Promise<[Uint8Array, Deno.NetAddr]> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("closed"));
    if (this.#head < this.#queue.length) {
      const item = this.#queue[this.#head++];
      if (this.#head === this.#queue.length) {
        this.#queue.length = 0;
        this.#head = 0;
      }
      return Promise.resolve(item);
    }
    return new Promise((resolve, reject) => this.#waiting = { resolve, reject });
  }

  send(): Promise<number> {
    this.sent++;
    return Promise.resolve(0);
  }

  close(): void {
    this.#closed = true;
    this.#waiting?.reject(new Deno.errors.BadResource("closed"));
    this.#waiting = undefined;
  }
}

const until = async (done: () => boolean) => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
};

async function runChild(root: string, logging: boolean, load: string): Promise<void> {
  const { startTracker } = await import(`${root}/lib/tracker/server.ts`);
  const { createLogger } = await import(`${root}/lib/log.ts`);
  const { LineBuffer } = await import(`${root}/lib/log_buffer.ts`);
  const { TrackerState } = await import(`${root}/lib/tracker/state.ts`);
  const mixed = load === "mixed";
  const sessions = mixed ? 1024 : 32;
  const users = Array.from({ length: sessions }, (_, i) => `user${String(i).padStart(4, "0")}`);
  const credentials = new Map(users.map((user) => [user, { kind: "plain", password: "pw" }]));
  const now = () => performance.now();
  // Sessions live an hour: a busy machine may take seconds over the setup, and a session expired
  // there would turn the load into `ERR`s (heartbeats are sent all the same).
  const state = new TrackerState({ now, sessionTimeoutMs: 3_600_000 });
  const names = mixed ? makeNames(100_000, seeded(11)) : [];
  names.forEach((name, i) => state.publish(users[i % sessions], name));
  const logFile = await Deno.makeTempFile({ prefix: "peersync-request-path-" });
  const file = await Deno.open(logFile, { write: true });
  const lines = new LineBuffer({
    write: (bytes: Uint8Array) => file.write(bytes),
    droppedLine: (count: number) => `${count} dropped`,
  });
  const socket = new MemorySocket();
  const controller = new AbortController();
  const tracker = startTracker({
    hostname: "127.0.0.1",
    port: 0,
    socket: socket as unknown as Deno.DatagramConn,
    credentials,
    signal: controller.signal,
    rate: { perSecond: 1e9, burst: 1e9 },
    hostRate: { perSecond: 1e9, burst: 1e9 },
    state,
    logger: createLogger({ write: (line: string) => lines.push(line) }),
    logDatagrams: logging,
  });
  // 64 hosts, as the mixed bench's clients (127.0.0.2–65).
  const address = (i: number): Deno.NetAddr => ({
    transport: "udp",
    hostname: `127.0.0.${2 + (i % 64)}`,
    port: 20000 + i,
  });
  socket.feed(users.map((user, i) => [encoder.encode(`auth ${user} pw`), address(i)]));
  await until(() => state.sessionCount === sessions);
  const random = seeded(7);
  const requests: [Uint8Array, Deno.NetAddr][] = [];
  const HBT = encoder.encode("HBT");
  const GET = encoder.encode("get no-such-file.bin");
  for (let i = 0; i < 4096; i++) {
    const who = address(Math.floor(random() * sessions));
    if (!mixed) {
      requests.push([GET, who]);
      continue;
    }
    const roll = random();
    const name = names[Math.floor(random() * names.length)];
    const text = i % 10 === 9
      ? "HBT"
      : roll < 1 / 3
      ? "lap"
      : roll < 2 / 3
      ? `sch ${anywhere(name, random)}`
      : `get ${name}`;
    requests.push([text === "HBT" ? HBT : encoder.encode(text), who]);
  }
  // Every session beats once before the clock starts, and the run is fed in slices, so no
  // session expires in the middle.
  socket.feed(users.map((_, i) => [HBT, address(i)]));
  await until(() => socket.pending === 0);
  const cpuBefore = cpuSeconds(Deno.pid);
  const started = performance.now();
  for (let fed = 0; fed < DATAGRAMS; fed += requests.length) {
    socket.feed(requests.slice(0, Math.min(requests.length, DATAGRAMS - fed)));
    await until(() => socket.pending === 0);
    // A batch of lines written per slice, so no line is dropped for a full buffer (a dropped line
    // would cost nothing and flatter the variant).
    await lines.flush();
    if (mixed) socket.feed(users.map((_, i) => [HBT, address(i)]));
  }
  await lines.flush();
  const wall = performance.now() - started;
  const cpu = cpuSeconds(Deno.pid) - cpuBefore;
  const expired = sessions - state.sessionCount;
  controller.abort();
  await tracker.finished;
  await lines.close();
  file.close();
  const logged = await Deno.readFile(logFile);
  const logBytes = logged.length;
  const logLines = logged.reduce((count, byte) => count + (byte === 0x0a ? 1 : 0), 0);
  if (Deno.env.get("KEEP_LOG")) console.error(new TextDecoder().decode(logged.slice(-400)));
  await Deno.remove(logFile);
  console.log(JSON.stringify({
    cpuUs: cpu * 1e6 / DATAGRAMS,
    wallUs: wall * 1000 / DATAGRAMS,
    logBytes,
    logLines,
    expired,
  }));
}

if (values.child !== undefined) {
  await runChild(values.root!, values.child === "logging", values.load!);
} else {
  const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const roots: [string, string, string | undefined][] = [["this", here, values["v8-flags"]]];
  if (values.baseline !== undefined) {
    roots.push(["baseline", resolve(values.baseline), values["baseline-v8-flags"]]);
  }
  const variants = roots.flatMap(([label, root, v8Flags]) =>
    values.variants!.split(",").map((kind) => ({ name: `${label} ${kind}`, root, kind, v8Flags }))
  );
  type Result = {
    cpuUs: number;
    wallUs: number;
    logBytes: number;
    logLines: number;
    expired: number;
  };
  const results = new Map<string, Result[]>();
  const rounds = Number(values.rounds);
  console.log(
    `request path (${values.load} load, ${DATAGRAMS} datagrams a run, socket in memory), ` +
      `${rounds} rounds; load average ${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}` +
      roots.map(([label, _, v8Flags]) => v8Flags ? `; ${label}: V8 flags ${v8Flags}` : "").join(""),
  );
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length];
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          ...(variant.v8Flags ? [`--v8-flags=${variant.v8Flags}`] : []),
          `--config=${variant.root}/deno.json`,
          new URL(import.meta.url).pathname,
          `--child=${variant.kind}`,
          `--root=${variant.root}`,
          `--load=${values.load}`,
          `--datagrams=${DATAGRAMS}`,
        ],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      if (!output.success) throw new Error(`${variant.name} failed`);
      const result = JSON.parse(new TextDecoder().decode(output.stdout));
      results.set(variant.name, [...(results.get(variant.name) ?? []), result]);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const medians = new Map<string, number>();
  for (const [name, runs] of results) {
    const cpu = median(runs.map((r) => r.cpuUs));
    medians.set(name, cpu);
    console.log(
      `  ${name.padEnd(18)} CPU ${cpu.toFixed(2)} µs/datagram (rounds ${
        runs.map((r) => r.cpuUs.toFixed(2)).join(" ")
      }), wall ${median(runs.map((r) => r.wallUs)).toFixed(2)} µs, log lines ${
        runs.map((r) => r.logLines).join(" ")
      }, sessions expired ${runs.map((r) => r.expired).join(" ")}`,
    );
  }
  for (const [label] of roots) {
    const quiet = medians.get(`${label} quiet`);
    const logging = medians.get(`${label} logging`);
    if (quiet !== undefined && logging !== undefined) {
      console.log(`  ${label}: logging costs ${(logging - quiet).toFixed(2)} µs CPU a datagram`);
    }
  }
}
