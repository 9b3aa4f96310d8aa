/**
 * The whole system as users see it: a real tracker and three real peers on loopback, scripted
 * through their standard input, transferring real files.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { TrackerProcess } from "./support/programs.ts";
import { PeerProcess, sameBytes, writeRandomFile } from "./support/peers.ts";

const MiB = 1024 * 1024;

Deno.test("three peers log in, publish, search, download, unpublish and expire", async () => {
  // 3 s is also the default v2 session timeout; named here because the test waits for an expiry.
  const tracker = await TrackerProcess.start(undefined, ["--session-timeout", "3000"]);
  const alice = await PeerProcess.start(tracker.port);
  const bob = await PeerProcess.start(tracker.port);
  const carol = await PeerProcess.start(tracker.port);
  try {
    await alice.login("alice", "not-her-password", "Authentication failed. Please try again.");
    await alice.login("alice", "alice-pw");
    await alice.program.stdout.waitFor(
      "Available commands are: get, lap, lpf, pub, sch, unp, xit.",
    );
    await bob.login("bob", "bob-pw");
    // The password is right, but alice is logged in: said as such, not as a wrong password.
    // The contract's own line still follows, so scripts that wait for it keep working.
    await carol.login(
      "alice",
      "alice-pw",
      /alice is already logged in elsewhere; close that peer or wait \d+ s\nAuthentication failed\. Please try again\./,
    );
    await carol.login("carol", "carol-pw");
    await tracker.program.stdout.waitFor("Received TCP from carol; sent OK");

    assert.match(await alice.run("lap", "carol\n"), /2 active peers:\nbob\ncarol\n/);

    const movie = await writeRandomFile(`${alice.dir}/movie.bin`, 5 * MiB + 123);
    await alice.run("pub movie.bin", "File published successfully");
    assert.match(await alice.run("lpf", "movie.bin\n"), /1 file published:\nmovie.bin\n/);
    assert.match(await bob.run("lpf", "No files published"), /No files published/);

    assert.match(await bob.run("sch movie", "movie.bin\n"), /1 file found:\nmovie.bin\n/);
    assert.match(await alice.run("sch movie", "No files found"), /No files found/);
    await bob.run("get movie.bin", "movie.bin downloaded successfully");
    assert.ok(sameBytes(await Deno.readFile(`${bob.dir}/movie.bin`), movie));
    assert.match(await bob.run("get nothing.bin", "File not found"), /File not found/);

    // Two downloads from one uploader at once.
    const big = await writeRandomFile(`${alice.dir}/big.bin`, 24 * MiB);
    await alice.run("pub big.bin", "File published successfully");
    await Promise.all([
      bob.run("get big.bin", "big.bin downloaded successfully", 30_000),
      carol.run("get big.bin", "big.bin downloaded successfully", 30_000),
    ]);
    assert.ok(sameBytes(await Deno.readFile(`${bob.dir}/big.bin`), big));
    assert.ok(sameBytes(await Deno.readFile(`${carol.dir}/big.bin`), big));
    // Nothing but the finished files is left in the share folders (and the digest cache, which
    // a downloader writes a moment after it learned the digests: under load, before this look).
    for (const peer of [bob, carol]) {
      const names = [...Deno.readDirSync(peer.dir)].map((entry) => entry.name)
        .filter((name) => name !== ".peersync-digests.json").sort();
      assert.deepEqual(names, peer === bob ? ["big.bin", "movie.bin"] : ["big.bin"]);
    }

    await alice.run("unp movie.bin", "File unpublished successfully");
    await alice.run("unp movie.bin", "File unpublication failed");
    assert.match(await bob.run("sch movie", "No files found"), /No files found/);

    // A killed peer expires within ~3 s and disappears from lap, sch and get.
    await writeRandomFile(`${carol.dir}/carol.txt`, 10);
    await carol.run("pub carol.txt", "File published successfully");
    assert.match(await alice.run("sch carol", "carol.txt\n"), /1 file found:\ncarol\.txt\n/);
    carol.program.kill("SIGKILL");
    await tracker.program.stdout.waitFor("Session of carol expired", 5000);
    assert.match(await alice.run("lap", "1 active peer:\nbob\n"), /1 active peer:\nbob\n/);
    assert.match(await alice.run("sch carol", "No files found"), /No files found/);
    assert.match(
      await alice.run("get carol.txt", "No active peer has this file"),
      /No active peer has this file/,
    );

    await alice.run("xit", "Goodbye!");
    assert.equal((await alice.program.exit()).code, 0);
  } finally {
    await Promise.all([alice.stop(), bob.stop(), carol.stop()]);
    await tracker.stop();
  }
});

Deno.test("a peer keeps the digests it computed in its share folder for its next start", async () => {
  const tracker = await TrackerProcess.start();
  const alice = await PeerProcess.start(tracker.port);
  try {
    await alice.login("alice", "alice-pw");
    const content = await writeRandomFile(`${alice.dir}/a.bin`, 100_000);
    await alice.run("pub a.bin", "File published successfully");
    await alice.run("xit", "Goodbye!");
    assert.equal((await alice.program.exit()).code, 0);
    const stored = JSON.parse(await Deno.readTextFile(`${alice.dir}/.peersync-digests.json`));
    const digest = createHash("sha256").update(content).digest("hex");
    assert.deepEqual(
      stored.entries.map((entry: { name: string; size: number; sha256: string }) => [
        entry.name,
        entry.size,
        entry.sha256,
      ]),
      [["a.bin", 100_000, digest]],
    );
  } finally {
    await alice.stop();
    await tracker.stop();
  }
});

Deno.test("after a tracker restart a peer logs in again by itself, at its next heartbeat, and publishes its files again", async () => {
  let tracker = await TrackerProcess.start();
  const port = tracker.port;
  const alice = await PeerProcess.start(port);
  let bob: PeerProcess | undefined;
  try {
    await alice.login("alice", "alice-pw");
    await writeRandomFile(`${alice.dir}/notes.txt`, 1000);
    await alice.run("pub notes.txt", "File published successfully");
    const noticesBefore = alice.program.stderr.text.length;
    await tracker.stop();
    tracker = await TrackerProcess.start(undefined, [], port);
    // Alice's user types nothing: a seeding peer must be found again all the same.
    await alice.program.stderr.waitFor(
      "peersync-peer: the tracker had lost this session (restarted?): logged in again\n",
      5_000,
      noticesBefore,
    );
    bob = await PeerProcess.start(port);
    await bob.login("bob", "bob-pw");
    await bob.run("get notes.txt", "notes.txt downloaded successfully");
    // Her session is the restored one: commands work, with no second restore.
    const printed = await alice.run("lpf", "1 file published:\nnotes.txt\n");
    assert.doesNotMatch(printed, /logged in again/);
    assert.equal(
      alice.program.stderr.text.slice(noticesBefore).match(/logged in again/g)?.length,
      1,
    );
  } finally {
    await Promise.all([alice.stop(), bob?.stop()]);
    await tracker.stop();
  }
});

Deno.test("a peer whose login the restarted tracker refuses says so once and backs off instead of retrying every beat", async () => {
  let tracker = await TrackerProcess.start();
  const port = tracker.port;
  const alice = await PeerProcess.start(port);
  try {
    await alice.login("alice", "alice-pw");
    const noticesBefore = alice.program.stderr.text.length;
    await tracker.stop();
    // Alice's password changed meanwhile: her peer's next login is refused.
    tracker = await TrackerProcess.start("alice another-pw\nbob bob-pw\n", [], port);
    await alice.program.stderr.waitFor(
      /logging in again failed \(refused: auth\); trying again in the background\n/,
      5_000,
      noticesBefore,
    );
    // Heartbeats go on every second; logins do not: 2 s, then 4 s later.
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    const logins = tracker.program.stdout.text.match(/Received LOGIN from alice/g)?.length ?? 0;
    assert.ok(logins >= 2 && logins <= 3, `${logins} logins in 4.5 s`);
    assert.equal(alice.program.stderr.text.slice(noticesBefore).match(/failed/g)?.length, 1);
    // A command says why it cannot be carried out.
    const printed = await alice.run("lpf", /logging in again failed/);
    assert.match(printed, /The tracker had lost this session, and logging in again failed \(/);
  } finally {
    await alice.stop();
    await tracker.stop();
  }
});

Deno.test("a large file held by two peers comes from both at once, or from one with --max-sources 1, and the last line says from whom", async () => {
  const tracker = await TrackerProcess.start();
  const alice = await PeerProcess.start(tracker.port);
  const carol = await PeerProcess.start(tracker.port);
  const bob = await PeerProcess.start(tracker.port);
  const dave = await PeerProcess.start(tracker.port, ["--max-sources", "1"]);
  try {
    const content = await writeRandomFile(`${alice.dir}/big.bin`, 64 * MiB);
    await Deno.link(`${alice.dir}/big.bin`, `${carol.dir}/big.bin`);
    for (
      const [peer, user] of [[alice, "alice"], [carol, "carol"], [bob, "bob"], [
        dave,
        "dave",
      ]] as const
    ) {
      await peer.login(user, `${user}-pw`);
    }
    await alice.run("pub big.bin", "File published successfully", 30_000);
    await carol.run("pub big.bin", "File published successfully", 30_000);
    const both = await bob.run("get big.bin", /SHA-256 verified[^\n]*\n/, 60_000);
    assert.match(both, /, from (alice|carol) [\d.]+ MiB, (alice|carol) [\d.]+ MiB\n/);
    const one = await dave.run("get big.bin", /SHA-256 verified[^\n]*\n/, 60_000);
    assert.match(one, /SHA-256 verified, from (alice|carol)\n/);
    for (const peer of [bob, dave]) {
      assert.ok(sameBytes(await Deno.readFile(`${peer.dir}/big.bin`), content));
    }
  } finally {
    await Promise.all([alice.stop(), carol.stop(), bob.stop(), dave.stop()]);
    await tracker.stop();
  }
});
