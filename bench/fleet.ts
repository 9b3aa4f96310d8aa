/**
 * `deno task bench:fleet`: the mixed load of `tracker_mixed.ts` (v1 sessions from 64 loopback
 * hosts heartbeating every second, published names, a cycle of `lap`, `sch`, `get` with a window
 * of requests in flight) against two trackers of a fleet on one real `redis-server`, each client
 * speaking to its own tracker, beside the same load on one tracker in memory, in the same run
 * (alternating rounds). Prints the fleet's combined replies/s and its ratio to the one tracker,
 * and checks that every client sees the other tracker's peers (`lap` totals).
 *
 *   deno run -A bench/fleet.ts [--seconds 3] [--rounds 2] [--names 5000] [--sessions 256]
 */

import { parseArgs } from "node:util";
import { Program } from "../tests/support/programs.ts";
import { RedisServer } from "../tests/support/redis_server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "3" },
    rounds: { type: "string", default: "2" },
    names: { type: "string", default: "5000" },
    sessions: { type: "string", default: "256" },
    window: { type: "string", default: "32" },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const NAMES = Number(values.names);
const SESSIONS = Number(values.sessions);
const WINDOW = Number(values.window);
const HOSTS = 64;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ["holiday", "report", "summer", "track", "photo", "concert", "draft", "notes"];
const EXTS = [".jpg", ".pdf", ".mkv", ".flac", ".txt", ".zip"];
const random = seeded(11);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
const names = Array.from(
  { length: NAMES },
  (_, i) => `${pick(WORDS)}-${pick(WORDS)}-${i.toString(36)}${pick(EXTS)}`,
);

/** One v1 session: a socket and the one request it waits on. */
class Client {
  readonly socket: Deno.DatagramConn;
  readonly host: string;
  pending: ((reply: string | undefined) => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly user: string, index: number, readonly target: Deno.NetAddr) {
    this.host = `127.0.0.${2 + (index % HOSTS)}`;
    this.socket = Deno.listenDatagram({ transport: "udp", hostname: this.host, port: 0 });
    this.#read();
  }

  async #read() {
    try {
      for await (const [datagram] of this.socket) {
        const pending = this.pending;
        if (pending === undefined) continue;
        this.pending = undefined;
        clearTimeout(this.#timer);
        pending(decoder.decode(datagram));
      }
    } catch {
      // closed
    }
  }

  send(text: string): Promise<void> {
    return this.socket.send(encoder.encode(text), this.target).then(() => {});
  }

  ask(text: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.#timer = setTimeout(() => {
        this.pending = undefined;
        resolve(undefined);
      }, 1000);
      this.send(text).catch(() => {});
    });
  }

  close() {
    clearTimeout(this.#timer);
    this.socket.close();
  }
}

function heartbeat(clients: readonly Client[]): () => void {
  let beat = 0;
  const timer = setInterval(() => {
    const slice = Math.ceil(clients.length / 20);
    for (let i = 0; i < slice; i++) clients[beat++ % clients.length].send("HBT").catch(() => {});
  }, 50);
  return () => clearInterval(timer);
}

async function drive(clients: Client[], seed: number): Promise<{ replies: number; lost: number }> {
  const random = seeded(seed);
  let replies = 0;
  let lost = 0;
  const stop = performance.now() + SECONDS * 1000;
  const request = () => {
    const roll = random();
    const name = names[Math.floor(random() * names.length)];
    if (roll < 1 / 3) return "lap";
    if (roll < 2 / 3) return `sch ${name.slice(2, 6)}`;
    return `get ${name}`;
  };
  let next = 0;
  const worker = async () => {
    while (performance.now() < stop) {
      let client = clients[next++ % clients.length];
      while (client.pending) client = clients[next++ % clients.length];
      if ((await client.ask(request())) === undefined) lost++;
      else replies++;
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  return { replies, lost };
}

async function start(script: string, args: string[]): Promise<{ program: Program; port: number }> {
  const program = new Program(script, args);
  const port = Number((await program.stdout.waitFor(/listening on [^ ]+:(\d+)/, 30_000))[1]);
  return { program, port };
}

/** Logs every client in and publishes the names across them, a window at a time. */
async function setup(clients: Client[]): Promise<number> {
  let failures = 0;
  const one = async (client: Client, index: number) => {
    const answers = [await client.ask(`auth ${client.user} ${client.user}-pw`)];
    await client.send(`TCP ${client.host} ${7000 + index}`);
    for (let n = index; n < names.length; n += clients.length) {
      answers.push(await client.ask(`pub ${names[n]}`));
    }
    failures += answers.filter((answer) => answer === undefined || answer === "ERR").length;
  };
  for (let i = 0; i < clients.length; i += WINDOW) {
    await Promise.all(clients.slice(i, i + WINDOW).map((c, j) => one(c, i + j)));
  }
  return failures;
}

/** How many peers a v1 `lap` reply names: those listed plus `…and N more`. */
function peerCount(reply: string): number {
  const more = /…and (\d+) more/.exec(reply);
  const listed = reply.split(", ").filter((name) => /^user\d+$/.test(name.trim())).length;
  return listed + (more ? Number(more[1]) : 0);
}

const dir = await Deno.makeTempDir({ prefix: "peersync-fleet-bench-" });
const users = Array.from({ length: SESSIONS }, (_, i) => `user${String(i).padStart(4, "0")}`);
await Deno.writeTextFile(`${dir}/credentials.txt`, users.map((u) => `${u} ${u}-pw\n`).join(""));
const redis = await RedisServer.start();
const programs: Program[] = [];
const clients: Client[] = [];
try {
  const single = await start("bench/tracker_load_server.ts", [`${dir}/credentials.txt`]);
  const a = await start("bench/fleet_load_server.ts", [`${dir}/credentials.txt`, redis.url]);
  const b = await start("bench/fleet_load_server.ts", [`${dir}/credentials.txt`, redis.url]);
  programs.push(single.program, a.program, b.program);
  const at = (port: number): Deno.NetAddr => ({ transport: "udp", hostname: "127.0.0.1", port });
  const memory = users.map((user, i) => new Client(user, i, at(single.port)));
  const fleet = users.map((user, i) => new Client(user, i, at(i % 2 === 0 ? a.port : b.port)));
  clients.push(...memory, ...fleet);
  const stops = [heartbeat(memory), heartbeat(fleet)];
  const setupStarted = performance.now();
  const failures = (await setup(memory)) + (await setup(fleet));
  // Every fleet client must see all other sessions, whichever tracker holds them.
  const lapDeadline = performance.now() + 10_000;
  const peersSeen = async (client: Client) => peerCount((await client.ask("lap")) ?? "");
  while ((await peersSeen(fleet[0])) < SESSIONS - 1 && performance.now() < lapDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seen = [await peersSeen(fleet[0]), await peersSeen(fleet[1])];
  console.log(
    `fleet load: ${SESSIONS} v1 sessions from ${HOSTS} hosts, ${
      NAMES.toLocaleString("en")
    } names, ` +
      `set up twice in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s ` +
      `(${failures} not acknowledged), ${WINDOW} requests in flight, ${SECONDS} s rounds`,
  );
  console.log(
    `  lap on tracker A sees ${seen[0]} peers, on tracker B ${seen[1]} (of ${SESSIONS - 1})`,
  );
  const results = { memory: [] as number[], fleet: [] as number[] };
  let lost = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (
      const kind of round % 2 === 0 ? ["memory", "fleet"] as const : ["fleet", "memory"] as const
    ) {
      const run = await drive(kind === "memory" ? memory : fleet, 100 + round);
      results[kind].push(run.replies / SECONDS);
      lost += run.lost;
    }
  }
  for (const stop of stops) stop();
  const mean = (rates: number[]) => rates.reduce((sum, rate) => sum + rate, 0) / rates.length;
  const show = (rates: number[]) => rates.map((rate) => rate.toFixed(0)).join(", ");
  console.log(
    `  one tracker in memory   ${mean(results.memory).toFixed(0).padStart(6)} replies/s (${
      show(results.memory)
    })`,
  );
  console.log(
    `  two trackers on Redis   ${mean(results.fleet).toFixed(0).padStart(6)} replies/s combined (${
      show(results.fleet)
    })`,
  );
  console.log(
    `  fleet/one ${(mean(results.fleet) / mean(results.memory)).toFixed(2)}×; unanswered ${lost}` +
      ` (2 cores shared by the load, three trackers and Redis)`,
  );
} finally {
  for (const client of clients) client.close();
  for (const program of programs) await program.stop();
  await redis.stop();
  await Deno.remove(dir, { recursive: true });
}
