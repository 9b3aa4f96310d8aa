/**
 * The peer in scripts and services: one-shot commands and their `--json` objects, the password
 * from `PEERSYNC_PASSWORD` or `--password-file`, an exit status for every class of outcome, a
 * session that stops at the first failure (`--exit-on-error`), and one that stays online after
 * its input ends (`--stay`). Real peer and tracker processes on loopback.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Program, runProgram, TrackerProcess } from "./support/programs.ts";
import { startSeeder } from "./support/seeder.ts";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A one-shot run of the peer as `user` (password from the environment unless `env` says). */
function oneShot(
  port: number,
  dir: string,
  user: string,
  command: readonly string[],
  options: { json?: boolean; env?: Record<string, string>; extra?: readonly string[] } = {},
): Promise<Run> {
  return runProgram("peer.ts", [
    "-d",
    dir,
    "-u",
    user,
    ...(options.json ? ["--json"] : []),
    ...(options.extra ?? []),
    "-t",
    `127.0.0.1:${port}`,
    ...command,
  ], { env: options.env ?? { PEERSYNC_PASSWORD: `${user}-pw` } });
}

/** The one JSON object a `--json` run printed, parsed. */
function json(run: Run): Record<string, unknown> {
  const lines = run.stdout.split("\n").filter((line) => line !== "");
  assert.equal(lines.length, 1, `one line of JSON: ${run.stdout} / ${run.stderr}`);
  return JSON.parse(lines[0]);
}

async function withTracker(body: (tracker: TrackerProcess, root: string) => Promise<void>) {
  const tracker = await TrackerProcess.start(undefined, ["--store", "memory"]);
  const root = await Deno.makeTempDir({ prefix: "peersync-scripting-" });
  try {
    await Deno.mkdir(join(root, "alice"));
    await Deno.mkdir(join(root, "bob"));
    await body(tracker, root);
  } finally {
    await tracker.stop();
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("one-shot commands print one parsable JSON object each and exit 0 or 1", async () => {
  await withTracker(async (tracker, root) => {
    const [alice, bob] = [join(root, "alice"), join(root, "bob")];
    await Deno.writeTextFile(join(alice, "report.pdf"), "the report\n");
    const port = tracker.port;

    const pub = await oneShot(port, alice, "alice", ["pub", "report.pdf"], { json: true });
    assert.equal(pub.code, 0, pub.stderr);
    const published = json(pub);
    assert.equal(published.ok, true);
    assert.equal(published.command, "pub");
    assert.equal(published.file, "report.pdf");
    assert.equal(published.size, 11);
    assert.match(String(published.sha256), /^[0-9a-f]{64}$/);

    const lpf = json(await oneShot(port, alice, "alice", ["lpf"], { json: true }));
    assert.deepEqual(lpf, { ok: true, command: "lpf", files: ["report.pdf"], omitted: 0 });
    await Deno.writeTextFile(join(alice, "gone.txt"), "soon gone\n");
    assert.equal((await oneShot(port, alice, "alice", ["pub", "gone.txt"])).code, 0);

    // alice is offline again: her file has no active holder.
    const offline = await oneShot(port, bob, "bob", ["get", "report.pdf"], { json: true });
    assert.equal(offline.code, 1);
    assert.deepEqual(json(offline), {
      ok: false,
      command: "get",
      error: "noActiveHolder",
      message: "No active peer has this file",
    });
    assert.equal(offline.stderr, "No active peer has this file\n");

    const seeder = new Program("peer.ts", ["-d", alice, "-u", "alice", "--stay", String(port)], {
      env: { PEERSYNC_PASSWORD: "alice-pw" },
    });
    try {
      await seeder.closeStdin();
      await seeder.stderr.waitFor("staying online");

      const lap = json(await oneShot(port, bob, "bob", ["lap"], { json: true }));
      assert.deepEqual(lap, { ok: true, command: "lap", peers: ["alice"], omitted: 0 });

      const sch = json(await oneShot(port, bob, "bob", ["sch", "port"], { json: true }));
      assert.deepEqual(sch, {
        ok: true,
        command: "sch",
        text: "port",
        files: ["report.pdf"],
        omitted: 0,
      });

      const get = await oneShot(port, bob, "bob", ["get", "report.pdf"], { json: true });
      assert.equal(get.code, 0, get.stderr);
      const got = json(get);
      assert.equal(got.ok, true);
      assert.equal(got.command, "get");
      assert.equal(got.file, "report.pdf");
      assert.equal(got.path, join(bob, "report.pdf"));
      assert.equal(got.bytes, 11);
      assert.equal(got.verified, true);
      assert.equal(got.sha256, published.sha256);
      assert.equal(got.resumedFrom, 0);
      assert.equal(typeof got.ms, "number");
      assert.deepEqual(got.sources, [{ user: "alice", bytes: 11 }]);
      assert.equal(await Deno.readTextFile(join(bob, "report.pdf")), "the report\n");

      // The holder lost the file: the transfer itself fails.
      await Deno.remove(join(alice, "gone.txt"));
      const gone = await oneShot(port, bob, "bob", ["get", "gone.txt"], { json: true });
      assert.equal(gone.code, 1);
      const failure = json(gone);
      assert.equal(failure.error, "downloadFailed");
      assert.match(String(failure.message), /^Download of gone\.txt failed: /);
      assert.match(gone.stderr, /Download of gone\.txt failed: /);
    } finally {
      const status = await seeder.stop("SIGTERM");
      assert.equal(status.code, 0, seeder.stderr.text);
    }

    const unpOk = json(await oneShot(port, alice, "alice", ["unp", "report.pdf"], { json: true }));
    assert.deepEqual(unpOk, { ok: true, command: "unp", file: "report.pdf" });

    const unpAgain = await oneShot(port, alice, "alice", ["unp", "report.pdf"], { json: true });
    assert.equal(unpAgain.code, 1);
    assert.deepEqual(json(unpAgain), {
      ok: false,
      command: "unp",
      error: "unpublishFailed",
      message: "File unpublication failed",
      reason: "you do not publish report.pdf (lpf lists your files)",
    });

    const missing = await oneShot(port, bob, "bob", ["get", "nothing.bin"], { json: true });
    assert.equal(missing.code, 1);
    assert.equal(json(missing).error, "fileNotFound");

    const notShared = await oneShot(port, bob, "bob", ["pub", "absent.txt"], { json: true });
    assert.equal(notShared.code, 1);
    const refused = json(notShared);
    assert.equal(refused.error, "notShareable");
    assert.match(String(refused.message), /^Cannot publish absent\.txt: /);

    const empty = json(await oneShot(port, bob, "bob", ["sch", "zzz"], { json: true }));
    assert.deepEqual(empty, { ok: true, command: "sch", text: "zzz", files: [], omitted: 0 });
  });
});

Deno.test("a one-shot command takes its own options: sch -e and -l, get -v", async () => {
  await withTracker(async (tracker, root) => {
    const [alice, bob] = [join(root, "alice"), join(root, "bob")];
    await Deno.writeTextFile(join(alice, "Report.txt"), "the report\n");
    const seeder = await startSeeder({
      dir: alice,
      trackerPort: tracker.port,
      uploadLimit: "1M",
      publish: ["Report.txt"],
    });
    try {
      const ask = (command: string[]) => oneShot(tracker.port, bob, "bob", command, { json: true });
      // -e is also the peer's --exit-on-error: after sch it is the exact search's.
      const exact = await ask(["sch", "-e", "report"]);
      assert.equal(exact.code, 0, exact.stderr);
      assert.deepEqual(json(exact).files, []);
      const long = await ask(["sch", "-l", "report"]);
      assert.equal(long.code, 0, long.stderr);
      const [found] = json(long).found as {
        name: string;
        versions: { size: number; holders: number }[];
      }[];
      assert.equal(found.name, "Report.txt");
      assert.deepEqual(found.versions.map(({ size, holders }) => ({ size, holders })), [
        { size: 11, holders: 1 },
      ]);
      const version = await ask(["get", "-v", "9", "Report.txt"]);
      assert.equal(version.code, 1, version.stderr);
      assert.equal(json(version).error, "noSuchVersion");
    } finally {
      await seeder.stop();
    }
  });
});

Deno.test("a one-shot command prints the terminal's lines on stdout and a failure's reason on stderr only", async () => {
  await withTracker(async (tracker, root) => {
    const alice = join(root, "alice");
    await Deno.writeTextFile(join(alice, "a.txt"), "a\n");
    const pub = await oneShot(tracker.port, alice, "alice", ["pub", "a.txt"]);
    assert.deepEqual(pub, { code: 0, stdout: "File published successfully\n", stderr: "" });
    const lpf = await oneShot(tracker.port, alice, "alice", ["lpf"]);
    assert.deepEqual(lpf, { code: 0, stdout: "1 file published:\na.txt\n", stderr: "" });
    const lap = await oneShot(tracker.port, alice, "alice", ["lap"]);
    assert.deepEqual(lap, { code: 0, stdout: "No active peers\n", stderr: "" });
    const get = await oneShot(tracker.port, alice, "alice", ["get", "b.txt"]);
    assert.deepEqual(get, { code: 1, stdout: "", stderr: "File not found\n" });
  });
});

Deno.test("the password comes from --password-file, else PEERSYNC_PASSWORD; a wrong one exits 1", async () => {
  await withTracker(async (tracker, root) => {
    const alice = join(root, "alice");
    const file = join(root, "password.txt");
    await Deno.writeTextFile(file, "alice-pw\nignored second line\n");
    const fromFile = await oneShot(tracker.port, alice, "alice", ["lap"], {
      extra: ["--password-file", file],
      env: { PEERSYNC_PASSWORD: "not-this-one" },
    });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromFile.stdout, "No active peers\n");
    // Saved by an editor that starts UTF-8 with a byte-order mark, with Windows line ends.
    await Deno.writeTextFile(file, "\uFEFFalice-pw\r\n");
    const withMark = await oneShot(tracker.port, alice, "alice", ["lap"], {
      extra: ["--password-file", file],
    });
    assert.equal(withMark.code, 0, withMark.stderr);

    const wrong = await oneShot(tracker.port, alice, "alice", ["lap"], {
      env: { PEERSYNC_PASSWORD: "wrong" },
    });
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stdout, "");
    assert.equal(wrong.stderr, "Authentication failed. Please try again.\n");
    const wrongJson = await oneShot(tracker.port, alice, "alice", ["lap"], {
      json: true,
      env: { PEERSYNC_PASSWORD: "wrong" },
    });
    assert.equal(wrongJson.code, 1);
    assert.deepEqual(json(wrongJson), {
      ok: false,
      command: "lap",
      error: "loginFailed",
      message: "Authentication failed. Please try again.",
    });

    const unreadable = await oneShot(tracker.port, alice, "alice", ["lap"], {
      extra: ["--password-file", join(root, "nope.txt")],
    });
    assert.equal(unreadable.code, 1);
    assert.match(unreadable.stderr, /^peersync-peer: cannot read password file .*nope\.txt: /);
  });
});

Deno.test("a session with --user logs in without prompts and keeps the terminal's texts", async () => {
  await withTracker(async (tracker, root) => {
    const run = await runProgram(
      "peer.ts",
      ["-d", join(root, "alice"), "-u", "alice", String(tracker.port)],
      { stdin: "lap\nxit", env: { PEERSYNC_PASSWORD: "alice-pw" } },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      "Welcome to PeerSync!\nAvailable commands are: get, lap, lpf, pub, sch, unp, xit.\n" +
        "> No active peers\n> Goodbye!\n",
    );
  });
});

Deno.test("--exit-on-error stops a scripted session at the first failed command with exit 1", async () => {
  await withTracker(async (tracker, root) => {
    const args = ["-d", join(root, "alice"), String(tracker.port)];
    const strict = await runProgram("peer.ts", ["-e", ...args], {
      stdin: "alice\nalice-pw\nget missing.bin\nlap\nxit",
    });
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /> File not found\nGoodbye!\n$/);
    assert.match(strict.stderr, /a command failed; not running the rest \(--exit-on-error\)\n$/);
    assert.doesNotMatch(strict.stdout, /No active peers/);

    const usage = await runProgram("peer.ts", ["-e", ...args], {
      stdin: "alice\nalice-pw\nfrobnicate\nlap\nxit",
    });
    assert.equal(usage.code, 1);
    assert.doesNotMatch(usage.stdout, /No active peers/);

    // Without it, `xit` exits 0 as the v1 terminal does, whatever failed before.
    const lenient = await runProgram("peer.ts", args, {
      stdin: "alice\nalice-pw\nget missing.bin\nlap\nxit",
    });
    assert.equal(lenient.code, 0);
    assert.match(lenient.stdout, /> File not found\n> No active peers\n> Goodbye!\n$/);
  });
});

Deno.test("--stay keeps a seeding peer online after end of input until SIGINT, then exits 0", async () => {
  await withTracker(async (tracker, root) => {
    const [alice, bob] = [join(root, "alice"), join(root, "bob")];
    await Deno.writeTextFile(join(alice, "song.mp3"), "la la la\n");
    const seeder = new Program("peer.ts", ["-d", alice, "--stay", String(tracker.port)]);
    try {
      await seeder.type("alice");
      await seeder.type("alice-pw");
      await seeder.type("pub song.mp3");
      await seeder.closeStdin();
      await seeder.stderr.waitFor("staying online");
      // Well past the 3 s session timeout: the heartbeat goes on without input.
      await new Promise((resolve) => setTimeout(resolve, 3500));
      const get = await oneShot(tracker.port, bob, "bob", ["get", "song.mp3"]);
      assert.equal(get.code, 0, get.stderr);
      assert.match(get.stdout, /^song\.mp3 downloaded successfully\n/);
    } finally {
      const status = await seeder.stop("SIGINT");
      assert.equal(status.code, 0, seeder.stderr.text);
      assert.match(seeder.stderr.text, /stopping \(SIGINT\)\n$/);
      assert.match(seeder.stdout.text, /Goodbye!\n$/);
    }
  });
});

Deno.test("an empty password is refused before the tracker hears of it", async () => {
  // An empty password can never log in; sent, it would count towards the user's lockout.
  const socket = Deno.listenDatagram({ port: 0, hostname: "127.0.0.1", transport: "udp" });
  const { port } = socket.addr as Deno.NetAddr;
  const dir = await Deno.makeTempDir({ prefix: "peersync-scripting-" });
  let heard = false;
  const listening = (async () => {
    try {
      await socket.receive();
      heard = true;
    } catch {
      // Closed at the end of the test.
    }
  })();
  try {
    const file = join(dir, "password.txt");
    await Deno.writeTextFile(file, "\nsecond line\n");
    const fromFile = await oneShot(port, dir, "alice", ["lap"], {
      extra: ["--password-file", file],
    });
    assert.equal(fromFile.code, 1);
    assert.equal(fromFile.stdout, "");
    assert.equal(
      fromFile.stderr,
      `peersync-peer: password file ${file} has an empty first line\n`,
    );
    const fromEnvironment = await oneShot(port, dir, "alice", ["lap"], {
      env: { PEERSYNC_PASSWORD: "" },
    });
    assert.equal(fromEnvironment.code, 2);
    assert.equal(
      fromEnvironment.stderr,
      "peersync-peer: PEERSYNC_PASSWORD is empty (see --help)\n",
    );
    assert.equal(heard, false);
  } finally {
    socket.close();
    await listening;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("one-shot usage errors exit 2 with one line on stderr and nothing on stdout", async () => {
  const dir = await Deno.makeTempDir({ prefix: "peersync-scripting-" });
  try {
    const env = { PEERSYNC_PASSWORD: "x" };
    const cases: { args: string[]; env?: Record<string, string> }[] = [
      { args: ["5000", "lap"], env },
      { args: ["-u", "alice", "5000", "xit"], env },
      { args: ["-u", "alice", "5000", "get"], env },
      { args: ["-u", "alice", "5000", "get", "a", "b"], env },
      { args: ["-u", "alice", "5000", "frobnicate"], env },
      { args: ["-u", "alice", "5000", "get", "../x"], env },
      { args: ["-u", "alice", "--json", "5000"], env },
      { args: ["-u", "alice", "--stay", "5000", "lap"], env },
      { args: ["-u", "alice", "-t", "localhost", "lap"], env },
      { args: ["-u", "alice", "-t", "localhost:0", "lap"], env },
      { args: ["-u", "alice", "-t", "127.0.0.1:5000", "--host", "::1", "lap"], env },
      { args: ["--password-file", "pw.txt", "5000"], env },
      { args: ["-u", "alice", "5000", "lap"], env: {} },
    ];
    const runs = await Promise.all(
      cases.map((each) => runProgram("peer.ts", ["-d", dir, ...each.args], { env: each.env })),
    );
    runs.forEach((run, index) => {
      const label = JSON.stringify(cases[index].args);
      assert.equal(run.code, 2, `${label}: ${run.stderr}`);
      assert.equal(run.stdout, "", label);
      assert.match(run.stderr, /^peersync-peer: [^\n]+ \(see --help\)\n$/, label);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a tracker that does not answer makes a one-shot command exit 1 with the reason", async () => {
  // A port with no tracker: nothing answers there.
  const socket = Deno.listenDatagram({ port: 0, hostname: "127.0.0.1", transport: "udp" });
  const { port } = socket.addr as Deno.NetAddr;
  const dir = await Deno.makeTempDir({ prefix: "peersync-scripting-" });
  try {
    const run = await oneShot(port, dir, "alice", ["lap"], {
      json: true,
      extra: ["--timeout", "300"],
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /is not responding\n$/);
    const result = json(run);
    assert.equal(result.ok, false);
    assert.equal(result.command, "lap");
    assert.equal(result.error, "trackerNotResponding");
    assert.match(String(result.message), /is not responding$/);
  } finally {
    socket.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a silent IPv6 tracker is named as it is typed, [::1]:PORT", async () => {
  const socket = Deno.listenDatagram({ port: 0, hostname: "::1", transport: "udp" });
  const { port } = socket.addr as Deno.NetAddr;
  const other = Deno.listenDatagram({ port: 0, hostname: "::1", transport: "udp" });
  const otherPort = (other.addr as Deno.NetAddr).port;
  const dir = await Deno.makeTempDir({ prefix: "peersync-scripting-" });
  try {
    const run = await runProgram("peer.ts", [
      "-d",
      dir,
      "-u",
      "alice",
      "--timeout",
      "300",
      "-t",
      `[::1]:${port}`,
      "-t",
      `[::1]:${otherPort}`,
      "lap",
    ], { env: { PEERSYNC_PASSWORD: "alice-pw" } });
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      `Tracker at [::1]:${port} is not responding; trying [::1]:${otherPort}\n` +
        `Tracker at [::1]:${otherPort} is not responding\n`,
    );
  } finally {
    socket.close();
    other.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every program answers --version and -V with the one version, and -h with help", async () => {
  const { VERSION } = await import("../lib/version.ts");
  for (
    const [script, name] of [
      ["peer.ts", "peersync-peer"],
      ["tracker.ts", "peersync-tracker"],
      ["passwd.ts", "peersync-passwd"],
    ]
  ) {
    for (const flag of ["--version", "-V"]) {
      const run = await runProgram(script, [flag]);
      assert.deepEqual(run, { code: 0, stdout: `${name} ${VERSION}\n`, stderr: "" }, script);
    }
    const help = await runProgram(script, ["-h"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, new RegExp(`^Usage: ${name} `));
    assert.match(help.stdout, /-V, --version/);
  }
});

Deno.test("seed publishes the folder, follows new, changed and deleted files, and exits 0 on SIGTERM", async () => {
  await withTracker(async (tracker, root) => {
    const [alice, bob] = [join(root, "alice"), join(root, "bob")];
    const elsewhere = join(root, "elsewhere");
    await Deno.mkdir(elsewhere);
    await Deno.writeTextFile(join(elsewhere, "stale.txt"), "not in the seeded folder\n");
    assert.equal((await oneShot(tracker.port, elsewhere, "alice", ["pub", "stale.txt"])).code, 0);
    await Deno.writeTextFile(join(alice, "first.txt"), "first\n");
    const seeder = new Program(
      "peer.ts",
      ["-u", "alice", "-t", `127.0.0.1:${tracker.port}`, "seed", alice],
      { env: { PEERSYNC_PASSWORD: "alice-pw" } },
    );
    try {
      await seeder.stderr.waitFor("following it");
      assert.match(seeder.stderr.text, /seed: withdrew stale\.txt/);
      assert.match(seeder.stderr.text, /seed: published first\.txt/);
      const found = json(await oneShot(tracker.port, bob, "bob", ["sch", "t"], { json: true }));
      assert.deepEqual(found.files, ["first.txt"]);

      let from = seeder.stderr.text.length;
      await Deno.writeTextFile(join(alice, "second.txt"), "version one\n");
      await seeder.stderr.waitFor("seed: published second.txt", 10_000, from);
      const got = await oneShot(tracker.port, bob, "bob", ["get", "second.txt"]);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(await Deno.readTextFile(join(bob, "second.txt")), "version one\n");

      from = seeder.stderr.text.length;
      await Deno.writeTextFile(join(alice, "second.txt"), "version two, longer\n");
      await seeder.stderr.waitFor("seed: republished second.txt (changed)", 10_000, from);
      const carol = join(root, "carol");
      await Deno.mkdir(carol);
      const again = await oneShot(tracker.port, carol, "carol", ["get", "second.txt"]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(await Deno.readTextFile(join(carol, "second.txt")), "version two, longer\n");

      from = seeder.stderr.text.length;
      await Deno.remove(join(alice, "first.txt"));
      await seeder.stderr.waitFor("seed: withdrew first.txt", 10_000, from);
      const gone = await oneShot(tracker.port, carol, "carol", ["get", "first.txt"], {
        json: true,
      });
      assert.equal(gone.code, 1);
      assert.equal(json(gone).error, "fileNotFound");
    } finally {
      const status = await seeder.stop("SIGTERM");
      assert.equal(status.code, 0, seeder.stderr.text);
      assert.equal(seeder.stdout.text, "");
      assert.match(seeder.stderr.text, /seed: stopping\n$/);
    }
  });
});

Deno.test("seed without --user, or with a folder twice, is a usage error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "peersync-scripting-" });
  try {
    for (
      const args of [
        ["5000", "seed", dir],
        ["-u", "alice", "-d", dir, "5000", "seed", dir],
        ["-u", "alice", "5000", "seed", dir, dir],
        ["-u", "alice", "--json", "5000", "seed", dir],
      ]
    ) {
      const run = await runProgram("peer.ts", args, { env: { PEERSYNC_PASSWORD: "x" } });
      assert.equal(run.code, 2, args.join(" "));
      assert.match(run.stderr, /^peersync-peer: [^\n]+ \(see --help\)\n$/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
