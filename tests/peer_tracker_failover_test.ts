/**
 * A peer given several trackers (`--tracker` repeated), against real tracker processes on
 * loopback, each with its own store and the same credentials: it logs in on the first that
 * answers, and when the one in use is killed it moves to the next, publishes there again, and a
 * command typed meanwhile is answered there instead of failing.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Program, runProgram, TrackerProcess } from "./support/programs.ts";
import { sameBytes, writeRandomFile } from "./support/peers.ts";
import { TrackerPair } from "./support/tracker_pair.ts";

const MEMORY = ["--store", "memory"];
const PREFIX = "peersync-failover-";

/**
 * A loopback UDP port held by a socket that never answers: a tracker that is down. Held, not
 * bound and closed: a closed port could be taken meanwhile by another test's tracker running in
 * parallel, which then answered this test's login (seen once in CI: "alice is already logged in
 * elsewhere" from someone else's tracker).
 */
function silentPort(): { readonly port: number; close(): void } {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  return { port: (socket.addr as Deno.NetAddr).port, close: () => socket.close() };
}

const at = (port: number) => `127.0.0.1:${port}`;

/** A one-shot run as `user` against the trackers on `ports`, in that order. */
function oneShot(dir: string, user: string, ports: readonly number[], command: string[]) {
  return runProgram("peer.ts", [
    "-d",
    dir,
    "-u",
    user,
    "--timeout",
    "1000",
    ...ports.flatMap((port) => ["-t", at(port)]),
    ...command,
  ], { env: { PEERSYNC_PASSWORD: `${user}-pw` } });
}

Deno.test("a peer moves to the second tracker when the first is killed, and is found and downloaded from there", async () => {
  const pair = await TrackerPair.start({ args: MEMORY, folders: ["alice", "bob"], prefix: PREFIX });
  const { first, second, dirs: [aliceDir, bobDir] } = pair;
  const alice = new Program("peer.ts", [
    "--dir",
    aliceDir,
    "-t",
    at(first.port),
    "--tracker",
    at(second.port),
  ]);
  try {
    const data = await writeRandomFile(join(aliceDir, "report.bin"), 300_000);
    await alice.type("alice");
    await alice.type("alice-pw");
    await alice.stdout.waitFor("Welcome to PeerSync!");
    let from = alice.stdout.text.length;
    await alice.type("pub report.bin");
    await alice.stdout.waitFor("File published successfully", 10_000, from);
    // Logged in on the first: it finds her file; the second has never heard of her.
    const onFirst = await oneShot(bobDir, "bob", [first.port], ["sch", "report"]);
    assert.equal(onFirst.code, 0, onFirst.stderr);
    assert.match(onFirst.stdout, /report\.bin/);
    const onSecond = await oneShot(bobDir, "bob", [second.port], ["sch", "report"]);
    assert.equal(onSecond.code, 0, onSecond.stderr);
    assert.match(onSecond.stdout, /No files found/);

    await first.stop("SIGKILL");
    const killed = performance.now();
    // Typed while the first is already dead: answered by the second, not "Tracker not responding".
    from = alice.stdout.text.length;
    await alice.type("lap");
    await alice.stderr.waitFor(
      `Tracker ${at(first.port)} stopped answering; now using ${at(second.port)}`,
      15_000,
    );
    const movedMs = performance.now() - killed;
    assert.ok(movedMs < 10_000, `moved after ${Math.round(movedMs)} ms`);
    // lap leaves out the asker: only she is logged in on the second.
    await alice.stdout.waitFor(/No active peers|Tracker not responding/, 10_000, from);
    assert.doesNotMatch(alice.stdout.text.slice(from), /Tracker not responding/);
    assert.equal(alice.stderr.text.match(/stopped answering/g)?.length, 1, "said once");

    const found = await oneShot(bobDir, "bob", [second.port], ["sch", "report"]);
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, /report\.bin/);
    const got = await oneShot(bobDir, "bob", [second.port], ["get", "report.bin"]);
    assert.equal(got.code, 0, got.stderr);
    assert.ok(sameBytes(await Deno.readFile(join(bobDir, "report.bin")), data));
    from = alice.stdout.text.length;
    await alice.type("lpf");
    await alice.stdout.waitFor(/report\.bin/, 10_000, from);
    console.log(`moved to the second tracker ${Math.round(movedMs)} ms after the first was killed`);
  } finally {
    await alice.stop();
    await pair.stop();
  }
});

Deno.test("a peer given a dead first tracker logs in on the second, and fails clearly when both are dead", async () => {
  const live = await TrackerProcess.start(undefined, MEMORY);
  const dir = await Deno.makeTempDir({ prefix: PREFIX });
  const silent = [silentPort(), silentPort()];
  const [dead, other] = silent.map((held) => held.port);
  try {
    const run = await oneShot(dir, "alice", [dead, live.port], ["lap"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "No active peers\n");
    assert.match(
      run.stderr,
      new RegExp(`Tracker at 127\\.0\\.0\\.1:${dead} is not responding; trying 127\\.0\\.0\\.1:`),
    );

    const none = await oneShot(dir, "alice", [dead, other], ["lap"]);
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      new RegExp(`Tracker at 127\\.0\\.0\\.1:${other} is not responding\n`),
    );
  } finally {
    for (const held of silent) held.close();
    await live.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the same tracker given twice is a usage error", async () => {
  const run = await runProgram("peer.ts", ["-t", "127.0.0.1:4000", "-t", "127.0.0.1:4000"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /tracker 127\.0\.0\.1:4000 is given twice/);
});

Deno.test("a seeding peer given two trackers publishes its folder on the second when the first is killed", async () => {
  const pair = await TrackerPair.start({ args: MEMORY, folders: ["seed", "bob"], prefix: PREFIX });
  const { first, second, dirs: [seedDir, bobDir] } = pair;
  await Deno.writeTextFile(join(seedDir, "notes.txt"), "seeded through a failover\n");
  const seeder = new Program(
    "peer.ts",
    ["-u", "alice", "-t", at(first.port), "-t", at(second.port), "seed", seedDir],
    { env: { PEERSYNC_PASSWORD: "alice-pw" } },
  );
  try {
    await seeder.stderr.waitFor("serving 1 file from");
    await first.stop("SIGKILL");
    await seeder.stderr.waitFor(
      `Tracker ${at(first.port)} stopped answering; now using ${at(second.port)}`,
      15_000,
    );
    const got = await oneShot(bobDir, "bob", [second.port], ["get", "notes.txt"]);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(
      await Deno.readTextFile(join(bobDir, "notes.txt")),
      "seeded through a failover\n",
    );
  } finally {
    await seeder.stop();
    await pair.stop();
  }
});

Deno.test("a peer whose tracker drops its user moves to the second tracker and publishes there", async () => {
  const pair = await TrackerPair.start({ args: MEMORY, folders: ["alice", "bob"], prefix: PREFIX });
  const { first, second, dirs: [aliceDir, bobDir] } = pair;
  await Deno.writeTextFile(join(aliceDir, "plan.txt"), "still here\n");
  const alice = new Program("peer.ts", [
    "--dir",
    aliceDir,
    "-t",
    at(first.port),
    "-t",
    at(second.port),
  ]);
  try {
    await alice.type("alice");
    await alice.type("alice-pw");
    await alice.stdout.waitFor("Welcome to PeerSync!");
    await alice.type("pub plan.txt");
    await alice.stdout.waitFor("File published successfully");
    // The first tracker drops alice: her session is gone there and her login is refused.
    await Deno.writeTextFile(join(first.dir, "credentials.txt"), "bob bob-pw\n");
    first.program.kill("SIGHUP");
    await alice.stderr.waitFor(
      `Tracker ${at(first.port)} lost this session and refused a new login; ` +
        `now using ${at(second.port)}`,
      15_000,
    );
    const found = await oneShot(bobDir, "bob", [second.port], ["sch", "plan"]);
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, /plan\.txt/);
  } finally {
    await alice.stop();
    await pair.stop();
  }
});
