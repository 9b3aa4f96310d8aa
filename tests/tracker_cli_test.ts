/**
 * The tracker's command line: help, usage errors, and refusing to start on bad setup.
 */

import assert from "node:assert/strict";
import { runProgram, TrackerProcess } from "./support/programs.ts";

async function inTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "peersync-cli-" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("tracker --help prints usage and exits 0", async () => {
  const result = await runProgram("tracker.ts", ["--help"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Usage: peersync-tracker \[options\] <port>/);
  assert.match(result.stdout, /--credentials FILE/);
});

Deno.test("tracker usage errors print one line and exit 2", async () => {
  for (const args of [[], ["--bogus", "5000"], ["1", "2"], ["--log-format", "xml", "5000"]]) {
    const result = await runProgram("tracker.ts", args);
    assert.equal(result.code, 2, args.join(" "));
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, /^peersync-tracker: .*\(see --help\)\n$/);
  }
});

Deno.test("tracker refuses an invalid port as a usage error: one line and exit 2", async () => {
  for (const port of ["70000", "abc", "1.5"]) {
    const result = await runProgram("tracker.ts", [port]);
    assert.equal(result.code, 2, port);
    assert.match(result.stderr, /\(see --help\)\n$/);
    assert.match(result.stderr, /^peersync-tracker: invalid port .*\n$/);
  }
});

Deno.test("tracker refuses a missing credentials file, naming it", async () => {
  await inTempDir(async (dir) => {
    const result = await runProgram("tracker.ts", ["--credentials", `${dir}/nope.txt`, "0"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`nope\\.txt: cannot read credentials: file not found`));
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace");
  });
});

Deno.test("tracker refuses a credentials file with a bad line, naming file and line", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/users.txt`, "alice pw\n\nbob\n");
    const result = await runProgram("tracker.ts", ["--credentials", `${dir}/users.txt`, "0"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /users\.txt:3: expected `user password`/);
  });
});

Deno.test("tracker reads credentials.txt from the directory it was started in", async () => {
  await inTempDir(async (dir) => {
    const result = await runProgram("tracker.ts", ["0"], { cwd: dir });
    assert.equal(result.code, 1);
    assert.ok(result.stderr.includes(`${dir}/credentials.txt`), result.stderr);
  });
});

Deno.test("tracker on a port already in use says so and exits 1", async () => {
  const tracker = await TrackerProcess.start();
  try {
    const result = await runProgram("tracker.ts", [
      "--credentials",
      `${tracker.dir}/credentials.txt`,
      String(tracker.port),
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot listen on 127\.0\.0\.1:\d+: address already in use\n$/);
  } finally {
    await tracker.stop();
  }
});

Deno.test("tracker logs JSON lines when asked", async () => {
  const tracker = await TrackerProcess.start(undefined, ["--log-format", "json"]);
  try {
    const line = await tracker.program.stdout.waitFor(/^\{.*"event":"listening".*\}$/m);
    const parsed = JSON.parse(line[0]);
    assert.equal(parsed.port, tracker.port);
  } finally {
    await tracker.stop();
  }
});
