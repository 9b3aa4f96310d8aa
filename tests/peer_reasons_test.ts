/**
 * A failure says why (issue 13): `unp` of a name the user does not publish keeps the v1 line on
 * standard output and gives the reason on standard error; a one-shot command and
 * `--exit-on-error` put the reason on standard error with a non-zero exit. Real peer and
 * tracker processes on loopback.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { runProgram, TrackerProcess } from "./support/programs.ts";

async function withTracker(body: (port: number, dir: string) => Promise<void>): Promise<void> {
  const tracker = await TrackerProcess.start(undefined, ["--store", "memory"]);
  const dir = await Deno.makeTempDir({ prefix: "peersync-reasons-" });
  try {
    await body(tracker.port, dir);
  } finally {
    await tracker.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("unp of a name not published: the v1 line on stdout, the reason on stderr", async () => {
  await withTracker(async (port, dir) => {
    await Deno.writeTextFile(join(dir, "notes.txt"), "n\n");
    const run = await runProgram("peer.ts", ["-d", dir, String(port)], {
      stdin: "alice\nalice-pw\npub notes.txt\nunp Notes.txt\nunp gone.txt\nxit",
    });
    assert.equal(run.code, 0);
    assert.match(
      run.stdout,
      /> File published successfully\n> File unpublication failed\n> File unpublication failed\n> Goodbye!\n$/,
    );
    assert.match(run.stderr, /^you do not publish Notes\.txt \(did you mean notes\.txt\?\)$/m);
    assert.match(run.stderr, /^you do not publish gone\.txt \(lpf lists your files\)$/m);
  });
});

Deno.test("a failed one-shot unp exits 1 with the v1 text and the reason on stderr, and in --json", async () => {
  await withTracker(async (port, dir) => {
    const args = ["-d", dir, "-u", "alice", "-t", `127.0.0.1:${port}`];
    const env = { PEERSYNC_PASSWORD: "alice-pw" };
    const plain = await runProgram("peer.ts", [...args, "unp", "my notes.txt"], { env });
    assert.deepEqual(plain, {
      code: 1,
      stdout: "",
      stderr:
        'File unpublication failed: you do not publish "my notes.txt" (lpf lists your files)\n',
    });
    const json = await runProgram("peer.ts", [...args, "--json", "unp", "x.txt"], { env });
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.stdout), {
      ok: false,
      command: "unp",
      error: "unpublishFailed",
      message: "File unpublication failed",
      reason: "you do not publish x.txt (lpf lists your files)",
    });
  });
});

Deno.test("--exit-on-error says on stderr which failure stopped the script", async () => {
  await withTracker(async (port, dir) => {
    const failing = await runProgram("peer.ts", ["-e", "-d", dir, String(port)], {
      stdin: "alice\nalice-pw\nget missing.bin\nlap\nxit",
    });
    assert.equal(failing.code, 1);
    assert.match(failing.stdout, /> File not found\nGoodbye!\n$/);
    assert.match(
      failing.stderr,
      /peersync-peer: File not found\npeersync-peer: a command failed; not running the rest/,
    );
    const mistyped = await runProgram("peer.ts", ["-e", "-d", dir, String(port)], {
      stdin: "alice\nalice-pw\nlsp\nlap\nxit",
    });
    assert.equal(mistyped.code, 1);
    assert.match(
      mistyped.stdout,
      /> Unknown command "lsp"\. Type help for the list of commands\.\n/,
    );
    assert.match(mistyped.stderr, /peersync-peer: Unknown command "lsp"\n/);
  });
});

Deno.test("pub of a name stored on disk in another Unicode form says so, and publishes nothing else", async () => {
  await withTracker(async (port, dir) => {
    // Stored decomposed (NFD, as macOS writes names), typed composed (NFC).
    const decomposed = "cafe\u0301.txt";
    await Deno.writeTextFile(join(dir, decomposed), "c\n");
    const args = ["-d", dir, "-u", "alice", "-t", `127.0.0.1:${port}`];
    const env = { PEERSYNC_PASSWORD: "alice-pw" };
    const run = await runProgram("peer.ts", [...args, "pub", "caf\u00e9.txt"], { env });
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      `Cannot publish caf\u00e9.txt: no such file in ${dir} (a file ${decomposed} is there, ` +
        "its name in another Unicode form, decomposed (NFD); names must match byte for byte: " +
        "Tab after pub completes it)\n",
    );
    const published = await runProgram("peer.ts", [...args, "pub", decomposed], { env });
    assert.equal(published.code, 0, published.stderr);
  });
});

Deno.test("the right password during a lockout is told how long to wait, not that it is wrong", async () => {
  await withTracker(async (port, dir) => {
    // Three failures are free; the fourth locks alice out from this host for 1 s, and the
    // prompt asks again at once.
    const tries = await runProgram("peer.ts", ["-d", dir, String(port)], {
      stdin: "alice\nwrong\n".repeat(4) + "alice\nalice-pw\n",
    });
    assert.equal(tries.code, 1);
    // The prompt's replies (on standard output, as the v1 terminal's): the fifth says why.
    const replies = tries.stdout.split("Enter username: Enter password: ").slice(1, 6);
    assert.deepEqual(replies, [
      ...Array(4).fill("Authentication failed. Please try again.\n"),
      "Too many failed logins; try again in 1 s\nAuthentication failed. Please try again.\n",
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const args = ["-d", dir, "-u", "alice", "-t", `127.0.0.1:${port}`, "lap"];
    const after = await runProgram("peer.ts", args, { env: { PEERSYNC_PASSWORD: "alice-pw" } });
    assert.equal(after.code, 0, after.stderr);
  });
});
