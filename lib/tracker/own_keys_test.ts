import assert from "node:assert/strict";
import { OwnKeys } from "./own_keys.ts";
import { SeededRandom } from "./test_random.ts";

const keys = ["banana", "ab", "cab", "a\nb", "xyz"];
const all = () => true;

Deno.test("own keys count each key containing the query once", () => {
  const own = new OwnKeys([0, 1, 2, 4], keys, 4);
  assert.equal(own.countContaining("a", all), 3);
  assert.equal(own.countContaining("an", all), 1);
  assert.equal(own.countContaining("ab", all), 2);
  assert.equal(own.countContaining("", all), 4);
  assert.equal(own.countContaining("zz", all), 0);
  assert.equal(own.countContaining("ab", (id) => id !== 1), 1);
});

Deno.test("own keys never count a hit that spans two keys", () => {
  const own = new OwnKeys([0, 1, 2], keys, 3);
  // Joined with "\n": "banana\nab\ncab" contains "a\na" and "b\nc", which no key does.
  assert.equal(own.countContaining("a\na", all), 0);
  assert.equal(own.countContaining("b\nc", all), 0);
  // A key that itself contains the separator still matches within itself.
  assert.equal(new OwnKeys([3, 1], keys, 2).countContaining("a\nb", all), 1);
});

Deno.test("no keys, no hits", () => {
  assert.equal(new OwnKeys([], keys, 0).countContaining("a", all), 0);
});

Deno.test("own keys kept up to date by adds and removes count as keys joined afresh", () => {
  const random = new SeededRandom(3);
  const table = Array.from(
    { length: 400 },
    () => random.text(["a", "b", "é", "😀", "c"], 1 + random.below(12)),
  );
  const held = new Set<number>();
  const own = new OwnKeys([], table, 0);
  for (let step = 0; step < 6000; step++) {
    const id = random.below(table.length);
    if (held.has(id) && random.below(2) === 0) {
      assert.ok(own.remove(id));
      held.delete(id);
    } else if (!held.has(id)) {
      own.add(id, table[id]);
      held.add(id);
    } else assert.equal(own.remove(table.length + 1), false);
    if (step % 50 === 0) {
      const query = random.text(["a", "b", "é", "c"], 1 + random.below(3));
      const odd = (id: number) => id % 2 === 1;
      const fresh = new OwnKeys(held, table, held.size);
      assert.equal(own.size, held.size);
      assert.equal(own.countContaining(query, odd), fresh.countContaining(query, odd), query);
      assert.equal(
        own.countContaining(query, odd),
        [...held].filter((id) => odd(id) && table[id].includes(query)).length,
      );
    }
  }
});
