import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { StoreCorruptError, StoreUnavailableError } from "./errors.ts";
import { APPLICATION_ID } from "./sqlite_schema.ts";
import { SqliteStore } from "./sqlite_store.ts";
import { onlyTheFile, openInChild } from "./testdata/run_child.ts";

async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir();
  return {
    path,
    [Symbol.asyncDispose]: async () => {
      await Deno.chmod(path, 0o700);
      await Deno.remove(path, { recursive: true });
    },
  };
}

/** Opening `file` fails with `kind`; the message is one line naming the file; the bytes are untouched. */
async function assertRefused(
  file: string,
  kind: typeof StoreCorruptError | typeof StoreUnavailableError,
  reason: string,
  message: RegExp,
): Promise<void> {
  const before = await Deno.readFile(file).catch(() => undefined);
  assert.throws(() => SqliteStore.open(file), (error: unknown) => {
    assert.ok(error instanceof kind, `${error} is a ${kind.name}`);
    assert.equal(error.reason, reason);
    assert.ok(error.message.startsWith(`${file}: `), error.message);
    assert.ok(!error.message.includes("\n"), "one line");
    assert.match(error.message, message);
    return true;
  });
  if (before) {
    assert.deepEqual(await Deno.readFile(file), before, "the refused file is left as it was");
  }
}

Deno.test("sqlite open: random bytes are not a database, and the file is left alone", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/tracker.db`;
  await Deno.writeFile(file, crypto.getRandomValues(new Uint8Array(8192)));
  await assertRefused(
    file,
    StoreCorruptError,
    "notDatabase",
    /: not an SQLite database \(file is not a database\); move it away or restore a backup$/,
  );
});

Deno.test("sqlite open: a text file is not a database", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/tracker.db`;
  await Deno.writeTextFile(file, "alice wonderland\nbob builder123\n");
  await assertRefused(file, StoreCorruptError, "notDatabase", /not an SQLite database/);
});

Deno.test("sqlite open: a truncated database is damaged", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/tracker.db`;
  {
    await using store = SqliteStore.open(file);
    for (let index = 0; index < 3_000; index++) store.publish(`u${index % 9}`, `file-${index}`);
  }
  const bytes = await Deno.readFile(file);
  assert.ok(bytes.length > 64 * 1024, "a database of many pages");
  await Deno.writeFile(file, bytes.subarray(0, bytes.length / 2));
  await assertRefused(
    file,
    StoreCorruptError,
    "malformed",
    /: the database is damaged \(database disk image is malformed\); restore a backup or move it away$/,
  );
});

Deno.test("sqlite open: a damaged page in the middle fails the load instead of loading part", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/tracker.db`;
  {
    await using store = SqliteStore.open(file);
    for (let index = 0; index < 3_000; index++) store.publish(`u${index % 9}`, `file-${index}`);
  }
  const bytes = await Deno.readFile(file);
  bytes.fill(0xa5, 4096 * 4, 4096 * 5);
  await Deno.writeFile(file, bytes);
  await using store = SqliteStore.open(file);
  await assert.rejects(store.loadAll(() => {}), (error: unknown) => {
    assert.ok(error instanceof StoreCorruptError);
    assert.equal(error.reason, "malformed");
    assert.ok(error.message.startsWith(`${file}: the database is damaged`));
    return true;
  });
});

Deno.test("sqlite open: a schema version from a newer PeerSync is refused", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/tracker.db`;
  const db = new DatabaseSync(file);
  db.exec(`PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = 7;`);
  db.close();
  await assertRefused(
    file,
    StoreCorruptError,
    "newerSchema",
    /: written by a newer PeerSync \(schema version 7; this tracker knows up to 1\); refusing to touch it$/,
  );
});

Deno.test("sqlite open: another program's database is refused", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/tracker.db`;
  const db = new DatabaseSync(file);
  db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)");
  db.close();
  await assertRefused(
    file,
    StoreCorruptError,
    "foreign",
    /: an SQLite database of another program \(tables invoices\); refusing to touch it$/,
  );
  const tagged = `${dir.path}/other.db`;
  const other = new DatabaseSync(tagged);
  other.exec("PRAGMA application_id = 1234");
  other.close();
  await assertRefused(tagged, StoreCorruptError, "foreign", /\(application id 0x4d2\)/);
});

Deno.test("sqlite open: a second open in the same process is refused until the first closes", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/tracker.db`;
  const first = SqliteStore.open(file);
  first.publish("alice", "a.txt");
  await assertRefused(file, StoreUnavailableError, "locked", /: already open in this process$/);
  await first.close();
  await using second = SqliteStore.open(file);
  assert.equal(await second.loadAll(() => {}), 1);
});

Deno.test("sqlite open: a directory that does not exist, or a directory as the file, is unavailable", async () => {
  await using dir = await tempDir();
  await assertRefused(
    `${dir.path}/missing/tracker.db`,
    StoreUnavailableError,
    "notFound",
    /: its directory does not exist$/,
  );
  await Deno.mkdir(`${dir.path}/a-dir.db`);
  await assertRefused(
    `${dir.path}/a-dir.db`,
    StoreUnavailableError,
    "cannotOpen",
    /: is a directory: --db names the database file itself/,
  );
});

// Root ignores file modes; drop the capability that lets it, where setpriv can.
const asUnprivileged = Deno.uid() === 0
  ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
  : [];
const canDropRoot = asUnprivileged.length === 0 || (() => {
  try {
    return new Deno.Command("setpriv", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name:
    "sqlite open: a directory that cannot be written is unavailable, for a new or an existing file",
  ignore: !canDropRoot,
  async fn() {
    await using dir = await tempDir();
    const existing = `${dir.path}/existing.db`;
    {
      await using store = SqliteStore.open(existing);
      store.publish("alice", "a.txt");
    }
    const fresh = `${dir.path}/fresh.db`;
    await Deno.chmod(dir.path, 0o555);
    const permissions = ["--allow-read", "--allow-write"];
    assert.deepEqual(await openInChild(fresh, permissions, asUnprivileged), {
      ok: false,
      name: "StoreUnavailableError",
      reason: "permission",
      message: `${fresh}: permission denied: the tracker needs to read and write the file and ` +
        "create files beside it",
    });
    const outcome = await openInChild(existing, permissions, asUnprivileged);
    assert.ok(!outcome.ok);
    assert.equal(outcome.name, "StoreUnavailableError");
    assert.equal(outcome.reason, "readOnly");
    assert.equal(
      outcome.message,
      `${existing}: cannot write (attempt to write a readonly database)`,
    );
    await Deno.chmod(dir.path, 0o700);
    await Deno.chmod(existing, 0o444);
    const readOnlyFile = await openInChild(existing, permissions, asUnprivileged);
    assert.ok(!readOnlyFile.ok);
    assert.equal(readOnlyFile.reason, "permission");
  },
});

Deno.test("sqlite open: read and write permission for the file itself is all Deno needs", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/tracker.db`;
  assert.deepEqual(await openInChild(file, onlyTheFile(file)), { ok: true, count: 0 });
  assert.deepEqual(await openInChild(file, [`--allow-read=${file}`]), {
    ok: false,
    name: "StoreUnavailableError",
    reason: "permission",
    message: `${file}: Deno was not allowed to use it: run with --allow-read and --allow-write ` +
      "for this file",
  });
});
