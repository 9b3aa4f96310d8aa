/** What every PublicationStore must do, run against each one. */

import assert from "node:assert/strict";
import { MemoryStore } from "./memory_store.ts";
import { SqliteStore } from "./sqlite_store.ts";
import type { PublicationMeta, PublicationStore } from "./store.ts";

const meta = (size: number): PublicationMeta => ({
  size,
  sha256: size.toString(16).padStart(64, "0"),
});

type Row = [string, string, PublicationMeta | undefined];

async function rows(store: PublicationStore): Promise<Row[]> {
  const seen: Row[] = [];
  const count = await store.loadAll((user, name, meta) => seen.push([user, name, meta]));
  assert.equal(count, seen.length, "loadAll counts what it visits");
  return seen;
}

const kinds: [string, () => Promise<{ store: PublicationStore; done: () => Promise<void> }>][] = [
  ["memory", () => {
    const store = new MemoryStore();
    return Promise.resolve({ store, done: () => store.close() });
  }],
  ["sqlite", async () => {
    const dir = await Deno.makeTempDir();
    const store = SqliteStore.open(`${dir}/tracker.db`);
    return {
      store,
      done: async () => {
        await store.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  }],
];

for (const [kind, open] of kinds) {
  Deno.test(`${kind} store: loadAll returns publications with and without meta, in order`, async () => {
    const { store, done } = await open();
    store.publish("bob", "b.txt");
    store.publish("alice", "z.txt", meta(0));
    store.publish("alice", "a.txt", meta(2 ** 40));
    store.publish("Zed", "x");
    assert.deepEqual(await rows(store), [
      ["Zed", "x", undefined],
      ["alice", "a.txt", meta(2 ** 40)],
      ["alice", "z.txt", meta(0)],
      ["bob", "b.txt", undefined],
    ]);
    await done();
  });

  Deno.test(`${kind} store: publishing again replaces, unpublish and removeUser forget`, async () => {
    const { store, done } = await open();
    store.publish("alice", "a.txt");
    store.publish("alice", "a.txt", meta(5));
    store.publish("alice", "b.txt", meta(6));
    store.unpublish("alice", "b.txt");
    store.unpublish("alice", "never.txt");
    store.publish("bob", "x.txt");
    store.publish("bob", "y.txt");
    store.removeUser("bob");
    store.publish("bob", "z.txt");
    store.removeUser("nobody");
    assert.deepEqual(await rows(store), [
      ["alice", "a.txt", meta(5)],
      ["bob", "z.txt", undefined],
    ]);
    store.publish("alice", "a.txt");
    assert.deepEqual(await rows(store), [
      ["alice", "a.txt", undefined],
      ["bob", "z.txt", undefined],
    ]);
    await done();
  });

  Deno.test(`${kind} store: names and users with quotes, backslashes and emoji round-trip`, async () => {
    const { store, done } = await open();
    const odd = ['say "hi".txt', "back\\slash", "it's", "🎵 ünïcödé", "[1,2]", "null"];
    for (const name of odd) store.publish('us"er', name, meta(name.length));
    const expected: Row[] = odd.map((name) => ['us"er', name, meta(name.length)]);
    expected.sort((a, b) => (a[1] < b[1] ? -1 : 1));
    assert.deepEqual(await rows(store), expected);
    await done();
  });

  Deno.test(`${kind} store: a meta that cannot be stored is refused at once`, async () => {
    const { store, done } = await open();
    assert.throws(() => store.publish("alice", "a", { size: -1, sha256: "00" }), RangeError);
    assert.throws(() => store.publish("alice", "a", { size: 1.5, sha256: "00" }), RangeError);
    assert.deepEqual(await rows(store), []);
    await done();
  });

  Deno.test(`${kind} store: after close, changes are refused`, async () => {
    const { store, done } = await open();
    await done();
    assert.throws(() => store.publish("alice", "a.txt"), /closed/);
    assert.throws(() => store.removeUser("alice"), /closed/);
    await store.close();
  });
}
