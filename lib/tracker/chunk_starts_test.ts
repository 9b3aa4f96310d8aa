import assert from "node:assert/strict";
import { ChunkStarts } from "./chunk_starts.ts";
import { SeededRandom } from "./test_random.ts";

Deno.test("chunk starts follow random changes of chunk lengths like prefix sums recomputed each time", () => {
  const random = new SeededRandom(7);
  const lengths = [3];
  const starts = new ChunkStarts((c) => lengths[c]);
  for (let step = 0; step < 5_000; step++) {
    const roll = random.next();
    const c = random.below(lengths.length);
    if (roll < 0.3) {
      lengths[c] += 1 + random.below(5);
      starts.invalidateFrom(c);
    } else if (roll < 0.45 && lengths[c] > 1) {
      // A split: the upper part becomes the chunk after c.
      const moved = 1 + random.below(lengths[c] - 1);
      lengths[c] -= moved;
      lengths.splice(c + 1, 0, moved);
      starts.invalidateFrom(c);
    } else if (roll < 0.5) {
      lengths.splice(0, lengths.length, 1 + random.below(9), 1 + random.below(9));
      starts.reset();
    }
    const expected: number[] = [];
    let sum = 0;
    for (const length of lengths) {
      expected.push(sum);
      sum += length;
    }
    const probe = random.below(lengths.length);
    assert.equal(starts.startOf(probe), expected[probe], `step ${step}`);
    const index = random.below(sum);
    const holder = expected.findLastIndex((start) => start <= index);
    assert.equal(starts.chunkOf(index, lengths.length - 1), holder, `step ${step}`);
  }
});
