import assert from "node:assert/strict";
import { type PendingChange, WriteQueue } from "./write_queue.ts";

const meta = (size: number) => ({ size, sha256: size.toString(16).padStart(64, "0") });

/** The queue as plain data: user → [removeAll, name → change]. */
function contents(queue: WriteQueue): Record<string, [boolean, Record<string, PendingChange>]> {
  const out: Record<string, [boolean, Record<string, PendingChange>]> = {};
  for (const [user, pending] of queue.users()) {
    out[user] = [pending.removeAll, Object.fromEntries(pending.changes)];
  }
  return out;
}

Deno.test("the last change to a publication is the one kept", () => {
  const queue = new WriteQueue();
  assert.equal(queue.publish("alice", "a.txt"), "queued");
  assert.equal(queue.unpublish("alice", "a.txt"), "coalesced");
  assert.equal(queue.publish("alice", "b.txt"), "queued");
  assert.equal(queue.publish("alice", "b.txt", meta(7)), "coalesced");
  assert.equal(queue.size, 2);
  assert.deepEqual(contents(queue), {
    alice: [false, { "a.txt": { kind: "unpublish" }, "b.txt": { kind: "publish", meta: meta(7) } }],
  });
});

Deno.test("removing a user discards the user's queued changes, and later ones follow it", () => {
  const queue = new WriteQueue();
  queue.publish("alice", "a.txt");
  queue.publish("alice", "b.txt");
  queue.publish("bob", "a.txt");
  assert.equal(queue.removeUser("alice"), "coalesced");
  assert.equal(queue.size, 2);
  assert.equal(queue.publish("alice", "c.txt", meta(1)), "queued");
  assert.equal(queue.removeUser("carol"), "queued");
  assert.equal(queue.size, 4);
  assert.deepEqual(contents(queue), {
    alice: [true, { "c.txt": { kind: "publish", meta: meta(1) } }],
    bob: [false, { "a.txt": { kind: "publish" } }],
    carol: [true, {}],
  });
  assert.equal(queue.removeUser("carol"), "coalesced");
  assert.equal(queue.size, 4);
});

Deno.test("at its cap the queue drops changes to new keys but still replaces queued ones", () => {
  const queue = new WriteQueue(2);
  queue.publish("alice", "a.txt");
  queue.publish("bob", "a.txt");
  assert.equal(queue.publish("carol", "a.txt"), "dropped");
  assert.equal(queue.removeUser("carol"), "dropped");
  assert.equal(queue.unpublish("alice", "a.txt"), "coalesced");
  assert.equal(queue.removeUser("bob"), "coalesced");
  assert.equal(queue.size, 2);
  assert.deepEqual(Object.keys(contents(queue)), ["alice", "bob"]);
});

Deno.test("absorb puts newer changes on top of a failed batch", () => {
  const failed = new WriteQueue();
  failed.publish("alice", "a.txt");
  failed.publish("alice", "b.txt");
  failed.publish("bob", "x.txt");
  failed.publish("carol", "y.txt");
  const newer = new WriteQueue();
  newer.unpublish("alice", "a.txt");
  newer.publish("alice", "c.txt", meta(3));
  newer.removeUser("bob");
  newer.publish("dave", "z.txt");
  failed.absorb(newer);
  assert.deepEqual(contents(failed), {
    alice: [false, {
      "a.txt": { kind: "unpublish" },
      "b.txt": { kind: "publish" },
      "c.txt": { kind: "publish", meta: meta(3) },
    }],
    bob: [true, {}],
    carol: [false, { "y.txt": { kind: "publish" } }],
    dave: [false, { "z.txt": { kind: "publish" } }],
  });
  assert.equal(failed.size, 6);
});

Deno.test("clear empties the queue", () => {
  const queue = new WriteQueue();
  queue.publish("alice", "a.txt");
  queue.removeUser("bob");
  queue.clear();
  assert.equal(queue.size, 0);
  assert.deepEqual(contents(queue), {});
});
