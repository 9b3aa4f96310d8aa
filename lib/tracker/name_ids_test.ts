import assert from "node:assert/strict";
import { hashName, NameIds } from "./name_ids.ts";
import { SeededRandom } from "./test_random.ts";

Deno.test("name ids answer like a Map through adds, removals and growth", () => {
  const random = new SeededRandom(5);
  const names: string[] = [];
  const ids = new NameIds(names);
  const model = new Map<string, number>();
  const free: number[] = [];
  for (let step = 0; step < 60_000; step++) {
    const name = random.text(["a", "b", "c", "é", "😀"], 1 + random.below(7));
    const held = model.get(name);
    if (held === undefined && random.below(3) > 0) {
      const id = free.pop() ?? names.length;
      names[id] = name;
      ids.set(name, id);
      model.set(name, id);
    } else if (held !== undefined && random.below(2) === 0) {
      assert.equal(ids.delete(name), true);
      model.delete(name);
      names[held] = "";
      free.push(held);
    } else if (held === undefined) {
      assert.equal(ids.delete(name), false);
    }
    assert.equal(ids.get(name), model.get(name));
    if (step % 997 === 0) {
      for (const [known, id] of model) assert.equal(ids.get(known), id);
    }
    assert.equal(ids.size, model.size);
  }
  assert.ok(model.size > 1000); // the table grew past its first size
});

Deno.test("names whose hashes collide in the low bits are told apart", () => {
  const names: string[] = [];
  const ids = new NameIds(names);
  // Names landing in the same few slots of the first table, then removed from the middle of a run.
  const colliding: string[] = [];
  for (let i = 0; colliding.length < 40; i++) {
    if ((hashName(`n${i}`) & 1023) < 4) colliding.push(`n${i}`);
  }
  colliding.forEach((name, id) => {
    names[id] = name;
    ids.set(name, id);
  });
  for (let k = 0; k < colliding.length; k += 3) assert.ok(ids.delete(colliding[k]));
  colliding.forEach((name, id) => assert.equal(ids.get(name), id % 3 === 0 ? undefined : id));
});
