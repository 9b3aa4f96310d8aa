import assert from "node:assert/strict";
import { ChunkPool } from "./chunk_pool.ts";
import { SortedIds } from "./sorted_ids.ts";
import { SeededRandom } from "./test_random.ts";

/** Random changes, reads and packings against a sorted array. */
function runModel(seed: number, chunkSize: number, steps: number, ids: number, inOrder: boolean) {
  const random = new SeededRandom(seed);
  // A random order of the ids, as labels give one.
  const key = Array.from({ length: ids }, () => random.next());
  const compare = (a: number, b: number) => key[a] - key[b];
  const pool = new ChunkPool({ slabInts: 4096 });
  const sets = [0, 1, 2].map(() => new SortedIds(compare, pool, chunkSize));
  const models: number[][] = sets.map(() => []);
  if (inOrder) {
    const sorted = Array.from({ length: ids }, (_, id) => id).sort(compare);
    for (const id of sorted) {
      if (random.below(2) === 0) continue;
      assert.ok(sets[0].add(id));
      models[0].push(id);
    }
  }
  for (let step = 0; step < steps; step++) {
    const s = random.below(sets.length);
    const set = sets[s];
    const model = models[s];
    const id = random.below(ids);
    const roll = random.below(10);
    if (roll < 5) {
      assert.equal(set.add(id), !model.includes(id));
      if (!model.includes(id)) model.push(id), model.sort(compare);
    } else if (roll < 8) {
      const at = model.indexOf(id);
      assert.equal(set.delete(id), at >= 0);
      if (at >= 0) model.splice(at, 1);
    } else if (roll < 9) {
      pool.repack(sets);
    } else {
      assert.equal(set.size, model.length);
      assert.equal(set.has(id), model.includes(id));
      assert.equal(set.rank(id), model.filter((other) => compare(other, id) < 0).length);
      const index = random.below(model.length + 2);
      assert.equal(set.at(index), model[index]);
      const pull = set.pull(index);
      for (const expected of model.slice(index, index + 5)) assert.equal(pull(), expected);
      if (index + 5 >= model.length) assert.equal(pull(), undefined);
      const cut = random.next();
      assert.equal(
        set.countBefore((other) => key[other] < cut),
        model.filter((other) => key[other] < cut).length,
      );
    }
  }
  sets.forEach((set, s) => assert.deepEqual([...set], models[s]));
}

Deno.test("sorted ids answer like a sorted array through random changes and packings", () => {
  runModel(1, 8, 20_000, 600, false);
  runModel(2, 4, 10_000, 200, false);
  runModel(3, 1024, 20_000, 5000, false);
});

Deno.test("sorted ids loaded in order fill their chunks, and answer like the model after", () => {
  runModel(4, 8, 10_000, 3000, true);
  const pool = new ChunkPool();
  const ids = new SortedIds((a, b) => a - b, pool, 16);
  for (let id = 0; id < 100; id++) ids.add(id);
  assert.deepEqual(ids.counts, [16, 16, 16, 16, 16, 16, 4]);
  assert.deepEqual([...ids.values(95)], [95, 96, 97, 98, 99]);
});
