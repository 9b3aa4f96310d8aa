import assert from "node:assert/strict";
import { NameIndex } from "./name_index.ts";

/** bob holds many names alone, some also held by carol; dave holds some but is not active. */
function index(): NameIndex {
  const index = new NameIndex();
  for (const user of ["bob", "carol", "dave"]) index.setActive(user, true);
  for (let i = 0; i < 2000; i++) index.publish("bob", `bob-file-${String(i).padStart(4, "0")}.txt`);
  for (let i = 0; i < 8; i++) index.publish("bob", `rare-${i}.bin`);
  for (let i = 0; i < 8; i += 2) index.publish("carol", `rare-${i}.bin`);
  index.publish("dave", "rare-9.bin");
  index.publish("dave", "rare-10.bin");
  index.setActive("dave", false);
  return index;
}

Deno.test("a rare query is counted for an asker with many names as its own-keys correction counts it", () => {
  const fresh = index();
  // Asked first (keys not joined yet), then after a broad query joined them: the same counts.
  for (const round of ["before", "after"]) {
    assert.deepEqual(fresh.count("rare", "bob"), { kind: "exact", count: 4 }, round);
    assert.deepEqual(fresh.count("are-", "bob"), { kind: "exact", count: 4 }, round);
    assert.deepEqual(fresh.count("rar", "bob"), { kind: "exact", count: 4 }, round);
    assert.deepEqual(fresh.count("rare", "carol"), { kind: "exact", count: 8 }, round);
    assert.deepEqual(fresh.count("rare", "erin"), { kind: "exact", count: 8 }, round);
    assert.deepEqual(fresh.count("rare-1", "bob"), { kind: "exact", count: 0 }, round);
    // Broad: bob's own 2,000 names come out of the counter.
    assert.deepEqual(fresh.count("file", "bob"), { kind: "exact", count: 0 }, round);
    assert.deepEqual(fresh.count("fil", "carol"), { kind: "exact", count: 2000 }, round);
  }
  // dave comes back: his two names count, for bob too.
  fresh.setActive("dave", true);
  assert.deepEqual(fresh.count("rare", "bob"), { kind: "exact", count: 6 });
  assert.deepEqual(fresh.count("rar", "dave"), { kind: "exact", count: 8 });
});
