/**
 * `seed` when its share folder goes away under it: one line that says so, its publications
 * withdrawn, exit 1 — not a file-system error with the files still listed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Program, runProgram, TrackerProcess } from "./support/programs.ts";

Deno.test("seed whose share folder is deleted says so in one line, withdraws its files and exits 1", async () => {
  const tracker = await TrackerProcess.start(undefined, ["--store", "memory"]);
  const root = await Deno.makeTempDir({ prefix: "peersync-seed-folder-" });
  try {
    const alice = join(root, "alice");
    await Deno.mkdir(alice);
    await Deno.writeTextFile(join(alice, "notes.txt"), "notes\n");
    const seeder = new Program(
      "peer.ts",
      ["-u", "alice", "-t", `127.0.0.1:${tracker.port}`, "seed", alice],
      { env: { PEERSYNC_PASSWORD: "alice-pw" } },
    );
    // A seeder that would stay must fail the test, not hang it.
    const watchdog = setTimeout(() => seeder.kill("SIGKILL"), 15_000);
    let status: Deno.CommandStatus;
    try {
      await seeder.stderr.waitFor("following it");
      await Deno.remove(alice, { recursive: true });
    } finally {
      status = await seeder.exit();
      clearTimeout(watchdog);
    }
    assert.equal(status.code, 1, seeder.stderr.text);
    assert.match(
      seeder.stderr.text,
      /seed: the share folder .*alice is gone \(deleted, renamed or unmounted\)\n.*seed: stopping\n$/,
    );
    assert.doesNotMatch(seeder.stderr.text, /os error/);
    const found = await runProgram(
      "peer.ts",
      ["-u", "bob", "-d", root, "-t", `127.0.0.1:${tracker.port}`, "sch", "notes"],
      { env: { PEERSYNC_PASSWORD: "bob-pw" } },
    );
    assert.match(found.stdout, /No files found/);
  } finally {
    await tracker.stop();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("seed over the tracker's per-user limit names the refused files once and does not ask again on every change", async () => {
  const tracker = await TrackerProcess.start(undefined, [
    "--store",
    "memory",
    "--max-publications",
    "3",
  ]);
  const root = await Deno.makeTempDir({ prefix: "peersync-seed-limit-" });
  try {
    const alice = join(root, "alice");
    await Deno.mkdir(alice);
    for (const name of ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]) {
      await Deno.writeTextFile(join(alice, name), `${name}\n`);
    }
    const seeder = new Program(
      "peer.ts",
      ["-u", "alice", "-t", `127.0.0.1:${tracker.port}`, "seed", alice],
      { env: { PEERSYNC_PASSWORD: "alice-pw" } },
    );
    const watchdog = setTimeout(() => seeder.kill("SIGKILL"), 20_000);
    try {
      await seeder.stderr.waitFor("following it");
      assert.match(seeder.stderr.text, /serving 3 files from .* \(2 refused by the tracker\)/);
      assert.match(seeder.stderr.text, /could not publish d\.txt: .*holds as many publications/);
      assert.match(seeder.stderr.text, /could not publish e\.txt: /);
      // A new file: asked for (and refused), the two refused before are not asked again.
      await Deno.writeTextFile(join(alice, "f.txt"), "f\n");
      await seeder.stderr.waitFor("could not publish f.txt");
      // A withdrawal makes room: the refused files are asked again, one now fits.
      await Deno.remove(join(alice, "a.txt"));
      await seeder.stderr.waitFor("withdrew a.txt");
      await seeder.stderr.waitFor("published d.txt");
    } finally {
      seeder.kill("SIGTERM");
      await seeder.exit();
      clearTimeout(watchdog);
    }
    const text = seeder.stderr.text;
    const before = text.slice(0, text.indexOf("withdrew a.txt"));
    assert.equal(before.match(/could not publish d\.txt/g)?.length, 1, text);
    assert.equal(before.match(/could not publish e\.txt/g)?.length, 1, text);
  } finally {
    await tracker.stop();
    await Deno.remove(root, { recursive: true });
  }
});
