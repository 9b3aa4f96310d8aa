import assert from "node:assert/strict";
import { TopNames, TopNamesWalk } from "./top_names.ts";

function table(size: number): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  for (let i = 0; i < size; i++) {
    // Holder counts 1..7 spread over the names, so ties are common.
    names.set(`n${i}`, new Set(Array.from({ length: (i * 7919) % 7 + 1 }, (_, u) => `u${u}`)));
  }
  return names;
}

function sortedTop(names: Map<string, Set<string>>, limit: number) {
  return [...names].map(([name, set]) => ({ name, holders: set.size }))
    .sort((a, b) => b.holders - a.holders || (a.name < b.name ? -1 : 1))
    .slice(0, limit);
}

Deno.test("the top names found in slices equal a full sort: most holders first, ties by name", () => {
  const names = table(5_000);
  for (const slice of [1, 7, 1_000, 100_000]) {
    const walk = new TopNamesWalk(names.entries(), 10);
    let steps = 1;
    while (!walk.step(slice)) steps++;
    assert.deepEqual(walk.rows, sortedTop(names, 10), `slice ${slice}`);
    assert.ok(steps >= Math.ceil(5_000 / slice), `slice ${slice}: ${steps} steps`);
  }
});

Deno.test("a walk of a table that changes meanwhile finishes without error", () => {
  const names = table(100);
  const walk = new TopNamesWalk(names.entries(), 3);
  walk.step(10);
  for (let i = 0; i < 50; i++) names.delete(`n${i * 2}`);
  names.set("late", new Set(["a", "b", "c", "d", "e", "f", "g", "h"]));
  while (!walk.step(10));
  assert.deepEqual(walk.rows[0], { name: "late", holders: 8 });
});

Deno.test("top names refresh at most once per interval and walk a big table over several turns", async () => {
  let clock = 0;
  let turns = 0;
  let walks = 0;
  const names = table(25);
  const top = new TopNames({
    entries: () => {
      walks++;
      return names.entries();
    },
    now: () => clock,
    nextTurn: () => {
      turns++;
      return Promise.resolve();
    },
    refreshMs: 5_000,
    slice: 10,
    limit: 3,
  });
  top.refresh();
  assert.deepEqual(top.rows, [], "not done within the first slice");
  top.refresh(); // a walk is running: no second one
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(top.rows, sortedTop(names, 3));
  assert.equal(turns, 2, "the rest of 25 names took two more slices of 10");
  clock = 4_999;
  top.refresh();
  assert.equal(walks, 1, "within the interval: no new walk");
  clock = 5_000;
  top.refresh();
  assert.equal(walks, 2);
  await top.close();
});

Deno.test("closing stops a walk in progress and no new one starts", async () => {
  let release: () => void = () => {};
  const top = new TopNames({
    entries: () => table(100).entries(),
    now: () => 0,
    nextTurn: () => new Promise<void>((resolve) => release = resolve),
    slice: 10,
  });
  top.refresh();
  const closed = top.close();
  release();
  await closed;
  assert.deepEqual(top.rows, [], "the unfinished walk left no partial list");
  top.refresh();
  assert.deepEqual(top.rows, []);
});
