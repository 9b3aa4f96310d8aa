import assert from "node:assert/strict";
import { Publications } from "./publications.ts";
import { SeededRandom } from "./test_random.ts";

const USERS = ["alice", "bob", "carol", "dave"];
const FILES = ["a.txt", "b.txt", "c d.txt", "E.TXT", "f.bin"];

Deno.test("the holders of each name follow publish, restore and unpublish, one holder or many", () => {
  const random = new SeededRandom(3);
  const publications = new Publications();
  const model = new Map<string, Set<string>>();
  for (let step = 0; step < 3000; step++) {
    const user = random.pick(USERS);
    const file = random.pick(FILES);
    const roll = random.below(10);
    if (roll < 4) {
      const added = publications.publish(user, file) === "added";
      assert.equal(added, !model.get(file)?.has(user));
      model.set(file, (model.get(file) ?? new Set()).add(user));
    } else if (roll < 5) {
      assert.equal(publications.restore(user, file), !model.get(file)?.has(user));
      model.set(file, (model.get(file) ?? new Set()).add(user));
    } else {
      assert.equal(publications.unpublish(user, file), model.get(file)?.has(user) ?? false);
      model.get(file)?.delete(user);
      if (model.get(file)?.size === 0) model.delete(file);
    }
    for (const name of FILES) {
      const expected = [...(model.get(name) ?? [])].sort();
      const holders = publications.holdersOf(name);
      assert.equal(holders === undefined, expected.length === 0, name);
      assert.deepEqual([...(holders ?? [])].sort(), expected, name);
    }
    assert.equal(publications.nameCount, model.size);
    const listed = [...publications.holdersByName()].map(([name, set]) => [name, [...set].sort()]);
    const expected = [...model].map(([name, set]) => [name, [...set].sort()]);
    assert.deepEqual(listed.sort(), expected.sort());
  }
});
