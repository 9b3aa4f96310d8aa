import assert from "node:assert/strict";
import { GramCounts } from "./gram_counts.ts";
import { SeededRandom } from "./test_random.ts";

Deno.test("gram counts agree with a Map over random adds of codes of one to three units", () => {
  const random = new SeededRandom(5);
  const counts = new GramCounts();
  const model = new Map<number, number>();
  const codes = Array.from(
    { length: 3000 },
    (_, i) =>
      i % 3 === 0
        ? random.below(65536)
        : i % 3 === 1
        ? (random.below(65536) + 1) * 65536 + random.below(65536)
        : random.below(65536) * 4294967296 + random.below(65536) * 65536 + random.below(65536),
  );
  for (let step = 0; step < 40_000; step++) {
    const code = codes[random.below(codes.length)];
    const delta = random.below(3) === 0 ? -1 : 1;
    counts.add(code, delta);
    model.set(code, (model.get(code) ?? 0) + delta);
  }
  for (const code of codes) assert.equal(counts.get(code), model.get(code) ?? 0);
  assert.equal(counts.get(12345678901), 0);
});

Deno.test("gram counts drop codes back at zero when they grow, so churn does not fill them", () => {
  const counts = new GramCounts();
  for (let round = 0; round < 50; round++) {
    for (let code = round * 1000; code < round * 1000 + 1000; code++) counts.add(code, 1);
    for (let code = round * 1000; code < round * 1000 + 1000; code++) counts.add(code, -1);
  }
  counts.add(7, 3);
  assert.equal(counts.get(7), 3);
  // 1,000 codes live at most at once: the arrays stay near 4,096 slots, not 50,000.
  assert.ok(counts.bytes <= 4096 * 12, `${counts.bytes} bytes`);
});
