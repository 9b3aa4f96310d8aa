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

Deno.test("a kept count ending in a request does not also join the asker's keys past the cap", () => {
  const maxSteps = 400;
  const index = new NameIndex({ maxSteps });
  const holders = new Map<string, Set<string>>();
  const active = new Set(["bob", "carol"]);
  for (const user of active) index.setActive(user, true);
  const publish = (user: string, name: string) => {
    index.publish(user, name);
    holders.set(name, (holders.get(name) ?? new Set()).add(user));
  };
  for (let i = 0; i < 3000; i++) publish("carol", `c-${i}.jpg`);
  // bob's 30 names: joining them costs 240 steps (`JOIN_STEPS_PER_KEY`), over half the cap.
  for (let i = 0; i < 30; i++) publish("bob", `b-${i}.jpg`);
  for (let i = 0; i < 10; i++) publish("bob", `c-${i}.jpg`);
  const brute = (query: string, asker: string) =>
    [...holders].filter(([name, users]) =>
      name.includes(query) && [...users].some((user) => user !== asker && active.has(user))
    ).length;
  // carol starts the walk; bob asks until it is exact. Without the rule, the request ending the
  // walk (hundreds of steps) joined bob's keys too.
  assert.equal(index.count(".jpg", "carol").kind, "tooBroad");
  let answer = index.count(".jpg", "bob");
  let refused = 0;
  for (; answer.kind === "tooBroad" && refused < 100; refused++) {
    const cost = index.lastCountCost;
    assert.equal(cost.joinedKeys, 0, `request ${refused}`);
    answer = index.count(".jpg", "bob");
  }
  // The exact answer came from the kept count alone, and paid for the join (40 keys) alone.
  assert.deepEqual(index.lastCountCost, { walkSteps: 0, joinedKeys: 40 });
  assert.deepEqual(answer, { kind: "exact", count: brute(".jpg", "bob") });
  assert.equal(brute(".jpg", "bob"), 3000);
  // Joined now: later requests scan them, and carol's count (her own keys joined) is exact too.
  assert.deepEqual(index.count(".jpg", "bob"), { kind: "exact", count: 3000 });
  assert.equal(index.lastCountCost.joinedKeys, 0);
  assert.deepEqual(index.count(".jpg", "carol"), { kind: "exact", count: brute(".jpg", "carol") });
});
