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

import type { Program } from "../tests/support/programs.ts";
import { RedisServer } from "../tests/support/redis_server.ts";
import {
  drive,
  fixedSlice,
  heartbeat,
  logInAndPublish,
  loopback,
  makeNames,
  parseLoadOptions,
  seeded,
  startServer,
} from "./mixed_load.ts";
import { V1Client } from "./v1_client.ts";

const defaults = { seconds: 3, rounds: 2, names: 5000, sessions: 256 };
const load = parseLoadOptions(Deno.args, defaults);
const { seconds: SECONDS, rounds: ROUNDS, names: NAMES, sessions: SESSIONS, window: WINDOW } = load;
const HOSTS = V1Client.HOSTS;

// A smaller vocabulary than tracker_mixed.ts's: the figures in docs/operations.md were measured
// with it.
const VOCABULARY = {
  words: ["holiday", "report", "summer", "track", "photo", "concert", "draft", "notes"],
  exts: [".jpg", ".pdf", ".mkv", ".flac", ".txt", ".zip"],
};
const names = makeNames(NAMES, seeded(11), VOCABULARY);

/** Logs every client in and publishes the names across them, a window at a time. */
async function setup(clients: V1Client[]): Promise<number> {
  let failures = 0;
  const one = async (client: V1Client, index: number) => {
    failures += (await logInAndPublish(client, index, names, clients.length)).failures;
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
const clients: V1Client[] = [];
try {
  const credentials = `${dir}/credentials.txt`;
  const single = await startServer("bench/tracker_load_server.ts", [credentials], 30_000);
  const a = await startServer("bench/fleet_load_server.ts", [credentials, redis.url], 30_000);
  const b = await startServer("bench/fleet_load_server.ts", [credentials, redis.url], 30_000);
  programs.push(single.program, a.program, b.program);
  const memory = users.map((user, i) => new V1Client(user, i, loopback(single.port)));
  const fleet = users.map((user, i) =>
    new V1Client(user, i, loopback(i % 2 === 0 ? a.port : b.port))
  );
  clients.push(...memory, ...fleet);
  const stops = [heartbeat(() => memory), heartbeat(() => fleet)];
  const setupStarted = performance.now();
  const failures = (await setup(memory)) + (await setup(fleet));
  // Every fleet client must see all other sessions, whichever tracker holds them.
  const lapDeadline = performance.now() + 10_000;
  const peersSeen = async (client: V1Client) => peerCount((await client.ask("lap")) ?? "");
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
      const run = await drive({
        clients: kind === "memory" ? memory : fleet,
        names,
        seed: 100 + round,
        seconds: SECONDS,
        window: WINDOW,
        search: fixedSlice,
      });
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
