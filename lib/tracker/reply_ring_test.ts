import assert from "node:assert/strict";
import { ReplyRing } from "./reply_ring.ts";
import { SeededRandom } from "./test_random.ts";

Deno.test("a reply ring forgets in the order a map trimmed from its front does, over random ids", () => {
  const random = new SeededRandom(5);
  const ring = new ReplyRing<number>(64);
  const model = new Map<number, number>();
  let highest = 0;
  for (let step = 0; step < 20_000; step++) {
    // Mostly rising ids, some repeated or out of order, as retransmissions and reordering bring.
    const id = Math.max(1, highest + 1 - random.below(random.below(4) === 0 ? 100 : 3));
    assert.equal(ring.get(id), model.get(id), `id ${id} at step ${step}`);
    if (model.has(id)) continue;
    ring.add(id, step);
    model.set(id, step);
    if (model.size > 64) model.delete(model.keys().next().value as number);
    highest = Math.max(highest, id);
    assert.equal(ring.highestId, highest);
  }
});
