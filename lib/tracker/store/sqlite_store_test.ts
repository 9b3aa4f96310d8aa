import assert from "node:assert/strict";
import { StoreRuntimeError, StoreWriteError } from "./errors.ts";
import { SqliteStore, type SqliteStoreOptions } from "./sqlite_store.ts";
import type { PublicationMeta } from "./store.ts";

const meta = (size: number): PublicationMeta => ({
  size,
  sha256: size.toString(16).padStart(64, "0"),
});

type Row = [string, string, PublicationMeta | undefined];

async function rows(store: SqliteStore): Promise<Row[]> {
  const seen: Row[] = [];
  await store.loadAll((user, name, meta) => seen.push([user, name, meta]));
  return seen;
}

/** A temp dir with a db path, removed (with whatever the test left open closed) at the end. */
async function tempDb(): Promise<{ file: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir();
  return {
    file: `${dir}/peersync-tracker.db`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

Deno.test("sqlite store: what was written is there after close and reopen", async () => {
  await using db = await tempDb();
  const expected = new Map<string, PublicationMeta | undefined>();
  {
    await using store = SqliteStore.open(db.file);
    for (let index = 0; index < 3_000; index++) {
      const user = `user${index % 7}`;
      const name = `file-${index}.bin`;
      const value = index % 3 === 0 ? undefined : meta(index);
      store.publish(user, name, value);
      expected.set(`${user}\t${name}`, value);
    }
    for (let index = 0; index < 3_000; index += 10) {
      store.unpublish(`user${index % 7}`, `file-${index}.bin`);
      expected.delete(`user${index % 7}\tfile-${index}.bin`);
    }
    await store.flush();
    store.removeUser("user3");
    for (const key of [...expected.keys()]) if (key.startsWith("user3\t")) expected.delete(key);
    store.publish("user3", "after-removal", meta(1));
    expected.set("user3\tafter-removal", meta(1));
  }
  await using again = SqliteStore.open(db.file);
  const loaded = new Map(
    (await rows(again)).map(([user, name, meta]) => [`${user}\t${name}`, meta]),
  );
  assert.equal(loaded.size, expected.size);
  assert.deepEqual(loaded, expected);
});

Deno.test("sqlite store: publish then unpublish before a write coalesces to one change", async () => {
  await using db = await tempDb();
  await using store = SqliteStore.open(db.file);
  store.publish("alice", "a.txt", meta(1));
  store.unpublish("alice", "a.txt");
  store.publish("alice", "b.txt");
  store.publish("alice", "b.txt", meta(2));
  await store.flush();
  assert.deepEqual(store.stats, {
    pending: 0,
    written: 2,
    transactions: 1,
    coalesced: 2,
    failures: 0,
    dropped: 0,
  });
  assert.deepEqual(await rows(store), [["alice", "b.txt", meta(2)]]);
});

Deno.test("sqlite store: 10,000 publishes in one turn of the event loop are one transaction", async () => {
  await using db = await tempDb();
  await using store = SqliteStore.open(db.file);
  for (let index = 0; index < 10_000; index++) store.publish(`user${index % 50}`, `f${index}`);
  assert.equal(store.stats.transactions, 0, "nothing is written while the caller runs");
  assert.equal(store.stats.pending, 10_000);
  await store.flush();
  assert.equal(store.stats.transactions, 1);
  assert.equal(store.stats.written, 10_000);
});

Deno.test("sqlite store: a full batch is written on the next turn, without waiting for the interval", async () => {
  await using db = await tempDb();
  // An interval that never comes within the test: only batchSize can trigger a write.
  await using store = SqliteStore.open(db.file, { batchSize: 1_000, intervalMs: 60_000 });
  for (let round = 0; round < 10; round++) {
    for (let index = 0; index < 500; index++) store.publish("alice", `r${round}-${index}`);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  // The writer works beside the loop: a batch is in flight while the next fills, and what
  // queued meanwhile goes in the next batch. Whatever reached 1,000 is written within a few
  // turns; only a remainder under 1,000 may wait for the (never coming) interval.
  const deadline = performance.now() + 10_000;
  while (store.stats.pending >= 1_000 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const { written, pending, transactions } = store.stats;
  assert.equal(written + pending, 5_000);
  assert.ok(pending < 1_000, `pending ${pending}`);
  assert.ok(written >= 4_000, `written ${written}`);
  assert.ok(transactions >= 1 && transactions <= 5, `transactions ${transactions}`);
});

Deno.test("sqlite store: a full disk keeps the batch queued and reports it; writes resume once there is room", async () => {
  await using db = await tempDb();
  const errors: StoreRuntimeError[] = [];
  const recoveries: number[] = [];
  const options: SqliteStoreOptions = {
    maxBytes: 32 * 1024,
    onError: (error) => errors.push(error),
    onRecover: ({ failures }) => recoveries.push(failures),
  };
  await using store = SqliteStore.open(db.file, options);
  store.publish("alice", "kept.txt", meta(1));
  await store.flush();
  for (let index = 0; index < 2_000; index++) store.publish("bob", `big-${index}`, meta(index));
  await assert.rejects(store.flush(), (error: unknown) => {
    assert.ok(error instanceof StoreWriteError);
    assert.equal(error.reason, "full");
    assert.equal(
      error.message,
      `${db.file}: cannot write 2000 changes (database or disk is full); ` +
        "keeping them in memory and retrying",
    );
    return true;
  });
  assert.equal(errors.length, 1);
  assert.equal(store.stats.pending, 2_000);
  assert.equal(store.stats.failures, 1);
  // Withdrawing the big publications turns the queued inserts into deletes, which fit.
  for (let index = 0; index < 2_000; index++) store.unpublish("bob", `big-${index}`);
  store.publish("bob", "small.txt");
  await store.flush();
  assert.deepEqual(recoveries, [1]);
  assert.deepEqual(await rows(store), [
    ["alice", "kept.txt", meta(1)],
    ["bob", "small.txt", undefined],
  ]);
});

Deno.test("sqlite store: while its file is moved away it writes nothing, keeps the changes, and catches up when it is back", async () => {
  await using db = await tempDb();
  const errors: StoreRuntimeError[] = [];
  {
    await using store = SqliteStore.open(db.file, { onError: (error) => errors.push(error) });
    store.publish("alice", "before.txt");
    await store.flush();
    await Deno.rename(db.file, `${db.file}.moved`);
    store.publish("alice", "during.txt", meta(3));
    await assert.rejects(store.flush(), (error: unknown) => {
      assert.ok(error instanceof StoreWriteError);
      assert.equal(error.reason, "gone");
      assert.match(error.message, /the database file was deleted or moved away/);
      return true;
    });
    assert.equal(store.stats.pending, 1);
    await Deno.writeTextFile(db.file, "an impostor");
    await assert.rejects(store.flush(), /the database file was replaced/);
    await Deno.rename(`${db.file}.moved`, db.file);
    await store.flush();
    assert.equal(store.stats.pending, 0);
  }
  assert.deepEqual(errors.map((error) => (error as StoreWriteError).reason), ["gone", "gone"]);
  await using again = SqliteStore.open(db.file);
  assert.deepEqual(await rows(again), [
    ["alice", "before.txt", undefined],
    ["alice", "during.txt", meta(3)],
  ]);
});

Deno.test("sqlite store: a clean close leaves one file, its WAL checkpointed", async () => {
  await using db = await tempDb();
  const store = SqliteStore.open(db.file);
  store.publish("alice", "a.txt");
  await store.flush();
  assert.ok((await Deno.stat(`${db.file}-wal`)).isFile, "WAL mode while open");
  await store.close();
  await assert.rejects(Deno.stat(`${db.file}-wal`), Deno.errors.NotFound);
});
