import assert from "node:assert/strict";
import { LoginGuard, RateLimiter } from "./guard.ts";

Deno.test("failures of one user on a host lock out only that user there, until the host threshold", () => {
  const guard = new LoginGuard({ now: () => 0 });
  for (let i = 0; i < 4; i++) guard.failed("alice", "10.0.0.1");
  assert.equal(guard.lockedFor("alice", "10.0.0.1"), 1000);
  assert.equal(guard.lockedFor("bob", "10.0.0.1"), 0, "another user of the host");
  assert.equal(guard.lockedFor("alice", "10.0.0.2"), 0, "the same user elsewhere");
  // Twenty failures from one host, over many users, lock the host.
  for (let i = 0; i < 17; i++) guard.failed(`user${i}`, "10.0.0.1");
  assert.equal(guard.lockedFor("bob", "10.0.0.1"), 1000);
  assert.equal(guard.lockedFor("bob", "10.0.0.3"), 0);
});

Deno.test("a user under attack from rotating hosts is slowed there but a clean host is never refused", () => {
  let now = 0;
  const guard = new LoginGuard({ now: () => now });
  for (let round = 0; round < 50; round++) {
    for (let host = 2; host <= 30; host++) {
      const source = `127.0.0.${host}`;
      if (guard.lockedFor("alice", source) === 0) guard.failed("alice", source);
    }
    now += 1000;
    assert.equal(guard.lockedFor("alice", "127.0.0.1"), 0);
  }
  // Under pressure, a host gets one free failure and a 30 s first lockout.
  guard.failed("alice", "10.9.9.9");
  assert.equal(guard.lockedFor("alice", "10.9.9.9"), 0);
  guard.failed("alice", "10.9.9.9");
  assert.equal(guard.lockedFor("alice", "10.9.9.9"), 30_000);
  // Lockouts end, and double up to 5 minutes.
  const many = new LoginGuard({ now: () => now });
  for (let i = 0; i < 30; i++) many.failed("carol", "10.1.1.1");
  assert.equal(many.lockedFor("carol", "10.1.1.1"), 5 * 60_000);
  now += 5 * 60_000;
  assert.equal(many.lockedFor("carol", "10.1.1.1"), 0);
});

Deno.test("a success forgives that user on that host; old failures are forgotten", () => {
  let now = 0;
  const guard = new LoginGuard({ now: () => now });
  for (let i = 0; i < 3; i++) guard.failed("alice", "10.0.0.1");
  guard.succeeded("alice", "10.0.0.1");
  guard.failed("alice", "10.0.0.1");
  assert.equal(guard.lockedFor("alice", "10.0.0.1"), 0);
  for (let i = 0; i < 3; i++) guard.failed("bob", "10.0.0.2");
  now += 11 * 60_000;
  guard.failed("bob", "10.0.0.2");
  assert.equal(guard.lockedFor("bob", "10.0.0.2"), 0);
});

Deno.test("a full source table forgets the source silent longest, not one that keeps sending", () => {
  let now = 0;
  const limiter = new RateLimiter({ now: () => now, rate: 1, burst: 1, capacity: 2 });
  assert.equal(limiter.allow("A"), true);
  assert.equal(limiter.allow("B"), true);
  now = 1500;
  assert.equal(limiter.allow("A"), true, "A's bucket refilled");
  now = 1600;
  assert.equal(limiter.allow("C"), true, "a new source; the table forgets one");
  assert.equal(limiter.size, 2);
  assert.equal(limiter.allow("A"), false, "A is remembered, with its bucket empty");
  assert.equal(limiter.allow("B"), true, "B was forgotten: it starts with a full bucket");
});

Deno.test("a kept bucket is the table's for a second, then looked up again", () => {
  let now = 0;
  const limiter = new RateLimiter({ now: () => now, rate: 1, burst: 2, capacity: 1 });
  const kept = limiter.bucketFor("10.0.0.1", undefined);
  assert.ok(limiter.take(kept) && limiter.take(kept) && !limiter.take(kept));
  // The table's bucket and the kept one are the same: the source is over its rate either way.
  assert.ok(!limiter.allow("10.0.0.1"));
  // Another source pushes it out of a table of one; within the second the kept bucket stays.
  assert.ok(limiter.allow("10.0.0.2"));
  assert.equal(limiter.bucketFor("10.0.0.1", kept), kept);
  now = 1000;
  const again = limiter.bucketFor("10.0.0.1", kept);
  assert.notEqual(again, kept);
  assert.ok(limiter.take(again) && limiter.take(again) && !limiter.take(again));
});
