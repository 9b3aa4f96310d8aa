/**
 * Part of `deno task bench:tracker`: the mixed load of issue 11 against the real tracker, beside a
 * bare `Deno.listenDatagram` echo driven the same way in the same run (alternating rounds, so the
 * machine's drift hits both). 1,024 v1 sessions from 64 loopback hosts (127.0.0.2–65), each
 * heartbeating every second, 100,000 published names, cycling `lap`, `sch`, `get` with a window
 * of requests in flight. The tracker runs twice: publications in memory, and kept in a SQLite
 * file as `--store sqlite` does. Prints replies/s and the ratio to the echo, p50/p99 latency,
 * `ERR` answers to valid requests, and sessions the tracker expired while they heartbeat.
 *
 *   deno run -A bench/tracker_mixed.ts [--seconds 4] [--rounds 2] [--names 100000]
 */

import { parseArgs } from "node:util";
import { Program } from "../tests/support/programs.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "4" },
    rounds: { type: "string", default: "2" },
    names: { type: "string", default: "100000" },
    sessions: { type: "string", default: "1024" },
    window: { type: "string", default: "32" },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const NAMES = Number(values.names);
const SESSIONS = Number(values.sessions);
const WINDOW = Number(values.window);
const HOSTS = 64;
const REPLY_TIMEOUT_MS = 1000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A seeded random source, so both servers get the same requests. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  "holiday",
  "report",
  "summer",
  "track",
  "photo",
  "IMG",
  "concert",
  "draft",
  "invoice",
  "lecture",
  "season",
  "episode",
  "backup",
  "notes",
  "mix",
  "live",
  "final",
  "scan",
  "demo",
  "podcast",
];
const EXTS = [".jpg", ".pdf", ".mkv", ".flac", ".txt", ".zip", ".mp4", ".png"];

function makeNames(random: () => number): string[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  return Array.from(
    { length: NAMES },
    (_, i) => `${pick(WORDS)}-${pick(WORDS)}-${i.toString(36)}${pick(EXTS)}`,
  );
}

/** One v1 client session: its socket, and the request it waits on. */
class Client {
  readonly socket: Deno.DatagramConn;
  readonly host: string;
  pending: { sentAt: number; resolve: (reply: string | undefined) => void } | undefined;
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
        // The echo sends heartbeats back: they answer nothing.
        if (
          pending === undefined || (datagram.length === 3 && decoder.decode(datagram) === "HBT")
        ) {
          continue;
        }
        this.pending = undefined;
        clearTimeout(this.#timer);
        pending.resolve(decoder.decode(datagram));
      }
    } catch {
      // closed
    }
  }

  send(text: string): Promise<void> {
    return this.socket.send(encoder.encode(text), this.target).then(() => {});
  }

  /** Sends `text` and waits for its reply (undefined after the timeout). */
  ask(text: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.pending = { sentAt: performance.now(), resolve };
      this.#timer = setTimeout(() => {
        this.pending = undefined;
        resolve(undefined);
      }, REPLY_TIMEOUT_MS);
      this.send(text).catch(() => {});
    });
  }

  close() {
    clearTimeout(this.#timer);
    this.socket.close();
  }
}

interface RoundResult {
  readonly replies: number;
  readonly lost: number;
  readonly errors: number;
  readonly latencies: number[];
}

/** Sends a heartbeat from each of `clients()` once a second, spread over the second. */
function heartbeat(clients: () => readonly Client[]): () => void {
  let beat = 0;
  const timer = setInterval(() => {
    const all = clients();
    const slice = Math.ceil(all.length / 20);
    for (let i = 0; i < slice && all.length > 0; i++) {
      all[beat++ % all.length].send("HBT").catch(() => {});
    }
  }, 50);
  return () => clearInterval(timer);
}

/** Drives `clients` for SECONDS with WINDOW requests in flight. */
async function drive(clients: Client[], names: string[], seed: number): Promise<RoundResult> {
  const random = seeded(seed);
  const latencies: number[] = [];
  let replies = 0;
  let lost = 0;
  let errors = 0;
  const stop = performance.now() + SECONDS * 1000;
  const request = () => {
    const roll = random();
    const name = names[Math.floor(random() * names.length)];
    if (roll < 1 / 3) return "lap";
    if (roll < 2 / 3) {
      const start = Math.floor(random() * (name.length - 5));
      return `sch ${name.slice(start, start + 3 + Math.floor(random() * 4))}`;
    }
    return `get ${name}`;
  };
  let next = Math.floor(random() * clients.length);
  const worker = async () => {
    while (performance.now() < stop) {
      // A client with no request in flight (one at a time each, so replies match requests).
      let client = clients[next++ % clients.length];
      while (client.pending) client = clients[next++ % clients.length];
      const started = performance.now();
      const reply = await client.ask(request());
      if (reply === undefined) {
        lost++;
        continue;
      }
      replies++;
      latencies.push(performance.now() - started);
      if (reply === "ERR") errors++;
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  return { replies, lost, errors, latencies };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function startServer(
  script: string,
  args: string[],
): Promise<{ program: Program; port: number }> {
  const program = new Program(script, args);
  const port = Number((await program.stdout.waitFor(/listening on [^ ]+:(\d+)/))[1]);
  return { program, port };
}

const dir = await Deno.makeTempDir({ prefix: "peersync-mixed-" });
const users = Array.from({ length: SESSIONS }, (_, i) => `user${String(i).padStart(4, "0")}`);
await Deno.writeTextFile(`${dir}/credentials.txt`, users.map((u) => `${u} ${u}-pw\n`).join(""));
const names = makeNames(seeded(11));
const credentials = `${dir}/credentials.txt`;
/** The servers driven in turn: the echo, then the tracker in memory and on SQLite. */
const servers = {
  echo: await startServer("bench/udp_echo.ts", []),
  memory: await startServer("bench/tracker_load_server.ts", [credentials]),
  sqlite: await startServer("bench/tracker_load_server.ts", [credentials, `${dir}/bench.db`]),
};
type Kind = keyof typeof servers;
const KINDS: readonly Kind[] = ["echo", "memory", "sqlite"];
const at = (port: number): Deno.NetAddr => ({ transport: "udp", hostname: "127.0.0.1", port });
const clientsOf = Object.fromEntries(
  KINDS.map((kind) => [kind, users.map((user, i) => new Client(user, i, at(servers[kind].port)))]),
) as Record<Kind, Client[]>;
const trackerKinds = ["memory", "sqlite"] as const;
try {
  // Log in, register a download address, and publish the names (each client its share), with a
  // window so the tracker's receive buffer never overflows.
  // The trackers' sessions heartbeat from their login to the end, as live peers do.
  const loggedIn: Client[] = [];
  const stopHeartbeats = heartbeat(() => loggedIn);
  for (const kind of trackerKinds) {
    const setupStarted = performance.now();
    let failures = 0;
    const clients = clientsOf[kind];
    const setup = async (client: Client, index: number) => {
      const answers = [await client.ask(`auth ${client.user} ${client.user}-pw`)];
      if (answers[0] === "OK") loggedIn.push(client);
      await client.send(`TCP ${client.host} ${7000 + index}`);
      for (let n = index; n < names.length; n += clients.length) {
        answers.push(await client.ask(`pub ${names[n]}`));
      }
      const failed = answers.filter((answer) => answer === undefined || answer === "ERR");
      failures += failed.length;
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
  const results: Record<Kind, RoundResult[]> = { echo: [], memory: [], sqlite: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts with another server, so the machine's drift hits all of them.
    const order = KINDS.map((_, i) => KINDS[(i + round) % KINDS.length]);
    for (const kind of order) {
      // The echo gets the same heartbeats in its rounds (the trackers' go on meanwhile).
      const stopEcho = kind === "echo" ? heartbeat(() => clientsOf.echo) : undefined;
      results[kind].push(await drive(clientsOf[kind], names, 100 + round));
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
} finally {
  for (const kind of KINDS) for (const client of clientsOf[kind]) client.close();
  for (const kind of KINDS) await servers[kind].program.stop();
  await Deno.remove(dir, { recursive: true });
}
