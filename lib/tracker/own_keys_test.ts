import assert from "node:assert/strict";
import { OwnKeys } from "./own_keys.ts";

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
