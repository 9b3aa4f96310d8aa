import assert from "node:assert/strict";
import { loadPublications } from "./load_publications.ts";
import { TrackerState } from "./state.ts";
import { MemoryStore, SqliteStore } from "./store/mod.ts";

Deno.test("loading puts every stored publication back, with its size and digest", async () => {
  const dir = await Deno.makeTempDir({ prefix: "peersync-load-" });
  try {
    const digest = "0f".repeat(32);
    const writer = SqliteStore.open(`${dir}/t.db`);
    writer.publish("alice", "a.txt", { size: 12, sha256: digest });
    writer.publish("alice", "b.txt");
    writer.publish("bob", "a.txt");
    await writer.close();
    const store = SqliteStore.open(`${dir}/t.db`);
    try {
      const state = new TrackerState({ now: () => 0, journal: store });
      let clock = 0;
      const summary = await loadPublications(store, state, { now: () => (clock += 5) });
      assert.deepEqual(summary, {
        stored: 3,
        loaded: 3,
        users: 2,
        overCap: [],
        unknown: [],
        elapsedMs: 5,
      });
      assert.deepEqual(state.publishedBy("alice"), ["a.txt", "b.txt"]);
      assert.deepEqual(state.publishedBy("bob"), ["a.txt"]);
      assert.equal(store.stats.pending, 0, "loading writes nothing back");
      const opened = state.openSession({ hostname: "127.0.0.1", port: 1 }, "alice", { version: 2 });
      assert.ok(opened.ok);
      opened.session.downloadAddress = { hostname: "127.0.0.1", port: 2 };
      const [holder] = state.holders("a.txt", "bob");
      assert.deepEqual(holder.meta, { size: 12, sha256: digest });
    } finally {
      await store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loading stops each user at the publication cap and says who was cut", async () => {
  const store = new MemoryStore();
  for (const name of ["a", "b", "c", "d"]) store.publish("carol", name);
  store.publish("dave", "x");
  const state = new TrackerState({ now: () => 0, maxPublicationsPerUser: 3 });
  const summary = await loadPublications(store, state);
  assert.equal(summary.stored, 5);
  assert.equal(summary.loaded, 4);
  assert.equal(summary.users, 2);
  assert.deepEqual(summary.overCap, [{ user: "carol", skipped: 1 }]);
  assert.deepEqual(state.publishedBy("carol"), ["a", "b", "c"]);
  await store.close();
});

Deno.test("users not in the credentials keep their stored publications, unserved, at load", async () => {
  const store = new MemoryStore();
  store.publish("alice", "a.txt");
  store.publish("mallory", "m1");
  store.publish("mallory", "m2");
  const state = new TrackerState({ now: () => 0 });
  const summary = await loadPublications(store, state, { isKnown: (user) => user === "alice" });
  assert.equal(summary.loaded, 1);
  assert.equal(summary.users, 1);
  assert.deepEqual(summary.unknown, [{ user: "mallory", kept: 2 }]);
  assert.deepEqual(state.publishedBy("mallory"), []);
  assert.ok(!state.isPublished("m1"));
  const kept: string[] = [];
  await store.loadAll((user, name) => kept.push(`${user}/${name}`));
  assert.deepEqual(kept, ["alice/a.txt", "mallory/m1", "mallory/m2"]);
  await store.close();
});
