/**
 * The tracker's publications outlive its process: restarts after SIGTERM and SIGKILL, a damaged
 * or locked database, `--store memory`, and credentials reloaded while it runs — real tracker
 * processes on real database files, spoken to over raw v1 UDP.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteStore } from "../lib/tracker/store/mod.ts";
import { Program, runProgram, TrackerProcess } from "./support/programs.ts";
import { UdpProbe } from "./support/udp_probe.ts";

const USERS = "alice alice-pw\nbob bob-pw\ncarol carol-pw\n";

async function inTrackerDir(
  body: (dir: string) => Promise<void>,
  credentials = USERS,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "peersync-store-" });
  await Deno.writeTextFile(`${dir}/credentials.txt`, credentials);
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs `body` with functions that open v1 probes (logged in, or not), all closed afterwards.
 */
async function withProbes(
  tracker: TrackerProcess,
  body: (login: (user: string) => Promise<UdpProbe>, anonymous: () => UdpProbe) => Promise<void>,
): Promise<void> {
  const probes: UdpProbe[] = [];
  const anonymous = () => {
    const probe = new UdpProbe(tracker.port);
    probes.push(probe);
    return probe;
  };
  const login = async (user: string) => {
    const probe = anonymous();
    assert.equal(await probe.ask(`auth ${user} ${user}-pw`), "OK", `${user} logs in`);
    await probe.send(`TCP 127.0.0.1 ${probe.port}`);
    return probe;
  };
  try {
    await body(login, anonymous);
  } finally {
    await Promise.all(probes.map((probe) => probe.close()));
  }
}

/**
 * Waits until the database holds exactly `rows` (`user/name`, in order): the write is behind by
 * ~50 ms, and on a loaded machine by more, so a fixed pause before a SIGKILL would test the
 * machine's load. The rows themselves, not their count: a count of 3 was also reached before a
 * later `unp` and `pub` were written.
 */
async function untilWritten(dir: string, rows: readonly string[]): Promise<void> {
  const started = Date.now();
  while (true) {
    const db = new DatabaseSync(`${dir}/peersync-tracker.db`, { readOnly: true });
    let written: string[];
    try {
      written = db.prepare("SELECT user, name FROM publication ORDER BY user, name").all()
        .map((row) => `${row.user}/${row.name}`);
    } finally {
      db.close();
    }
    if (written.join("\n") === rows.join("\n")) return;
    assert.ok(
      Date.now() - started < 10_000,
      `written in 10 s: ${written.join(", ")}; expected ${rows.join(", ")}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Alice publishes two files and leaves; bob publishes one and stays. */
async function publishBeforeStop(tracker: TrackerProcess): Promise<void> {
  await withProbes(tracker, async (login) => {
    const alice = await login("alice");
    assert.equal(await alice.ask("pub notes.txt"), "File published successfully");
    assert.equal(await alice.ask("pub photo.jpg"), "File published successfully");
    assert.equal(await alice.ask("pub gone.txt"), "File published successfully");
    assert.equal(await alice.ask("unp gone.txt"), "File unpublished successfully");
    const bob = await login("bob");
    assert.equal(await bob.ask("pub song.mp3"), "File published successfully");
    await untilWritten(tracker.dir, ["alice/notes.txt", "alice/photo.jpg", "bob/song.mp3"]);
  });
}

/** After a restart: alice's `lpf` is intact, bob's file is found once bob is back. */
async function checkAfterRestart(tracker: TrackerProcess): Promise<void> {
  await tracker.program.stdout.waitFor("Loaded 3 publications of 2 users");
  await withProbes(tracker, async (login) => {
    const alice = await login("alice");
    assert.equal(await alice.ask("lpf"), "notes.txt, photo.jpg");
    assert.equal(await alice.ask("sch song"), "No files found", "bob is offline");
    assert.equal(await alice.ask("get song.mp3"), "No active peer has this file");
    const bob = await login("bob");
    assert.equal(await bob.ask("lpf"), "song.mp3");
    assert.equal(await alice.ask("sch song"), "song.mp3");
  });
}

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
  Deno.test(`publications of online and offline users survive ${signal} and a restart`, async () => {
    await inTrackerDir(async (dir) => {
      const first = await TrackerProcess.startIn(dir);
      try {
        await publishBeforeStop(first);
      } finally {
        const status = await first.stop(signal);
        assert.deepEqual(
          [status?.code, status?.signal],
          signal === "SIGTERM" ? [0, null] : [137, "SIGKILL"],
        );
      }
      const second = await TrackerProcess.startIn(dir);
      try {
        await checkAfterRestart(second);
      } finally {
        await second.stop();
      }
    });
  });
}

Deno.test("a start with the wrong credentials file keeps the missing users' publications for later", async () => {
  await inTrackerDir(async (dir) => {
    const first = await TrackerProcess.startIn(dir);
    try {
      await withProbes(first, async (login) => {
        const bob = await login("bob");
        assert.equal(await bob.ask("pub song.mp3"), "File published successfully");
      });
    } finally {
      await first.stop();
    }
    // An operator's slip: a file with alice alone.
    await Deno.writeTextFile(`${dir}/credentials.txt`, "alice alice-pw\n");
    const wrong = await TrackerProcess.startIn(dir);
    try {
      await wrong.program.stdout.waitFor(
        /1 stored publication of 1 user not in the credentials file \(bob\) kept/,
      );
      await withProbes(wrong, async (login) => {
        const alice = await login("alice");
        assert.equal(await alice.ask("get song.mp3"), "File not found");
      });
    } finally {
      await wrong.stop();
    }
    await Deno.writeTextFile(`${dir}/credentials.txt`, USERS);
    const right = await TrackerProcess.startIn(dir);
    try {
      await right.program.stdout.waitFor("Loaded 1 publication of 1 user");
      await withProbes(right, async (login) => {
        const bob = await login("bob");
        assert.equal(await bob.ask("lpf"), "song.mp3");
        const alice = await login("alice");
        assert.equal(await alice.ask("sch song"), "song.mp3");
      });
    } finally {
      await right.stop();
    }
  });
});

Deno.test("the database is created beside the credentials file, and only it after a clean stop", async () => {
  await inTrackerDir(async (dir) => {
    const tracker = await TrackerProcess.startIn(dir);
    await tracker.program.stdout.waitFor(`from ${dir}/peersync-tracker.db in `);
    assert.equal((await tracker.stop())?.code, 0);
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepEqual(names.sort(), ["credentials.txt", "peersync-tracker.db"]);
  });
});

Deno.test("--db puts the database where asked", async () => {
  await inTrackerDir(async (dir) => {
    await Deno.mkdir(`${dir}/data`);
    const tracker = await TrackerProcess.startIn(dir, ["--db", `${dir}/data/t.db`]);
    try {
      await tracker.program.stdout.waitFor(`from ${dir}/data/t.db in `);
    } finally {
      await tracker.stop();
    }
    assert.ok((await Deno.stat(`${dir}/data/t.db`)).isFile);
    await assert.rejects(Deno.stat(`${dir}/peersync-tracker.db`), Deno.errors.NotFound);
  });
});

Deno.test("a damaged database stops the tracker with one line naming the file, untouched", async () => {
  await inTrackerDir(async (dir) => {
    const garbage = new Uint8Array(8192).map((_, index) => (index * 7919) % 251);
    await Deno.writeFile(`${dir}/peersync-tracker.db`, garbage);
    const result = await runProgram("tracker.ts", ["--credentials", `${dir}/credentials.txt`, "0"]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`^peersync-tracker: ${dir}/peersync-tracker\\.db: not an SQLite database`),
    );
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace");
    assert.doesNotMatch(result.stdout, /listening/);
    assert.deepEqual(await Deno.readFile(`${dir}/peersync-tracker.db`), garbage);
  });
});

Deno.test("a second tracker on the same database refuses to start, saying why", async () => {
  await inTrackerDir(async (dir) => {
    const first = await TrackerProcess.startIn(dir);
    try {
      const result = await runProgram("tracker.ts", [
        "--credentials",
        `${dir}/credentials.txt`,
        "0",
      ]);
      assert.equal(result.code, 1);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, /peersync-tracker\.db: in use by another tracker process/);
      await withProbes(first, async (login) => {
        await login("alice"); // the first one still serves
      });
    } finally {
      await first.stop();
    }
  });
});

Deno.test("--store memory forgets publications at stop and writes no file", async () => {
  await inTrackerDir(async (dir) => {
    const first = await TrackerProcess.startIn(dir, ["--store", "memory"]);
    try {
      await first.program.stdout.waitFor("kept in memory only");
      await withProbes(first, async (login) => {
        assert.equal(
          await (await login("alice")).ask("pub notes.txt"),
          "File published successfully",
        );
      });
    } finally {
      await first.stop();
    }
    const second = await TrackerProcess.startIn(dir, ["--store", "memory"]);
    try {
      await withProbes(second, async (login) => {
        assert.equal(await (await login("alice")).ask("lpf"), "No published files");
      });
    } finally {
      await second.stop();
    }
    await assert.rejects(Deno.stat(`${dir}/peersync-tracker.db`), Deno.errors.NotFound);
  });
});

Deno.test("--store rejects other kinds and --db with memory as usage errors", async () => {
  for (const args of [["--store", "redis", "0"], ["--store", "memory", "--db", "x.db", "0"]]) {
    const result = await runProgram("tracker.ts", args);
    assert.equal(result.code, 2, args.join(" "));
    assert.match(result.stderr, /^peersync-tracker: .*\(see --help\)\n$/);
  }
});

Deno.test("SIGHUP reloads credentials: a new user logs in, a removed one is logged out for good", async () => {
  await inTrackerDir(async (dir) => {
    const tracker = await TrackerProcess.startIn(dir);
    try {
      await withProbes(tracker, async (login, anonymous) => {
        const alice = await login("alice");
        assert.equal(await alice.ask("pub notes.txt"), "File published successfully");
        const dave = anonymous();
        assert.equal(await dave.ask("auth dave dave-pw"), "ERR", "dave is not known yet");
        await Deno.writeTextFile(`${dir}/credentials.txt`, "bob bob-pw\ndave dave-pw\n");
        tracker.program.kill("SIGHUP");
        await tracker.program.stdout.waitFor(
          /Credentials reloaded \(SIGHUP\) .*: 2 users; added dave; removed alice, carol/,
        );
        await tracker.program.stdout.waitFor(
          "User alice removed from the credentials: logged out, 1 publication withdrawn",
        );
        assert.equal(await dave.ask("auth dave dave-pw"), "OK");
        assert.equal(await alice.ask("lpf"), "ERR", "alice's session ended");
        assert.equal(await anonymous().ask("auth alice alice-pw"), "ERR");
      });
    } finally {
      await tracker.stop();
    }
    // Her publications are gone from the database too: back in the file, she has none.
    await Deno.writeTextFile(`${dir}/credentials.txt`, USERS);
    const again = await TrackerProcess.startIn(dir);
    try {
      await withProbes(again, async (login) => {
        assert.equal(await (await login("alice")).ask("lpf"), "No published files");
      });
    } finally {
      await again.stop();
    }
  });
});

Deno.test("a changed credentials file is picked up without a signal; a broken one is refused", async () => {
  await inTrackerDir(async (dir) => {
    const tracker = await TrackerProcess.startIn(dir);
    try {
      await withProbes(tracker, async (login, anonymous) => {
        const bob = await login("bob");
        // Replaced by a rename, as `deno task passwd --file` does.
        await Deno.writeTextFile(`${dir}/.credentials.tmp`, USERS + "dave dave-pw\n");
        await Deno.rename(`${dir}/.credentials.tmp`, `${dir}/credentials.txt`);
        await tracker.program.stdout.waitFor(/Credentials reloaded \(file changed\) .*added dave/);
        assert.equal(await anonymous().ask("auth dave dave-pw"), "OK");

        const mark = tracker.program.stdout.text.length;
        await Deno.writeTextFile(`${dir}/credentials.txt`, "alice alice-pw\nbob\n");
        await tracker.program.stdout.waitFor(
          /Credentials not reloaded \(file changed\): .*credentials\.txt:2: .*; keeping the 4 users loaded before/,
          10_000,
          mark,
        );
        assert.equal(await bob.ask("lpf"), "No published files", "bob keeps his session");
        assert.equal(await anonymous().ask("auth carol carol-pw"), "OK", "old users still log in");
      });
    } finally {
      await tracker.stop();
    }
  });
});

Deno.test("a user added by passwd --file can log in to the running tracker at once", async () => {
  await inTrackerDir(async (dir) => {
    const tracker = await TrackerProcess.startIn(dir);
    try {
      const added = await runProgram("passwd.ts", ["--file", `${dir}/credentials.txt`, "dave"], {
        stdin: "dave-pw",
      });
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, /Added dave .*a tracker running on this file picks the change up/);
      await tracker.program.stdout.waitFor(/Credentials reloaded \(file changed\) .*added dave/);
      await withProbes(tracker, async (login) => {
        await login("dave");
      });
    } finally {
      await tracker.stop();
    }
  });
});

/** A database with `count` publications of alice, bob and carol, written straight to SQLite. */
async function storeMany(dir: string, count: number): Promise<void> {
  const store = SqliteStore.open(`${dir}/peersync-tracker.db`);
  try {
    const users = ["alice", "bob", "carol"];
    for (let index = 0; index < count; index++) {
      store.publish(users[index % users.length], `file-${index}.bin`);
      if (index % 100_000 === 99_999) await store.flush();
    }
  } finally {
    await store.close();
  }
}

// Long enough a load (seconds here) that the signal lands in it, well past the listeners.
const MANY = 300_000;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`${signal} while publications load stops the tracker in one line, exit 0, database closed`, async () => {
    await inTrackerDir(async (dir) => {
      await storeMany(dir, MANY);
      const tracker = new Program("tracker.ts", ["--credentials", `${dir}/credentials.txt`, "0"]);
      await tracker.stdout.waitFor("Loading publications from", 30_000);
      const status = await tracker.stop(signal);
      assert.equal(tracker.stderr.text, "");
      assert.doesNotMatch(tracker.stdout.text, /listening/);
      assert.match(
        tracker.stdout.text,
        new RegExp(`Tracker stopped by ${signal} while loading publications; the store is closed`),
      );
      assert.equal(status.code, 0);
      // Closed properly: no write-ahead log left, and every publication is still there.
      const names = [];
      for await (const entry of Deno.readDir(dir)) names.push(entry.name);
      assert.deepEqual(names.sort(), ["credentials.txt", "peersync-tracker.db"]);
      const again = SqliteStore.open(`${dir}/peersync-tracker.db`);
      try {
        assert.equal(await again.loadAll(() => {}), MANY);
      } finally {
        await again.close();
      }
    });
  });
}
