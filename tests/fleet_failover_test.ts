/**
 * A fleet and a peer given both of its trackers (`--tracker` twice): when the tracker the peer
 * uses is killed, the peer moves to the other, where its session from the dead tracker is still
 * held for the fleet's TTL; it keeps working there, and is found and downloaded from by a peer
 * of the surviving tracker.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Program, runProgram } from "./support/programs.ts";
import { sameBytes, writeRandomFile } from "./support/peers.ts";
import { haveRedisServer, RedisServer } from "./support/redis_server.ts";
import { TrackerPair } from "./support/tracker_pair.ts";

const at = (port: number) => `127.0.0.1:${port}`;

// In CI a missing redis-server is a failure, not a skip.
const ignore = !haveRedisServer() && Deno.env.get("CI") !== "true";

Deno.test({
  name: "a peer given both trackers of a fleet keeps working when the one it uses is killed" +
    (ignore ? " (skipped: redis-server is not installed)" : ""),
  ignore,
  fn: async () => {
    const redis = await RedisServer.start();
    const pair = await TrackerPair.start({
      args: ["--redis", redis.url],
      folders: ["alice", "bob"],
      prefix: "peersync-fleet-failover-",
    });
    const { first, second, dirs: [aliceDir, bobDir] } = pair;
    const alice = new Program("peer.ts", [
      "--dir",
      aliceDir,
      "-t",
      at(first.port),
      "-t",
      at(second.port),
    ]);
    const bobRun = (command: string[]) =>
      runProgram("peer.ts", ["-d", bobDir, "-u", "bob", "-t", at(second.port), ...command], {
        env: { PEERSYNC_PASSWORD: "bob-pw" },
      });
    try {
      const data = await writeRandomFile(join(aliceDir, "report.bin"), 300_000);
      await alice.type("alice");
      await alice.type("alice-pw");
      await alice.stdout.waitFor("Welcome to PeerSync!");
      const published = alice.stdout.text.length;
      await alice.type("pub report.bin");
      await alice.stdout.waitFor("File published successfully", 10_000, published);
      // Logged in on the first tracker: found through the second, the same fleet.
      let found = "";
      for (let i = 0; i < 20 && !/report\.bin/.test(found); i++) {
        found = (await bobRun(["sch", "report"])).stdout;
      }
      assert.match(found, /report\.bin/);

      await first.stop("SIGKILL");
      const killed = performance.now();
      await alice.stderr.waitFor(`now using ${at(second.port)}`, 20_000);
      // Her old session leaves the fleet within its TTL; then she is served by the second.
      let got = { code: -1, stdout: "", stderr: "" };
      while (performance.now() - killed < 25_000) {
        got = await bobRun(["get", "report.bin"]);
        if (got.code === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.equal(got.code, 0, got.stdout + got.stderr + alice.stderr.text);
      assert.ok(sameBytes(await Deno.readFile(join(bobDir, "report.bin")), data));
      const from = alice.stdout.text.length;
      await alice.type("lpf");
      await alice.stdout.waitFor(/report\.bin/, 10_000, from);
      console.log(
        `served through the second tracker ${
          Math.round(performance.now() - killed)
        } ms after the kill`,
      );
    } finally {
      await alice.stop();
      await pair.stop();
      await redis.stop();
    }
  },
});
