/**
 * The peer under attack, against the real tracker and real peer processes on loopback: hostile
 * text never reaches the terminal raw, forged tracker replies are ignored, and no stray `ERR`
 * downgrades or kills the peer.
 */

import assert from "node:assert/strict";
import { loginV2, V2Client } from "../lib/peer/control/mod.ts";
import { startFakeTracker } from "../lib/peer/control/testing/fake_v1_tracker.ts";
import { runProgram, TrackerProcess } from "./support/programs.ts";
import { PeerProcess } from "./support/peers.ts";
import { readRequestLine, sha256, StandIn, writeAll } from "./support/transfer_fixtures.ts";

const encoder = new TextEncoder();
/** What must never reach a terminal from the network (tab and newline are the peer's own). */
// deno-lint-ignore no-control-regex
const UNSAFE_OUTPUT = new RegExp(
  "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]",
);

/** A user logged in over the raw v2 protocol, publishing whatever a test makes it publish. */
async function rawUser(
  tracker: TrackerProcess,
  user: string,
  tcpPort: number,
): Promise<V2Client> {
  const client = new V2Client({
    trackerHost: "127.0.0.1",
    trackerPort: tracker.port,
    bindHostname: "127.0.0.1",
    deadlineMs: 3000,
  });
  try {
    await loginV2(client, user, `${user}-pw`);
    const registered = await client.request({ verb: "TCP", host: "127.0.0.1", port: tcpPort });
    assert.deepEqual(registered, { status: "OK" });
    return client;
  } catch (error) {
    await client.close();
    throw error;
  }
}

Deno.test("an uploader's escape sequences and bidi overrides never reach the downloader's output", async () => {
  const hostile = "\x1b]0;pwned\x07 \u202e\x9b2J \x1b[31mred";
  const uploader = new StandIn(async (conn) => {
    await readRequestLine(conn);
    await writeAll(conn, encoder.encode(`PS2 ERR notfound ${hostile}\n`));
  });
  const tracker = await TrackerProcess.start();
  let bob: V2Client | undefined;
  let alice: PeerProcess | undefined;
  try {
    bob = await rawUser(tracker, "bob", uploader.port);
    const published = await bob.request({
      verb: "PUB",
      file: "report.pdf",
      size: 5,
      sha256: sha256(encoder.encode("hello")),
    });
    assert.deepEqual(published, { status: "OK" });
    alice = await PeerProcess.start(tracker.port);
    await alice.login("alice", "alice-pw");
    const output = await alice.run("get report.pdf", /Download failed|failed/);
    assert.match(output, /notfound/);
    assert.match(output, /pwned/);
    const everything = alice.program.stdout.text + alice.program.stderr.text;
    assert.ok(!UNSAFE_OUTPUT.test(everything), everything);
  } finally {
    await alice?.stop();
    await bob?.close();
    await uploader.close();
    await tracker.stop();
  }
});

/** The UDP ports process `pid` has bound on 127.0.0.1 (Linux: /proc). */
async function udpPortsOf(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for await (const entry of Deno.readDir(`/proc/${pid}/fd`)) {
    try {
      const link = await Deno.readLink(`/proc/${pid}/fd/${entry.name}`);
      const match = /^socket:\[(\d+)\]$/.exec(link);
      if (match) inodes.add(match[1]);
    } catch {
      // Closed meanwhile.
    }
  }
  const ports: number[] = [];
  for (const line of (await Deno.readTextFile("/proc/net/udp")).split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || !inodes.has(fields[9])) continue;
    const [ip, port] = fields[1].split(":");
    if (ip === "0100007F") ports.push(parseInt(port, 16));
  }
  return ports;
}

Deno.test("replies from another IP with the tracker's port are ignored: no exit, no downgrade, no forged holder", async () => {
  const tracker = await TrackerProcess.start();
  let forgedConnections = 0;
  const forgedUploader = Deno.listen({ hostname: "127.0.0.2", port: 0 });
  const forgedServing = (async () => {
    for await (const conn of forgedUploader) {
      forgedConnections++;
      conn.close();
    }
  })();
  const spoofer = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.2",
    port: tracker.port,
  });
  const content = encoder.encode("the honest bytes\n");
  let bob: PeerProcess | undefined;
  let alice: PeerProcess | undefined;
  let spraying = true;
  let sprayed = 0;
  try {
    bob = await PeerProcess.start(tracker.port);
    await bob.login("bob", "bob-pw");
    await Deno.writeFile(`${bob.dir}/song.mp3`, content);
    await bob.run("pub song.mp3", "File published successfully");
    alice = await PeerProcess.start(tracker.port);
    const forgedPort = (forgedUploader.addr as Deno.NetAddr).port;
    const forged = (id: number) =>
      encoder.encode(
        `PS2 ${id} HOLDERS 1 0 mallory,127.0.0.2,${forgedPort},5,${
          sha256(encoder.encode("evil!"))
        }`,
      );
    const pid = alice.program.pid;
    const spray = (async () => {
      while (spraying) {
        for (const port of await udpPortsOf(pid).catch(() => [])) {
          const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
          sprayed++;
          await spoofer.send(encoder.encode("ERR"), to).catch(() => 0);
          await spoofer.send(encoder.encode("PS2 1 ERR locked"), to).catch(() => 0);
          for (let id = 1; id <= 200; id++) await spoofer.send(forged(id), to).catch(() => 0);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      await alice.login("alice", "alice-pw");
      // Forged replies have reached the logged-in peer for a while before it asks anything.
      while (sprayed < 10) await new Promise((resolve) => setTimeout(resolve, 20));
      const output = await alice.run("get song.mp3", /SHA-256 verified.*\n|failed|verifiable/);
      assert.match(output, /song\.mp3 downloaded successfully/);
      assert.match(output, /SHA-256 verified/);
      await alice.run("lap", "1 active peer:\nbob\n");
    } finally {
      spraying = false;
      await spray;
    }
    assert.deepEqual(await Deno.readFile(`${alice.dir}/song.mp3`), content);
    assert.ok(sprayed >= 10, `the forger reached the peer's port (${sprayed} rounds)`);
    assert.equal(forgedConnections, 0);
    assert.ok(!/v1|falling back/.test(alice.program.stderr.text), alice.program.stderr.text);
  } finally {
    spoofer.close();
    forgedUploader.close();
    await forgedServing;
    await alice?.stop();
    await bob?.stop();
    await tracker.stop();
  }
});

Deno.test("a tracker remembered as speaking v2 that now answers only v1 is refused, exit 1", async () => {
  const tracker = startFakeTracker(() => "OK");
  const stateDir = await Deno.makeTempDir({ prefix: "peersync-state-" });
  const share = await Deno.makeTempDir({ prefix: "peersync-share-" });
  try {
    await Deno.writeTextFile(
      `${stateDir}/trackers.json`,
      JSON.stringify({ version: 1, v2: [`127.0.0.1:${tracker.port}`] }),
    );
    const outcome = await runProgram(
      "peer.ts",
      ["--state-dir", stateDir, "--dir", share, String(tracker.port)],
      { stdin: "alice\nalice-pw\n" },
    );
    assert.equal(outcome.code, 1);
    assert.equal(
      outcome.stderr,
      `peersync-peer: the tracker at 127.0.0.1:${tracker.port} spoke PeerSync v2 before; ` +
        `refusing to fall back to v1 (password would cross in clear). If the tracker was ` +
        `really downgraded, remove ${stateDir}/trackers.json.\n`,
    );
    assert.deepEqual(tracker.received, [], "no v1 auth was sent");
  } finally {
    await tracker.close();
    await Deno.remove(stateDir, { recursive: true });
    await Deno.remove(share, { recursive: true });
  }
});

Deno.test("a peer that logged in over v2 remembers the tracker in its state folder", async () => {
  const tracker = await TrackerProcess.start();
  const stateDir = await Deno.makeTempDir({ prefix: "peersync-state-" });
  const alice = await PeerProcess.start(tracker.port, ["--state-dir", stateDir]);
  try {
    await alice.login("alice", "alice-pw");
    const record = JSON.parse(await Deno.readTextFile(`${stateDir}/trackers.json`));
    assert.deepEqual(record, { version: 1, v2: [`127.0.0.1:${tracker.port}`] });
  } finally {
    await alice.stop();
    await tracker.stop();
    await Deno.remove(stateDir, { recursive: true });
  }
});
