import assert from "node:assert/strict";
import { WideMasks } from "./wide_masks.ts";
import { SeededRandom } from "./test_random.ts";

Deno.test("wide masks agree with a map over random sets and deletes, through growth and shrinking", () => {
  const random = new SeededRandom(11);
  const masks = new WideMasks();
  const model = new Map<number, number>();
  // Nearby ids (as names loaded in order get) and a few far ones, up to the posting's limit.
  const idOf = () => random.below(10) === 0 ? random.below(2 ** 26) : random.below(3000);
  for (let step = 0; step < 40_000; step++) {
    const id = idOf();
    const roll = random.below(10);
    if (roll < 5 || step < 2000) {
      const mask = (random.below(2 ** 32) | 3) | 0;
      masks.set(id, mask);
      model.set(id, mask);
    } else {
      // Past step 20,000 deletes win, so the table shrinks back.
      const victim = step > 20_000 && model.size > 0 ? model.keys().next().value as number : id;
      assert.equal(masks.delete(victim), model.delete(victim));
    }
    assert.equal(masks.size, model.size);
    const probe = idOf();
    assert.equal(masks.get(probe), model.get(probe));
  }
  for (const [id, mask] of model) assert.equal(masks.get(id), mask);
});

Deno.test("a wide mask of id 0 and of negative value is kept and given back exactly", () => {
  const masks = new WideMasks();
  masks.set(0, -1);
  masks.set(5, 0x80000001 | 0);
  assert.equal(masks.get(0), -1);
  assert.equal(masks.get(5), 0x80000001 | 0);
  masks.set(0, 6);
  assert.equal(masks.get(0), 6, "setting again replaces");
  assert.equal(masks.size, 2);
  assert.ok(!masks.delete(9));
});
