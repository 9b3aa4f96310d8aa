/**
 * TLS between real peer processes: each makes its identity in its state folder on first start,
 * registers its fingerprint, and with `--require-tls` on both sides a file can only travel over
 * pinned TLS. A corrupt identity stops the peer with one line.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { runProgram, TrackerProcess } from "./support/programs.ts";
import { PeerProcess, sameBytes, writeRandomFile } from "./support/peers.ts";

const MiB = 1024 * 1024;

Deno.test("two real peers with --require-tls transfer over TLS and the bytes verify", async () => {
  const tracker = await TrackerProcess.start();
  const state = await Deno.makeTempDir({ prefix: "peersync-tls-state-" });
  const alice = await PeerProcess.start(tracker.port, [
    "--require-tls",
    "--state-dir",
    join(state, "alice"),
  ]);
  const bob = await PeerProcess.start(tracker.port, [
    "--require-tls",
    "--state-dir",
    join(state, "bob"),
  ]);
  try {
    await alice.login("alice", "alice-pw");
    await bob.login("bob", "bob-pw");
    assert.equal((await Deno.stat(join(state, "alice"))).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(join(state, "alice", "identity_key.pem"))).mode! & 0o777, 0o600);
    const movie = await writeRandomFile(`${alice.dir}/movie.bin`, 5 * MiB + 7);
    await alice.run("pub movie.bin", "File published successfully");
    const output = await bob.run("get movie.bin", "movie.bin downloaded successfully", 20_000);
    assert.doesNotMatch(output, /in clear/);
    assert.ok(sameBytes(await Deno.readFile(`${bob.dir}/movie.bin`), movie));
    assert.match(
      await Deno.readTextFile(join(state, "alice", "identity_cert.pem")),
      /^-----BEGIN CERTIFICATE-----\n/,
    );
  } finally {
    await Promise.all([alice.stop(), bob.stop()]);
    await tracker.stop();
    await Deno.remove(state, { recursive: true });
  }
});

Deno.test("a peer with a corrupt identity stops with one line and leaves the files as they are", async () => {
  const state = await Deno.makeTempDir({ prefix: "peersync-tls-state-" });
  const dir = await Deno.makeTempDir({ prefix: "peersync-peer-" });
  try {
    await Deno.writeTextFile(join(state, "identity_key.pem"), "not a key\n");
    await Deno.writeTextFile(join(state, "identity_cert.pem"), "not a certificate\n");
    const { code, stderr } = await runProgram("peer.ts", [
      "--dir",
      dir,
      "--state-dir",
      state,
      "1",
    ], { stdin: "" });
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^peersync-peer: identity in .* cannot be used: the private key is unreadable.*; delete identity_key\.pem and identity_cert\.pem to make a new one\n$/,
    );
    assert.equal(await Deno.readTextFile(join(state, "identity_key.pem")), "not a key\n");
  } finally {
    await Deno.remove(state, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});
