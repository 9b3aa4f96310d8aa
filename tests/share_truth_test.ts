/**
 * Publications tell the truth about the share folder: a publication whose file is not in the
 * folder a user logs in with is withdrawn (and said), a downloaded file is shared unless
 * `--no-seed`, and an edited published file is published again with its new digest. Real
 * tracker and peer processes on loopback; a scripted v1 tracker for the v1 commands.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { startFakeTracker } from "../lib/peer/control/testing/fake_v1_tracker.ts";
import { startUploadServer } from "../lib/peer/upload/mod.ts";
import { Program, runProgram, TrackerProcess } from "./support/programs.ts";

type Run = { code: number; stdout: string; stderr: string };

/** A one-shot run of the peer as `user`, sharing `dir`. */
function oneShot(
  port: number,
  dir: string,
  user: string,
  command: readonly string[],
  extra: readonly string[] = [],
): Promise<Run> {
  return runProgram(
    "peer.ts",
    ["-d", dir, "-u", user, "--json", ...extra, "-t", `127.0.0.1:${port}`, ...command],
    { env: { PEERSYNC_PASSWORD: `${user}-pw` } },
  );
}

/** The JSON object a `--json` run printed. */
function json(run: Run): Record<string, unknown> {
  assert.equal(run.stdout.trim().split("\n").length, 1, `${run.stdout} / ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** The names `user` finds with `sch text` (held by an active user other than `user`). */
async function search(port: number, dir: string, user: string, text: string): Promise<unknown> {
  return json(await oneShot(port, dir, user, ["sch", text])).files;
}

/** An interactive session of `user` in `dir` that stays online once `commands` are typed. */
async function online(
  port: number,
  dir: string,
  user: string,
  commands: readonly string[] = [],
  extra: readonly string[] = [],
): Promise<Program> {
  const peer = new Program(
    "peer.ts",
    ["-d", dir, "-u", user, "--stay", ...extra, "-t", `127.0.0.1:${port}`],
    { env: { PEERSYNC_PASSWORD: `${user}-pw` } },
  );
  for (const command of commands) await peer.type(command);
  await peer.closeStdin();
  await peer.stderr.waitFor("staying online", 15_000);
  return peer;
}

async function stopped(peer: Program): Promise<void> {
  const status = await peer.stop("SIGTERM");
  assert.equal(status.code, 0, peer.stderr.text);
}

async function withFolders(
  names: readonly string[],
  body: (tracker: TrackerProcess, dirs: Record<string, string>) => Promise<void>,
): Promise<void> {
  const tracker = await TrackerProcess.start(undefined, ["--store", "memory"]);
  const root = await Deno.makeTempDir({ prefix: "peersync-share-truth-" });
  try {
    const dirs: Record<string, string> = {};
    for (const name of names) {
      dirs[name] = join(root, name);
      await Deno.mkdir(dirs[name]);
    }
    await body(tracker, dirs);
  } finally {
    await tracker.stop();
    await Deno.remove(root, { recursive: true });
  }
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

Deno.test("a publication whose file is not in the folder a user logs in with is withdrawn, and said", async () => {
  await withFolders(["a", "b", "bob"], async (tracker, dirs) => {
    const port = tracker.port;
    await Deno.writeTextFile(join(dirs.a, "a.txt"), "from folder A\n");
    await Deno.writeTextFile(join(dirs.a, "both.txt"), "in both folders\n");
    await Deno.writeTextFile(join(dirs.b, "both.txt"), "in both folders\n");
    for (const file of ["a.txt", "both.txt"]) {
      assert.equal((await oneShot(port, dirs.a, "alice", ["pub", file])).code, 0);
    }
    const fromA = await online(port, dirs.a, "alice");
    try {
      assert.doesNotMatch(fromA.stderr.text, /Withdrew/);
      assert.deepEqual(await search(port, dirs.bob, "bob", "txt"), ["a.txt", "both.txt"]);
    } finally {
      await stopped(fromA);
    }

    const fromB = await online(port, dirs.b, "alice");
    try {
      assert.match(
        fromB.stderr.text,
        new RegExp(`^Withdrew 1 publication no longer in ${dirs.b}: a\\.txt$`, "m"),
      );
      // alice is online, so a.txt would be found if it were still published.
      assert.deepEqual(await search(port, dirs.bob, "bob", "txt"), ["both.txt"]);
      const get = await oneShot(port, dirs.bob, "bob", ["get", "a.txt"]);
      assert.equal(json(get).error, "fileNotFound");
    } finally {
      await stopped(fromB);
    }
  });
});

Deno.test("a downloaded file is shared by the downloader unless --no-seed", async () => {
  await withFolders(["alice", "bob", "carol", "dave"], async (tracker, dirs) => {
    const port = tracker.port;
    await Deno.writeTextFile(join(dirs.alice, "report.pdf"), "the report\n");
    await Deno.writeTextFile(join(dirs.alice, "private.bin"), "kept to myself\n");
    const alice = await online(port, dirs.alice, "alice", ["pub report.pdf", "pub private.bin"]);
    let bob: Program | undefined;
    let dave: Program | undefined;
    try {
      bob = await online(port, dirs.bob, "bob", ["get report.pdf"]);
      assert.match(bob.stdout.text, /report\.pdf downloaded successfully\n/);
      assert.match(bob.stderr.text, /^Now sharing report\.pdf$/m);
      dave = await online(port, dirs.dave, "dave", ["get private.bin"], ["--no-seed"]);
      assert.match(dave.stdout.text, /private\.bin downloaded successfully\n/);
      assert.doesNotMatch(dave.stderr.text, /sharing/);
    } finally {
      await stopped(alice);
    }
    try {
      // Only bob and dave are online now: what carol finds, she finds at the downloaders.
      assert.deepEqual(await search(port, dirs.carol, "carol", "p"), ["report.pdf"]);
      const get = await oneShot(port, dirs.carol, "carol", ["get", "report.pdf"], ["--no-seed"]);
      assert.equal(get.code, 0, get.stderr);
      const got = json(get);
      assert.equal(got.verified, true);
      assert.equal(got.seeding, false);
      assert.deepEqual(got.sources, [{ user: "bob", bytes: 11 }]);
      assert.equal(await Deno.readTextFile(join(dirs.carol, "report.pdf")), "the report\n");
      const missing = await oneShot(port, dirs.carol, "carol", ["get", "private.bin"]);
      assert.equal(json(missing).error, "noActiveHolder");
    } finally {
      await stopped(bob!);
      await stopped(dave!);
    }
  });
});

Deno.test("an edited published file is published again with its new digest and downloads get it", async () => {
  await withFolders(["alice", "bob", "carol"], async (tracker, dirs) => {
    const port = tracker.port;
    const notes = join(dirs.alice, "notes.txt");
    await Deno.writeTextFile(notes, "first draft\n");
    const alice = await online(port, dirs.alice, "alice", ["pub notes.txt"]);
    try {
      const first = json(await oneShot(port, dirs.bob, "bob", ["get", "notes.txt"], ["--no-seed"]));
      assert.equal(first.sha256, sha256("first draft\n"));

      const from = alice.stderr.text.length;
      await Deno.writeTextFile(notes, "second draft, longer\n");
      await alice.stderr.waitFor(
        /Published notes\.txt again: it changed on disk \(new SHA-256 [0-9a-f]{12}…\)/,
        10_000,
        from,
      );
      const again = await oneShot(port, dirs.carol, "carol", ["get", "notes.txt"], ["--no-seed"]);
      assert.equal(again.code, 0, again.stderr);
      const second = json(again);
      assert.equal(second.verified, true);
      assert.equal(second.sha256, sha256("second draft, longer\n"));
      assert.equal(
        await Deno.readTextFile(join(dirs.carol, "notes.txt")),
        "second draft, longer\n",
      );
    } finally {
      await stopped(alice);
    }
  });
});

Deno.test("a published file deleted while online is withdrawn once a downloader finds it gone", async () => {
  await withFolders(["alice", "bob"], async (tracker, dirs) => {
    const port = tracker.port;
    await Deno.writeTextFile(join(dirs.alice, "gone.txt"), "soon gone\n");
    const alice = await online(port, dirs.alice, "alice", ["pub gone.txt"]);
    try {
      await Deno.remove(join(dirs.alice, "gone.txt"));
      const from = alice.stderr.text.length;
      const failed = await oneShot(port, dirs.bob, "bob", ["get", "gone.txt"]);
      assert.equal(json(failed).error, "downloadFailed");
      await alice.stderr.waitFor(`Withdrew gone.txt: no longer in ${dirs.alice}`, 10_000, from);
      const after = await oneShot(port, dirs.bob, "bob", ["get", "gone.txt"]);
      assert.equal(json(after).error, "fileNotFound");
    } finally {
      await stopped(alice);
    }
  });
});

Deno.test("against a v1 tracker the withdrawal at login and the seeding use v1's unp and pub", async () => {
  const source = await Deno.makeTempDir({ prefix: "peersync-holder-" });
  const dir = await Deno.makeTempDir({ prefix: "peersync-peer-" });
  await Deno.writeTextFile(join(dir, "here.txt"), "still here\n");
  await Deno.writeTextFile(join(source, "song.ogg"), "la la la");
  const holder = startUploadServer({
    hostname: "127.0.0.1",
    dir: source,
    published: new Set(["song.ogg"]),
  });
  const tracker = startFakeTracker((request) => {
    if (request === "get song.ogg") return `bob 127.0.0.1 ${holder.addr.port}`;
    if (request === "auth alice pw") return "OK";
    if (request === "HBT" || request.startsWith("TCP ")) return undefined;
    if (request === "lpf") return "gone.txt, here.txt, old.txt";
    if (request.startsWith("unp ")) return "File unpublished successfully";
    if (request.startsWith("pub ")) return "File published successfully";
    return "ERR";
  });
  try {
    const run = await runProgram("peer.ts", ["-d", dir, String(tracker.port)], {
      stdin: "alice\npw\nget song.ogg\nxit",
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`^Withdrew 2 publications no longer in ${dir}: gone\\.txt, old\\.txt$`, "m"),
    );
    assert.deepEqual(
      tracker.received.filter((request) => /^(unp|pub) /.test(request)),
      ["unp gone.txt", "unp old.txt", "pub song.ogg"],
    );
    assert.match(run.stderr, /^Now sharing song\.ogg$/m);
  } finally {
    await tracker.close();
    await holder.close();
    await Deno.remove(source, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file withdrawn while the login's look at the folder hashes is not published again behind the user's back", async () => {
  await withFolders(["alice", "bob"], async (tracker, dirs) => {
    const port = tracker.port;
    // Published by an earlier run: the first look of a new session publishes both again, after
    // hashing them, which for the big one takes a while.
    await Deno.writeTextFile(join(dirs.alice, "a.txt"), "to be withdrawn\n");
    const big = await Deno.open(join(dirs.alice, "big.bin"), { write: true, create: true });
    await big.truncate(256 * 1024 * 1024);
    big.close();
    for (const file of ["a.txt", "big.bin"]) {
      assert.equal((await oneShot(port, dirs.alice, "alice", ["pub", file])).code, 0);
    }
    await Deno.remove(join(dirs.alice, ".peersync-digests.json"));
    const log = tracker.program.stdout;
    const from = log.text.length;
    const alice = await online(port, dirs.alice, "alice", ["unp a.txt"]);
    try {
      const unp = await log.waitFor(/Received UNP from alice; sent OK\n/, 10_000, from);
      // The look's publication of big.bin comes after the withdrawal; a.txt's would beside it.
      await log.waitFor("Received PUB from alice", 15_000, from + unp.index + unp[0].length);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(await search(port, dirs.bob, "bob", "."), ["big.bin"]);
    } finally {
      await stopped(alice);
    }
  });
});
