/**
 * One-shot commands with names that hold spaces (issue 13): each argument the shell hands over
 * is one name, carried in v2 end to end; against a v1 tracker it is refused with the reason on
 * standard error and exit 1, and never sent. Real peer and tracker processes on loopback.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Program, runProgram, TrackerProcess } from "./support/programs.ts";
import { startFakeTracker } from "../lib/peer/control/testing/fake_v1_tracker.ts";

function oneShot(port: number, dir: string, user: string, command: readonly string[]) {
  return runProgram("peer.ts", ["-d", dir, "-u", user, "-t", `127.0.0.1:${port}`, ...command], {
    env: { PEERSYNC_PASSWORD: `${user}-pw` },
  });
}

Deno.test("one-shot pub, sch, get and unp carry a name with spaces over v2", async () => {
  const tracker = await TrackerProcess.start(undefined, ["--store", "memory"]);
  const root = await Deno.makeTempDir({ prefix: "peersync-one-shot-names-" });
  const alice = join(root, "alice");
  const bob = join(root, "bob");
  try {
    await Deno.mkdir(alice);
    await Deno.mkdir(bob);
    await Deno.writeTextFile(join(alice, "my report.pdf"), "quarterly figures\n");
    const pub = await oneShot(tracker.port, alice, "alice", ["pub", "my report.pdf"]);
    assert.deepEqual(pub, { code: 0, stdout: "File published successfully\n", stderr: "" });
    // The publisher stays online to serve it.
    const seeder = new Program("peer.ts", ["-d", alice, "--stay", String(tracker.port)]);
    try {
      await seeder.type("alice");
      await seeder.type("alice-pw");
      await seeder.closeStdin();
      await seeder.stderr.waitFor("staying online");
      const sch = await oneShot(tracker.port, bob, "bob", ["sch", "my rep"]);
      assert.deepEqual(sch, { code: 0, stdout: '1 file found:\n"my report.pdf"\n', stderr: "" });
      const get = await oneShot(tracker.port, bob, "bob", ["--no-seed", "get", "my report.pdf"]);
      assert.equal(get.code, 0, get.stderr);
      assert.match(get.stdout, /^"my report\.pdf" downloaded successfully\n/);
      assert.equal(await Deno.readTextFile(join(bob, "my report.pdf")), "quarterly figures\n");
    } finally {
      await seeder.stop("SIGINT");
    }
    const unp = await oneShot(tracker.port, alice, "alice", ["unp", "my report.pdf"]);
    assert.deepEqual(unp, { code: 0, stdout: "File unpublished successfully\n", stderr: "" });
  } finally {
    await tracker.stop();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a one-shot name with spaces against a v1 tracker exits 1 with the reason, never sent", async () => {
  const tracker = startFakeTracker((request) => {
    if (request.startsWith("auth ")) return request === "auth alice alice-pw" ? "OK" : "ERR";
    if (request === "HBT" || request.startsWith("TCP ")) return undefined;
    if (request === "lpf") return "No published files";
    return "ERR";
  });
  const dir = await Deno.makeTempDir({ prefix: "peersync-one-shot-names-" });
  try {
    await Deno.writeTextFile(join(dir, "my report.pdf"), "x");
    for (const command of [["pub", "my report.pdf"], ["get", "my report.pdf"], ["sch", "my rep"]]) {
      const run = await oneShot(tracker.port, dir, "alice", command);
      assert.equal(run.code, 1, `${command.join(" ")}: ${run.stderr}`);
      assert.equal(run.stdout, "");
      assert.match(
        run.stderr,
        /(^|\n)Cannot use the (name|search text) "my re[^"]*": names with spaces need PeerSync v2, and this tracker speaks only v1\n$/,
      );
    }
    assert.deepEqual(tracker.received.filter((request) => request.includes("my")), []);
  } finally {
    await tracker.close();
    await Deno.remove(dir, { recursive: true });
  }
});
