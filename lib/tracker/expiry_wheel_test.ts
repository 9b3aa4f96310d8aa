import assert from "node:assert/strict";
import { ExpiryWheel } from "./expiry_wheel.ts";
import { SeededRandom } from "./test_random.ts";

interface Item {
  readonly id: number;
  lastSeen: number;
  queued: boolean;
}

function newWheel(timeoutMs: number) {
  return new ExpiryWheel<Item>({ timeoutMs, isQueued: (item) => item.queued });
}

/**
 * Random adds, heartbeats, removals, clock steps (small, fractional, and jumps of up to three
 * timeouts) and sweeps, sometimes skipped for a long time, against the brute-force rule: a sweep
 * at `now` reports exactly the queued items with `now - lastSeen > timeout` not yet reported.
 */
function modelRun(seed: number, timeoutMs: number, steps: number): void {
  const random = new SeededRandom(seed);
  const next = () => random.next();
  const wheel = newWheel(timeoutMs);
  // The model: every item not yet reported or removed.
  const live = new Map<number, Item>();
  let now = Math.floor(next() * 1e6);
  let ids = 0;
  for (let step = 0; step < steps; step++) {
    const roll = next();
    if (roll < 0.2) {
      const item = { id: ids++, lastSeen: now, queued: true };
      live.set(item.id, item);
      wheel.add(item);
    } else if (roll < 0.5 && live.size > 0) {
      // A heartbeat reaches only a session that is still live (the tracker checks).
      const item = [...live.values()][Math.floor(next() * live.size)];
      if (now - item.lastSeen <= timeoutMs) item.lastSeen = now;
    } else if (roll < 0.55 && live.size > 0) {
      const item = [...live.values()][Math.floor(next() * live.size)];
      item.queued = false;
      live.delete(item.id);
    } else if (roll < 0.8) {
      const jump = next() < 0.03;
      now += jump ? next() * 3 * timeoutMs : next() < 0.5 ? next() * 50 : Math.floor(next() * 400);
    } else if (roll < 0.98 || next() < 0.5) {
      const before = wheel.nextDue;
      const expired: Item[] = [];
      wheel.sweep(now, (item) => expired.push(item));
      const due = [...live.values()].filter((item) => now - item.lastSeen > timeoutMs);
      const message = `seed ${seed}, step ${step}, now ${now}, nextDue before ${before}`;
      assert.deepEqual(
        expired.map((item) => item.id).sort((a, b) => a - b),
        due.map((item) => item.id).sort((a, b) => a - b),
        message,
      );
      for (const item of expired) live.delete(item.id);
      for (const item of live.values()) {
        assert.ok(wheel.nextDue <= item.lastSeen + timeoutMs, `${message}: nextDue too late`);
      }
    }
  }
}

Deno.test("the wheel reports exactly the silent items, on random operations with clock jumps", () => {
  for (let seed = 1; seed <= 60; seed++) modelRun(seed, [3000, 15_000, 7, 1][seed % 4], 3000);
});

Deno.test("a heartbeat keeps an item for a timeout from it, to the millisecond", () => {
  const wheel = newWheel(3000);
  const alice = { id: 1, lastSeen: 0, queued: true };
  wheel.add(alice);
  const expired: Item[] = [];
  for (let now = 1000; now <= 30_000; now += 1000) {
    alice.lastSeen = now - 1000;
    wheel.sweep(now, (item) => expired.push(item));
  }
  assert.equal(expired.length, 0);
  wheel.sweep(32_000, (item) => expired.push(item));
  assert.equal(expired.length, 0);
  wheel.sweep(32_000.5, (item) => expired.push(item));
  assert.deepEqual(expired, [alice]);
});

Deno.test("a removed item is never reported and a sweep before nextDue does nothing", () => {
  const wheel = newWheel(3000);
  const alice = { id: 1, lastSeen: 100, queued: true };
  const bob = { id: 2, lastSeen: 200, queued: true };
  wheel.add(alice);
  wheel.add(bob);
  assert.equal(wheel.nextDue, 3100);
  alice.queued = false;
  const expired: Item[] = [];
  wheel.sweep(3100, (item) => expired.push(item));
  assert.equal(expired.length, 0);
  wheel.sweep(10_000, (item) => expired.push(item));
  assert.deepEqual(expired, [bob]);
  assert.equal(wheel.nextDue, Infinity);
});

Deno.test("items added long after the last sweep, and older than it, are still exact", () => {
  const wheel = newWheel(3000);
  const items = [0, 50_000, 1_000_000, 998_999].map((lastSeen, id) => ({
    id,
    lastSeen,
    queued: true,
  }));
  for (const item of items) wheel.add(item);
  const expired: Item[] = [];
  wheel.sweep(1_002_000, (item) => expired.push(item));
  assert.deepEqual(expired.map((item) => item.id).sort(), [0, 1, 3]);
  wheel.sweep(1_003_001, (item) => expired.push(item));
  assert.deepEqual(expired.map((item) => item.id).sort(), [0, 1, 2, 3]);
});

Deno.test("a sweep a whole ring late files a heartbeat's item again without walking it twice", () => {
  // A timeout of 7 ms is a ring of 18 slots of 1 ms: at 36 the live item belongs in the very
  // slot (36 mod 18 = 0) the sweep starts from.
  const wheel = newWheel(7);
  const alice = { id: 1, lastSeen: 0, queued: true };
  const bob = { id: 2, lastSeen: 0, queued: true };
  wheel.add(alice);
  wheel.add(bob);
  alice.lastSeen = 36;
  const expired: Item[] = [];
  wheel.sweep(36, (item) => expired.push(item));
  assert.deepEqual(expired, [bob]);
  wheel.sweep(43, (item) => expired.push(item));
  assert.deepEqual(expired, [bob]);
  wheel.sweep(43.5, (item) => expired.push(item));
  assert.deepEqual(expired, [bob, alice]);
});
