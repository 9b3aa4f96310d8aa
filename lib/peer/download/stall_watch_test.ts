import assert from "node:assert/strict";
import { StallWatch } from "./stall_watch.ts";

const options = { windowMs: 15_000, minBytesPerSecond: 1024 };

Deno.test("a holder that sends nothing is stalled after one window, and said to have stopped", () => {
  const watch = new StallWatch(options, 0);
  assert.equal(watch.check(14_999).stalled, false);
  assert.deepEqual(watch.check(15_000), {
    stalled: true,
    reason: "stopped sending (no data for 15 s)",
  });
});

Deno.test("a holder dripping a byte a second is stalled after one window, not kept forever", () => {
  const watch = new StallWatch(options, 0);
  for (let t = 1000; t < 15_000; t += 1000) {
    watch.add(1, t);
    assert.equal(watch.check(t).stalled, false);
  }
  assert.deepEqual(watch.check(15_000), {
    stalled: true,
    reason: "too slow (14 B in 15 s, under 1.0 KiB/s)",
  });
});

Deno.test("a holder just above the minimum speed is never stalled, however long it runs", () => {
  const watch = new StallWatch(options, 0);
  for (let t = 1000; t <= 600_000; t += 1000) {
    watch.add(1100, t);
    assert.equal(watch.check(t).stalled, false, `at ${t}`);
  }
});

Deno.test("a holder that sends a little and then nothing for a window has stopped sending", () => {
  const watch = new StallWatch(options, 0);
  watch.add(7, 100);
  assert.equal(watch.check(14_999).stalled, false);
  assert.deepEqual(watch.check(15_100), {
    stalled: true,
    reason: "stopped sending (no data for 15 s)",
  });
});

Deno.test("a holder that pauses after real progress gets a whole window from its last progress", () => {
  const watch = new StallWatch(options, 0);
  watch.add(1_000_000, 5000);
  assert.equal(watch.check(19_999).stalled, false);
  assert.equal(watch.check(20_000).stalled, true);
});
