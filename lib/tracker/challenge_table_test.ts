import assert from "node:assert/strict";
import { ChallengeTable } from "./challenge_table.ts";

Deno.test("a host past its share forgets its own oldest challenge, never another host's", () => {
  const table = new ChallengeTable<number>({ capacity: 100, perHost: 3 });
  table.add("10.0.0.1", "alice", 0);
  for (let i = 0; i < 50; i++) table.add("10.0.0.2", `storm${i}`, i);
  assert.equal(table.peek("alice"), 0);
  assert.equal(table.size, 4);
  assert.deepEqual([47, 48, 49].map((i) => table.peek(`storm${i}`)), [47, 48, 49]);
  assert.equal(table.peek("storm46"), undefined);
});

Deno.test("past the capacity the oldest of all goes; taken and forgotten ones free their host's share", () => {
  const table = new ChallengeTable<string>({ capacity: 4, perHost: 2 });
  assert.equal(table.add("a", "a1", "a1"), false);
  table.add("b", "b1", "b1");
  table.add("c", "c1", "c1");
  table.add("d", "d1", "d1");
  assert.equal(table.add("e", "e1", "e1"), true, "the table is full");
  assert.equal(table.peek("a1"), undefined, "the oldest of all is forgotten");
  assert.equal(table.take("b1"), "b1");
  assert.equal(table.take("b1"), undefined, "a challenge is taken once");
  // Taken and forgotten challenges no longer count against their host.
  table.add("b", "b2", "b2");
  assert.equal(table.add("b", "b3", "b3"), true);
  assert.equal(table.peek("b2"), "b2");
  for (let i = 0; i < 1000; i++) table.add(`host${i}`, `n${i}`, `n${i}`);
  assert.equal(table.size, 4);
});
