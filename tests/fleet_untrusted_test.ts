/**
 * Everything a tracker reads from Redis is untrusted: keys under `peersync:` that another program
 * (or a hand at `redis-cli`) wrote with the wrong type, invalid users, names or addresses, and
 * messages on the fleet's channels. None of it may stop a tracker from starting, flood its log, or
 * reach a peer.
 */

import assert from "node:assert/strict";
import { TrackerProcess } from "./support/programs.ts";
import { haveRedisServer, RedisServer } from "./support/redis_server.ts";
import { UdpProbe } from "./support/udp_probe.ts";

// In CI a missing redis-server is a failure, not a skip.
const ignore = !haveRedisServer() && Deno.env.get("CI") !== "true";

const USERS = "alice alice-pw\nbob bob-pw\ncarol carol-pw\ndave dave-pw\n";
const DIGEST = "ab".repeat(32);

/** Sends one command (RESP, so any bytes go) and returns the first line of the reply. */
async function redis(port: number, ...args: string[]): Promise<string> {
  const encoder = new TextEncoder();
  const parts = args.map((arg) => encoder.encode(arg));
  let text = `*${parts.length}\r\n`;
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    chunks.push(encoder.encode(`${text}$${part.length}\r\n`), part);
    text = "\r\n";
  }
  chunks.push(encoder.encode("\r\n"));
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    for (const chunk of chunks) await conn.write(chunk);
    const buffer = new Uint8Array(512);
    const read = await conn.read(buffer);
    return new TextDecoder().decode(buffer.subarray(0, read ?? 0)).split("\r\n")[0];
  } finally {
    conn.close();
  }
}

function session(user: string, hostname: string, port: number, extra: object = {}): string {
  return JSON.stringify({ user, address: { hostname, port }, version: 1, ...extra });
}

Deno.test({
  name: "a fleet tracker starts past foreign keys and garbage in Redis and serves none of it" +
    (ignore ? " (skipped: redis-server is not installed)" : ""),
  ignore,
  fn: async () => {
    const server = await RedisServer.start();
    const port = server.port;
    let tracker: TrackerProcess | undefined;
    const probes: UdpProbe[] = [];
    try {
      // Before start: a key of another type, invalid names beside valid ones, and a "tracker"
      // whose session table holds records no peer could have made.
      await redis(port, "SADD", "peersync:publishers", "alice", "bob", "carol", "x y");
      await redis(
        port,
        "HSET",
        "peersync:pub:alice",
        "good.txt",
        "",
        "v2 file.bin",
        `5 ${DIGEST}`,
        "",
        "",
        "line\nbreak",
        "",
        "../escape",
        "",
        "n".repeat(300),
        "",
      );
      await redis(port, "SET", "peersync:pub:bob", "not a hash");
      await redis(port, "HSET", "peersync:pub:carol", "c.txt", "");
      await redis(port, "SADD", "peersync:trackers", "evil", "odd");
      await redis(port, "SET", "peersync:alive:evil", "1", "EX", "100");
      await redis(port, "SET", "peersync:alive:odd", "1", "EX", "100");
      await redis(port, "SET", "peersync:sessions:odd", "not a hash");
      await redis(
        port,
        "HSET",
        "peersync:sessions:evil",
        "carol",
        session("carol", "1.2.3.4, 5", 99999, { download: { hostname: "x y", port: -1 } }),
        "mal lory",
        session("mal lory", "1.2.3.4", 5),
        "dave",
        session("dave", "10.0.0.9", 4000, { download: { hostname: "10.0.0.9", port: 70000 } }),
        "bob",
        "{garbage",
      );

      tracker = await TrackerProcess.start(USERS, ["--redis", server.url]);
      await tracker.program.stdout.waitFor(/Ignored 6 entries under peersync:pub:\*/, 2_000);
      const alice = new UdpProbe(tracker.port);
      probes.push(alice);
      assert.equal(await alice.ask("auth alice alice-pw"), "OK");
      assert.equal(await alice.ask("lpf"), "good.txt");
      assert.equal(await alice.ask("lap"), "No active peers");

      // While it runs: garbage on both channels, and an honest record among them.
      await redis(
        port,
        "PUBLISH",
        "peersync:feed:publications",
        JSON.stringify({
          from: "evil",
          users: [
            ["alice", false, [["", ""], ["a\tb", ""], ["fine.txt", ""]]],
            ["not,a,user", false, [["x.txt", ""]]],
            ["zed", false, [["z.txt", ""]]],
          ],
        }),
      );
      await redis(
        port,
        "PUBLISH",
        "peersync:feed:sessions",
        JSON.stringify({
          from: "evil",
          up: [
            JSON.parse(session("bob", "10.0.0.8", 4001, { tls: { port: 0, fingerprint: "zz" } })),
          ],
          down: [],
        }),
      );
      await redis(
        port,
        "PUBLISH",
        "peersync:feed:sessions",
        JSON.stringify({
          from: "evil",
          up: [
            JSON.parse(
              session("carol", "10.0.0.7", 4002, {
                download: { hostname: "10.0.0.7", port: 4003 },
              }),
            ),
          ],
          down: [],
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await alice.ask("lpf"), "fine.txt, good.txt");
      assert.equal(await alice.ask("lap"), "carol");
      assert.equal(await alice.ask("get c.txt"), "carol 10.0.0.7 4003");
      // A foreign key in the way of every heartbeat is reported, not once a second.
      await redis(port, "DEL", "peersync:trackers");
      await redis(port, "SET", "peersync:trackers", "not a set");
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      assert.equal(await alice.ask("lpf"), "fine.txt, good.txt");
      const failures = tracker.program.stdout.text.match(/Fleet sync with Redis failed/g) ?? [];
      assert.ok(failures.length <= 1, tracker.program.stdout.text);
    } finally {
      await Promise.all(probes.map((probe) => probe.close()));
      await tracker?.stop("SIGKILL");
      await server.stop();
    }
  },
});
