/**
 * The peer under attack, against the real tracker and real peer processes on loopback: hostile
 * text never reaches the terminal raw, forged tracker replies are ignored, and no stray `ERR`
 * downgrades or kills the peer.
 */

import assert from "node:assert/strict";
import { loginV2, V2Client } from "../lib/peer/control/mod.ts";
import { TrackerProcess } from "./support/programs.ts";
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
