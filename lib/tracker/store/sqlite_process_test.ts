/** The SQLite store seen from two processes: the lock between trackers, and SIGKILL. */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteStore } from "./sqlite_store.ts";
import { fillInChild, onlyTheFile, openInChild, startKillChild } from "./testdata/run_child.ts";

async function tempDb(): Promise<{ file: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir();
  return {
    file: `${dir}/peersync-tracker.db`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

Deno.test("sqlite process: a second tracker process is refused the file while the first holds it", async () => {
  await using db = await tempDb();
  const holder = SqliteStore.open(db.file);
  holder.publish("alice", "a.txt");
  await holder.flush();
  assert.deepEqual(await openInChild(db.file, onlyTheFile(db.file)), {
    ok: false,
    name: "StoreUnavailableError",
    reason: "locked",
    message: `${db.file}: in use by another tracker process (it holds the file's lock); ` +
      "two trackers on one file would split its publications",
  });
  // A backup reader is not locked out while the tracker runs.
  const copy = `${db.file}.backup`;
  const reader = new DatabaseSync(db.file, { readOnly: true });
  reader.exec(`VACUUM INTO '${copy}'`);
  reader.close();
  await holder.close();
  assert.deepEqual(await openInChild(db.file, onlyTheFile(db.file)), { ok: true, count: 1 });
  assert.deepEqual(await openInChild(copy, onlyTheFile(copy)), { ok: true, count: 1 });
});

Deno.test("sqlite process: a lock held only for a moment (a child between fork and exec) is waited out", async () => {
  await using db = await tempDb();
  const holder = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `const file = Deno.openSync(${JSON.stringify(db.file)}, { write: true, create: true });
       file.lockSync(true);
       console.log("locked");
       setTimeout(() => file.close(), 20);`,
    ],
    stdout: "piped",
  }).spawn();
  const lines = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("locked\n")) {
    const { value, done } = await lines.read();
    if (done) break;
    seen += value;
  }
  assert.equal(seen, "locked\n");
  // Held by the other process right now: opened once it lets go, not refused.
  const store = SqliteStore.open(db.file);
  await store.close();
  await lines.cancel();
  assert.equal((await holder.status).code, 0);
});

Deno.test("sqlite process: SIGKILL keeps everything flushed, and what the 50 ms timer wrote", async () => {
  await using db = await tempDb();
  const child = startKillChild(db.file);
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("queued\n")) {
    const { value, done } = await lines.read();
    if (done) break;
    seen += value;
  }
  assert.equal(seen, "flushed\nwaited\nqueued\n");
  child.kill("SIGKILL");
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL");
  await lines.cancel();

  await using store = SqliteStore.open(db.file);
  const byUser = new Map<string, number>();
  let digestsRight = true;
  await store.loadAll((user, name, meta) => {
    byUser.set(user, (byUser.get(user) ?? 0) + 1);
    if (user === "flushed") {
      const index = Number(name.slice("file-".length));
      digestsRight &&= meta?.size === index && meta.sha256 === index.toString(16).padStart(64, "0");
    } else {
      digestsRight &&= meta === undefined;
    }
  });
  assert.equal(byUser.get("flushed"), 499, "the flushed batch, less the one withdrawn in phase 2");
  assert.equal(byUser.get("timed"), 500, "the batch the timer wrote within 250 ms");
  assert.ok(digestsRight, "sizes and digests as published");
  // The last batch is written whole or not at all.
  assert.ok([undefined, 500].includes(byUser.get("late")), `late: ${byUser.get("late")}`);
});

Deno.test({
  name:
    "sqlite process: a file-size limit (ulimit -f) fails a write like a full disk, not the process" +
    (Deno.build.os === "windows" ? " (skipped: no ulimit on Windows)" : ""),
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await using db = await tempDb();
    const denoDir = await Deno.makeTempDir();
    try {
      // SIGXFSZ's default action ends the process at the limit, as SIGKILL would.
      const { status, stdout } = await fillInChild(db.file, 2048, denoDir);
      assert.equal(status.signal, null, `killed: ${JSON.stringify(status)}`);
      assert.equal(status.code, 0);
      const { written, reason } = JSON.parse(stdout) as { written: number; reason?: string };
      // SQLite reports EFBIG as a disk I/O error, with a code the worker does not carry: "other".
      assert.ok(reason !== undefined, "the write failed with a StoreWriteError");
      assert.ok(written > 0, "batches before the limit were written");
      await using store = SqliteStore.open(db.file);
      assert.equal(await store.loadAll(() => {}), written, "what was written is intact");
    } finally {
      await Deno.remove(denoDir, { recursive: true });
    }
  },
});
