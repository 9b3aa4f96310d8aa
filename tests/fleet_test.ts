/**
 * A fleet: tracker processes on one real `redis-server` act as one service. Peers split across
 * two trackers see each other (`lap`, `sch`, `get`) and download across; a user is logged in
 * once in the fleet; a killed tracker's sessions expire by TTL; Redis unreachable at start or
 * lost mid-run gives one clear line.
 */

import assert from "node:assert/strict";
import { FLEET_DEFAULTS } from "../lib/tracker/fleet/mod.ts";
import { PeerProcess, sameBytes, writeRandomFile } from "./support/peers.ts";
import { runProgram, TrackerProcess } from "./support/programs.ts";
import { freeTcpPort, haveRedisServer, RedisServer } from "./support/redis_server.ts";
import { UdpProbe } from "./support/udp_probe.ts";
import { eventually } from "./support/eventually.ts";

// In CI a missing redis-server is a failure, not a skip.
const ignore = !haveRedisServer() && Deno.env.get("CI") !== "true";
if (ignore) console.warn("fleet tests skipped: redis-server is not installed (see README)");
/** A test's name, saying why it is skipped when it is (outside CI, without redis-server). */
const named = (name: string) => ignore ? `${name} (skipped: redis-server is not installed)` : name;

const USERS = "alice alice-pw\nbob bob-pw\ncarol carol-pw\n";

/** Runs `body` with a Redis and two trackers on it, all stopped afterwards. */
async function withFleet(
  body: (a: TrackerProcess, b: TrackerProcess, redis: RedisServer) => Promise<void>,
): Promise<void> {
  const redis = await RedisServer.start();
  const trackers: TrackerProcess[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      trackers.push(await TrackerProcess.start(USERS, ["--redis", redis.url]));
    }
    await body(trackers[0], trackers[1], redis);
  } finally {
    for (const tracker of trackers) await tracker.stop("SIGKILL");
    await redis.stop();
  }
}

async function login(port: number, user: string): Promise<UdpProbe> {
  const probe = new UdpProbe(port);
  assert.equal(await probe.ask(`auth ${user} ${user}-pw`), "OK", `${user} logs in`);
  await probe.send(`TCP 127.0.0.1 ${probe.port}`);
  return probe;
}

Deno.test({
  name: named("peers on two trackers of a fleet see each other and download across"),
  ignore,
  fn: () =>
    withFleet(async (a, b) => {
      const alice = await PeerProcess.start(a.port);
      const bob = await PeerProcess.start(b.port);
      try {
        const data = await writeRandomFile(`${alice.dir}/movie.bin`, 3 * 1024 * 1024 + 17);
        await alice.login("alice", "alice-pw");
        await bob.login("bob", "bob-pw");
        await alice.run("pub movie.bin", "File published successfully");
        // Sessions and publications reach the other tracker in the background: within moments.
        const deadline = Date.now() + 5_000;
        let peers = "";
        while (!/alice/.test(peers) && Date.now() < deadline) {
          peers = await bob.run("lap", /active peer|No active peers/);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.match(peers, /1 active peer:\nalice\n/);
        assert.match(await alice.run("lap", "bob\n"), /1 active peer:\nbob\n/);
        assert.match(await bob.run("sch movie", "movie.bin\n"), /1 file found:\nmovie.bin\n/);
        await bob.run("get movie.bin", "movie.bin downloaded successfully", 30_000);
        assert.ok(sameBytes(await Deno.readFile(`${bob.dir}/movie.bin`), data));
      } finally {
        await alice.stop();
        await bob.stop();
      }
    }),
});

Deno.test({
  name: named(
    "a user logged in on one tracker of a fleet is refused on another, as on one tracker",
  ),
  ignore,
  fn: () =>
    withFleet(async (a, b) => {
      const probes: UdpProbe[] = [];
      try {
        probes.push(await login(a.port, "alice"));
        probes.push(await login(b.port, "bob"));
        const bob = probes[1];
        await eventually(() => bob.ask("lap"), (answer) => /alice/.test(answer ?? ""));
        const again = new UdpProbe(a.port);
        const elsewhere = new UdpProbe(b.port);
        probes.push(again, elsewhere);
        const onSameTracker = await again.ask("auth alice alice-pw");
        assert.equal(onSameTracker, "ERR");
        assert.equal(await elsewhere.ask("auth alice alice-pw"), onSameTracker);
        // Her session on the first tracker is untouched.
        assert.match((await probes[0].ask("lap")) ?? "", /bob/);
        // A tracker that stops cleanly hands its users back at once, without waiting for a TTL.
        assert.equal((await a.stop())?.code, 0);
        await eventually(() => elsewhere.ask("auth alice alice-pw"), (answer) =>
          answer === "OK", 2_000);
      } finally {
        await Promise.all(probes.map((probe) =>
          probe.close()
        ));
      }
    }),
});

Deno.test({
  name: named(
    "two logins of one user racing on two trackers leave exactly one session in the fleet",
  ),
  ignore,
  fn: () =>
    withFleet(async (a, b) => {
      const probes = [new UdpProbe(a.port), new UdpProbe(b.port)];
      try {
        const answers = await Promise.all(probes.map((probe) => probe.ask("auth alice alice-pw")));
        assert.ok(answers.includes("OK"), `one login at least passes: ${answers}`);
        // The claim in Redis settles the race within a flush or two.
        await new Promise((resolve) => setTimeout(resolve, 500));
        const laps = await Promise.all(probes.map((probe) => probe.ask("lap")));
        const live = laps.filter((answer) => answer !== undefined && answer !== "ERR");
        assert.equal(live.length, 1, `sessions left: ${JSON.stringify(laps)}`);
      } finally {
        await Promise.all(probes.map((probe) => probe.close()));
      }
    }),
});

Deno.test({
  name: named(
    "a killed tracker's sessions expire from the fleet within its TTL, and can log in again",
  ),
  ignore,
  fn: () =>
    withFleet(async (a, b) => {
      const probes: UdpProbe[] = [];
      let beating = true;
      try {
        const alice = await login(a.port, "alice");
        const bob = await login(b.port, "bob");
        probes.push(alice, bob);
        const heartbeats = (async () => {
          while (beating) {
            await alice.send("HBT");
            await bob.send("HBT");
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        })();
        await eventually(() => bob.ask("lap"), (answer) => /alice/.test(answer ?? ""));
        await a.stop("SIGKILL");
        const killed = Date.now();
        const limit = FLEET_DEFAULTS.ttlMs + FLEET_DEFAULTS.heartbeatMs + 1_000;
        await eventually(() => bob.ask("lap"), (answer) => !/alice/.test(answer ?? ""), limit);
        const took = Date.now() - killed;
        await b.program.stdout.waitFor(/Tracker \S+ of the fleet stopped renewing/, 2_000);
        // Her claim went with the tracker: she can log in on the one left.
        const back = await login(b.port, "alice");
        probes.push(back);
        assert.ok(took <= limit, `alice left after ${took} ms`);
        beating = false;
        await heartbeats;
      } finally {
        beating = false;
        await Promise.all(probes.map((probe) => probe.close()));
      }
    }),
});

Deno.test({
  name: named("a tracker refuses to start with one clear line when Redis cannot be reached"),
  ignore,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "peersync-fleet-" });
    try {
      await Deno.writeTextFile(`${dir}/credentials.txt`, USERS);
      const url = `redis://127.0.0.1:${freeTcpPort()}`;
      const result = await runProgram("tracker.ts", [
        "--credentials",
        `${dir}/credentials.txt`,
        "--redis",
        url,
        "0",
      ]);
      assert.equal(result.code, 1);
      const lines = result.stderr.trim().split("\n");
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0], new RegExp(`^peersync-tracker: cannot reach Redis at ${url}: `));
      assert.doesNotMatch(result.stdout, /listening/i);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: named(
    "a tracker that loses Redis keeps serving, says so once, and rejoins when it is back",
  ),
  ignore,
  fn: async () => {
    let redis = await RedisServer.start();
    const tracker = await TrackerProcess.start(USERS, ["--redis", redis.url]);
    const probes: UdpProbe[] = [];
    try {
      const alice = await login(tracker.port, "alice");
      probes.push(alice);
      assert.equal(await alice.ask("pub notes.txt"), "File published successfully");
      await redis.stop("SIGKILL");
      await tracker.program.stdout.waitFor(/Redis at \S+ lost \(.*\): serving from memory/);
      // Served from memory meanwhile: what it had, and changes made now.
      for (let i = 0; i < 3; i++) {
        await alice.send("HBT");
        assert.equal(await alice.ask("pub during.txt"), "File published successfully");
        assert.match((await alice.ask("lpf")) ?? "", /during\.txt[\s\S]*notes\.txt|notes\.txt/);
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
      const lost = tracker.program.stdout.text.match(/Redis at \S+ lost/g) ?? [];
      assert.equal(lost.length, 1, tracker.program.stdout.text);
      assert.doesNotMatch(tracker.program.stdout.text, /Publications not yet saved|sync .* failed/);
      redis = await RedisServer.start(redis.port);
      await tracker.program.stdout.waitFor(/Redis at \S+ is back: rejoining the fleet/, 10_000);
      // The change made while Redis was away reaches it.
      await eventually(
        () => redisCommand(redis.port, "HEXISTS peersync:pub:alice during.txt"),
        (answer) => answer === ":1",
        10_000,
      );
      // Redis came back empty (no persistence): what the tracker held from before is written
      // back too, so a later tracker start still finds it.
      await tracker.program.stdout.waitFor(/came back without the fleet's data/, 2_000);
      await eventually(
        () => redisCommand(redis.port, "HEXISTS peersync:pub:alice notes.txt"),
        (answer) => answer === ":1",
        2_000,
      );
      // A Redis restarted empty no longer lists this tracker: expected after a reconnection,
      // not mistaken for the others having declared it dead.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.doesNotMatch(tracker.program.stdout.text, /key in Redis expired/);
    } finally {
      await Promise.all(probes.map((probe) => probe.close()));
      await tracker.stop("SIGKILL");
      await redis.stop();
    }
  },
});

/** Sends one inline command to Redis and returns the first line of its reply. */
async function redisCommand(port: number, command: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(`${command}\r\n`));
    const buffer = new Uint8Array(256);
    const read = await conn.read(buffer);
    return new TextDecoder().decode(buffer.subarray(0, read ?? 0)).split("\r\n")[0];
  } finally {
    conn.close();
  }
}

Deno.test("--redis takes a redis:// URL and no --db: anything else is a usage error", async () => {
  for (
    const [args, expected] of [
      [
        ["--redis", "localhost:6379"],
        /invalid --redis "localhost:6379": expected redis:\/\/host:port/,
      ],
      [["--redis", "redis://127.0.0.1:1", "--db", "x.db"], /--db cannot be used with --redis/],
    ] as const
  ) {
    const result = await runProgram("tracker.ts", [...args, "0"]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, expected);
  }
});
