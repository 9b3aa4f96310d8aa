/**
 * One tracker of a fleet cut off from Redis while the others keep it. Without its connection
 * dropping (a network partition, a stalled link) for longer than its key's TTL, it is declared
 * dead by the others, which drop its sessions and clear them from Redis; the tracker itself lives
 * on, and its peers keep beating it: once the link moves again it must put its sessions back, or
 * the rest of the fleet never sees those peers again. With its connection lost, it misses what
 * the others announce meanwhile, and must catch up on withdrawals too when it is back.
 */

import assert from "node:assert/strict";
import { FLEET_DEFAULTS } from "../lib/tracker/fleet/mod.ts";
import { TrackerProcess } from "./support/programs.ts";
import { haveRedisServer, RedisServer } from "./support/redis_server.ts";
import { FreezableRelay } from "./support/tcp_relay.ts";
import { UdpProbe } from "./support/udp_probe.ts";
import { eventually } from "./support/eventually.ts";

// In CI a missing redis-server is a failure, not a skip.
const ignore = !haveRedisServer() && Deno.env.get("CI") !== "true";

const USERS = "alice alice-pw\nbob bob-pw\n";

Deno.test({
  name: "a fleet tracker declared dead during a partition from Redis puts its sessions back" +
    (ignore ? " (skipped: redis-server is not installed)" : ""),
  ignore,
  fn: async () => {
    const redis = await RedisServer.start();
    const relay = new FreezableRelay(redis.port);
    const trackers: TrackerProcess[] = [];
    const probes: UdpProbe[] = [];
    let beating = true;
    let heartbeats: Promise<void> = Promise.resolve();
    try {
      const cut = await TrackerProcess.start(USERS, ["--redis", `redis://127.0.0.1:${relay.port}`]);
      trackers.push(cut);
      const other = await TrackerProcess.start(USERS, ["--redis", redis.url]);
      trackers.push(other);
      const alice = new UdpProbe(cut.port);
      const bob = new UdpProbe(other.port);
      probes.push(alice, bob);
      assert.equal(await alice.ask("auth alice alice-pw"), "OK");
      assert.equal(await bob.ask("auth bob bob-pw"), "OK");
      heartbeats = (async () => {
        while (beating) {
          await alice.send("HBT");
          await bob.send("HBT");
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      })();
      await eventually(() => bob.ask("lap"), (answer) => answer === "alice", 3_000);

      relay.freeze();
      await other.program.stdout.waitFor(
        /Tracker \S+ of the fleet stopped renewing/,
        FLEET_DEFAULTS.ttlMs + FLEET_DEFAULTS.heartbeatMs + 2_000,
      );
      await eventually(() => bob.ask("lap"), (answer) => answer === "No active peers", 2_000);
      relay.thaw();
      const thawed = Date.now();

      // Alice never left her tracker: the fleet lists her again, and still refuses her twice.
      await eventually(() => bob.ask("lap"), (answer) => answer === "alice", 4_000);
      const back = Date.now() - thawed;
      const again = new UdpProbe(other.port);
      probes.push(again);
      assert.equal(await again.ask("auth alice alice-pw"), "ERR");
      assert.ok(back < 4_000, `listed again ${back} ms after the link moved`);
      await cut.program.stdout.waitFor(/dropped this tracker's sessions/, 1_000);
    } finally {
      beating = false;
      await heartbeats;
      await Promise.all(probes.map((probe) => probe.close()));
      for (const tracker of trackers) await tracker.stop("SIGKILL");
      await relay.close();
      await redis.stop();
    }
  },
});

Deno.test({
  name: "a fleet tracker back from losing Redis drops what another withdrew while it was away" +
    (ignore ? " (skipped: redis-server is not installed)" : ""),
  ignore,
  fn: async () => {
    const redis = await RedisServer.start();
    const relay = new FreezableRelay(redis.port);
    const trackers: TrackerProcess[] = [];
    const probes: UdpProbe[] = [];
    try {
      const kept = await TrackerProcess.start(USERS, ["--redis", redis.url]);
      trackers.push(kept);
      const cut = await TrackerProcess.start(USERS, ["--redis", `redis://127.0.0.1:${relay.port}`]);
      trackers.push(cut);
      const alice = new UdpProbe(kept.port);
      const bob = new UdpProbe(cut.port);
      probes.push(alice, bob);
      assert.equal(await alice.ask("auth alice alice-pw"), "OK");
      await alice.send(`TCP 127.0.0.1 ${alice.port}`);
      assert.equal(await bob.ask("auth bob bob-pw"), "OK");
      assert.equal(await alice.ask("pub a0.txt"), "File published successfully");
      assert.equal(await alice.ask("pub a1.txt"), "File published successfully");
      await eventually(() => bob.ask("sch a"), (answer) => answer === "a0.txt, a1.txt", 3_000);

      relay.cut();
      await cut.program.stdout.waitFor(/Redis at \S+ lost/, 3_000);
      assert.equal(await alice.ask("unp a0.txt"), "File unpublished successfully");
      await new Promise((resolve) => setTimeout(resolve, 300));
      relay.mend();
      await cut.program.stdout.waitFor(/Redis at \S+ is back/, 5_000);
      await alice.send("HBT");
      await bob.send("HBT");
      await eventually(() => bob.ask("sch a"), (answer) => answer === "a1.txt", 2_000);
      assert.equal(await bob.ask("get a0.txt"), "File not found");
    } finally {
      await Promise.all(probes.map((probe) => probe.close()));
      for (const tracker of trackers) await tracker.stop("SIGKILL");
      await relay.close();
      await redis.stop();
    }
  },
});
