/**
 * Background downloads in the interactive session, driven from a pipe with `--background` (what a
 * terminal does by default): two `get`s started back to back both run, `jobs` lists them,
 * `cancel` stops one keeping its part file, and a later `get` resumes it to a verified file.
 * Real peer and tracker processes on loopback.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Program, runProgram, TrackerProcess } from "./support/programs.ts";
import { sameBytes, writeRandomFile } from "./support/peers.ts";
import { startSeeder } from "./support/seeder.ts";

const MiB = 1024 * 1024;

function partFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name)
    .filter((name) => /^\.peersync-[0-9a-f]{16}-[0-9a-f]{16}\.part$/.test(name));
}

Deno.test("background gets run side by side; jobs lists them; cancel keeps a part file that get resumes", async () => {
  const tracker = await TrackerProcess.start(undefined, ["--store", "memory"]);
  const root = await Deno.makeTempDir({ prefix: "peersync-jobs-" });
  const [alice, bob] = [join(root, "alice"), join(root, "bob")];
  await Deno.mkdir(alice);
  await Deno.mkdir(bob);
  let seeder: Program | undefined;
  let downloader: Program | undefined;
  try {
    const one = await writeRandomFile(join(alice, "one.bin"), 3 * MiB);
    const two = await writeRandomFile(join(alice, "two.bin"), 3 * MiB);
    // Both files share alice's 1 MiB/s: each download takes seconds, time enough to look at it.
    seeder = await startSeeder({
      dir: alice,
      trackerPort: tracker.port,
      uploadLimit: "1M",
      publish: ["one.bin", "two.bin"],
    });
    assert.equal(seeder.stdout.text.match(/File published successfully/g)?.length, 2);

    downloader = new Program("peer.ts", [
      "-d",
      bob,
      "-u",
      "bob",
      "--background",
      String(tracker.port),
    ], { env: { PEERSYNC_PASSWORD: "bob-pw" } });
    const out = downloader.stdout;
    await downloader.type("get one.bin");
    await downloader.type("get two.bin");
    await downloader.type("get one.bin");
    await out.waitFor("[1] one.bin: downloading in the background", 20_000);
    await out.waitFor("[2] two.bin: downloading in the background");
    await out.waitFor("one.bin is already being downloaded (job 1)");

    // Both are under way at once. (Progress counts bytes once written out, a few times a
    // second: ask again until both show some.)
    let mark = out.text.length;
    for (let tries = 0;; tries++) {
      mark = out.text.length;
      await downloader.type("jobs");
      await out.waitFor(/\[2\] two\.bin {2}\w+/, 10_000, mark);
      const listed = out.text.slice(mark);
      if (
        /\[1\] one\.bin {2}running {2}\d+%/.test(listed) &&
        /\[2\] two\.bin {2}running {2}\d+%/.test(listed)
      ) break;
      assert.ok(tries < 40, `never both running with progress:\n${out.text}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.match(
      out.text.slice(mark),
      /\[1\] one\.bin {2}running {2}\d+% {2}[\d.]+ \w?i?B \/ 3\.0 MiB/,
    );

    mark = out.text.length;
    await downloader.type("cancel 2");
    await out.waitFor("[2] two.bin: cancelling; its part file is kept: get two.bin resumes it");
    await out.waitFor(
      /\[2\] two\.bin: cancelled at [\d.]+ \w?i?B \/ 3\.0 MiB; the part file is kept/,
    );

    await out.waitFor("[1] one.bin downloaded successfully (3.0 MiB in", 30_000);
    assert.ok(sameBytes(await Deno.readFile(join(bob, "one.bin")), one));
    // one.bin's part file became one.bin; two.bin's is kept.
    assert.equal(
      partFiles(bob).length,
      1,
      `part files: ${[...Deno.readDirSync(bob)].map((e) => e.name)}`,
    );

    // The part file is listed by name, with how to resume it.
    mark = out.text.length;
    await downloader.type("jobs");
    await out.waitFor(
      /two\.bin: part file of [\d.]+ \w?i?B; get two\.bin resumes it/,
      10_000,
      mark,
    );
    assert.match(out.text.slice(mark), /\[2\] two\.bin {2}cancelled/);
    assert.match(out.text.slice(mark), /\[1\] one\.bin {2}done/);

    // `xit` right after `get` waits for the download, then leaves.
    await downloader.type("get two.bin");
    await downloader.type("xit");
    const status = await downloader.exit();
    assert.equal(status.code, 0, downloader.stderr.text);
    assert.match(out.text, /Leaving when the download ends; xit again cancels it/);
    assert.match(
      out.text,
      /\[3\] two\.bin downloaded successfully \(3\.0 MiB in [^\n]*resumed after[^\n]*\)\nGoodbye!\n$/,
    );
    assert.ok(sameBytes(await Deno.readFile(join(bob, "two.bin")), two));
    assert.deepEqual(partFiles(bob), []);
  } finally {
    await downloader?.stop();
    await seeder?.stop();
    await tracker.stop();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("--background and --max-jobs are for a session: misuse is a usage error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "peersync-jobs-usage-" });
  try {
    const env = { PEERSYNC_PASSWORD: "x" };
    const cases = [
      ["-u", "alice", "--background", "5000", "get", "a.bin"],
      ["-u", "alice", "--background", "5000", "seed"],
      ["--max-jobs", "0", "5000"],
      ["--max-jobs", "many", "5000"],
    ];
    const runs = await Promise.all(
      cases.map((args) => runProgram("peer.ts", ["-d", dir, ...args], { env })),
    );
    runs.forEach((run, index) => {
      const label = JSON.stringify(cases[index]);
      assert.equal(run.code, 2, `${label}: ${run.stderr}`);
      assert.equal(run.stdout, "", label);
      assert.match(run.stderr, /^peersync-peer: [^\n]+ \(see --help\)\n$/, label);
    });
    assert.match(runs[0].stderr, /--background is for a session/);
    assert.match(runs[1].stderr, /--background means nothing to seed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
