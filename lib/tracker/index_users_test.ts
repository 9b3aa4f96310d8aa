import assert from "node:assert/strict";
import { IndexUsers } from "./index_users.ts";
import { NameIndex } from "./name_index.ts";

Deno.test("an active user without publications has no record until it publishes", () => {
  const users = new IndexUsers((a, b) => a - b);
  users.markIdle("bob", true);
  assert.ok(users.isActive("bob"));
  assert.equal(users.get("bob"), undefined);
  const record = users.recordFor("bob");
  assert.ok(record.active, "the record is made active");
  record.ids.add(7);
  users.releaseIfEmpty("bob", record);
  assert.equal(users.get("bob"), record, "a record with publications stays");
  record.ids.delete(7);
  users.releaseIfEmpty("bob", record);
  assert.equal(users.get("bob"), undefined);
  assert.ok(users.isActive("bob"), "an active user whose last name went stays active");
  users.markIdle("bob", false);
  assert.ok(!users.isActive("bob"));
  assert.equal(users.recordFor("carol").number, record.number, "the freed number is reused");
});

Deno.test("a user that logs in before publishing, and keeps its session after unpublishing, is searched", () => {
  const index = new NameIndex();
  index.setActive("bob", true);
  index.publish("bob", "notes.txt");
  assert.deepEqual(index.count("note", "alice"), { kind: "exact", count: 1 });
  index.unpublish("bob", "notes.txt");
  assert.deepEqual(index.count("note", "alice"), { kind: "exact", count: 0 });
  index.publish("bob", "notes.txt");
  assert.deepEqual(index.count("note", "alice"), { kind: "exact", count: 1 });
  index.setActive("bob", false);
  assert.deepEqual(index.count("note", "alice"), { kind: "exact", count: 0 });
  assert.ok(!index.isActive("bob"));
});

Deno.test("users told who is active by their owner keep no set and follow the owner", () => {
  const live = new Set<string>(["bob"]);
  const users = new IndexUsers((a, b) => a - b, (user) => live.has(user));
  users.markIdle("bob", true);
  assert.ok(users.isActive("bob") && !users.isActive("carol"));
  const record = users.recordFor("bob");
  assert.ok(record.active, "a record made for a live user is active");
  assert.ok(!users.recordFor("carol").active, "and one for a user without a session is not");
  users.releaseIfEmpty("bob", record);
  live.delete("bob");
  users.markIdle("bob", false);
  assert.ok(!users.isActive("bob"), "the owner's answer, not a set, says bob left");
});

Deno.test("an index told who is active by its owner searches a live user's names", () => {
  const live = new Set<string>();
  const index = new NameIndex({ isActive: (user) => live.has(user) });
  live.add("bob");
  index.setActive("bob", true);
  index.publish("bob", "notes.txt");
  assert.deepEqual(index.count("note", "alice"), { kind: "exact", count: 1 });
  index.unpublish("bob", "notes.txt");
  index.publish("bob", "notes.txt");
  assert.deepEqual(index.count("note", "alice"), { kind: "exact", count: 1 });
  live.delete("bob");
  index.setActive("bob", false);
  assert.deepEqual(index.count("note", "alice"), { kind: "exact", count: 0 });
});
