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

Deno.test("counts, meta, the cap and unpublishAll follow a brute-force model", () => {
  const random = new SeededRandom(11);
  const publications = new Publications({ maxPerUser: 3 });
  // user → file → size of its meta (-1: none)
  const model = new Map<string, Map<string, number>>();
  for (let step = 0; step < 3000; step++) {
    const user = random.pick(USERS);
    const file = random.pick(FILES);
    const files = model.get(user) ?? new Map<string, number>();
    const roll = random.below(12);
    const size = random.below(3) - 1;
    const meta = size < 0 ? undefined : { size, sha256: "ab".repeat(32) };
    if (roll < 5) {
      const result = roll < 4 ? publications.publish(user, file, meta) : undefined;
      const restored = roll === 4 ? publications.restore(user, file, meta) : undefined;
      if (files.has(file)) {
        if (result !== undefined) {
          assert.equal(result, files.get(file) === size ? "unchanged" : "metaChanged");
          files.set(file, size);
        } else assert.equal(restored, false);
      } else if (files.size >= 3) {
        if (result !== undefined) assert.equal(result, "overCap");
        else assert.equal(restored, false);
      } else {
        assert.ok(result === "added" || restored === true);
        files.set(file, size);
      }
    } else if (roll < 11) {
      assert.equal(publications.unpublish(user, file), files.delete(file));
    } else {
      assert.equal(publications.unpublishAll(user), files.size);
      files.clear();
    }
    model.set(user, files);
    let count = 0;
    for (const [holder, held] of model) {
      count += held.size;
      for (const name of FILES) {
        assert.equal(publications.metaOf(holder, name)?.size ?? -1, held.get(name) ?? -1);
      }
      const all = publications.allPublishedFrom(holder);
      const listed: string[] = [];
      for (let name = all.next(); name !== undefined; name = all.next()) listed.push(name);
      assert.deepEqual(listed, [...held.keys()].sort());
    }
    assert.equal(publications.count, count);
  }
});

Deno.test("restored publications count against the cap and repeats before they are indexed", () => {
  const publications = new Publications({ maxPerUser: 2 });
  assert.equal(publications.publish("bob", "a.txt"), "added");
  assert.equal(publications.restore("bob", "a.txt"), false);
  assert.equal(publications.restore("bob", "b.txt", { size: 1, sha256: "00" }), true);
  assert.equal(publications.restore("bob", "b.txt"), false);
  assert.equal(publications.restore("bob", "c.txt"), false);
  assert.equal(publications.restore("carol", "b.txt"), true);
  assert.equal(publications.count, 3);
  assert.deepEqual([...publications.holdersOf("b.txt") ?? []].sort(), ["bob", "carol"]);
  assert.equal(publications.metaOf("bob", "b.txt")?.size, 1);
  assert.equal(publications.publish("bob", "c.txt"), "overCap");
  assert.equal(publications.nameCount, 2);
});
