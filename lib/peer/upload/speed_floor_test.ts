import assert from "node:assert/strict";
import { SpeedFloor } from "./speed_floor.ts";

const floor = { bytesPerSecond: 1000, windowMs: 10_000, graceMs: 10_000 };

/** Feeds `floor` one sample a second at `rate` bytes per second until `untilMs`; the verdicts. */
function run(rate: (t: number) => number, untilMs: number, total = 1e9) {
  const watch = new SpeedFloor(floor, 0);
  let sent = 0;
  const verdicts: [number, string][] = [];
  for (let t = 1000; t <= untilMs; t += 1000) {
    sent += rate(t);
    verdicts.push([t, watch.check(t, sent, total - sent)]);
  }
  return verdicts;
}

Deno.test("a reader above the floor is never dropped, however long it runs", () => {
  assert.ok(run(() => 1200, 120_000).every(([, verdict]) => verdict === "ok"));
});

Deno.test("a reader that drips is dropped as soon as its grace period ends", () => {
  const verdicts = run(() => 1, 30_000);
  const first = verdicts.find(([, verdict]) => verdict === "slow");
  assert.deepEqual(first, [10_000, "slow"]);
  assert.ok(verdicts.filter(([t]) => t < 10_000).every(([, verdict]) => verdict === "ok"));
});

Deno.test("a fast start does not buy a slow reader time beyond the window", () => {
  // 10 MB in the first second (the kernel's buffers filling), then a drip.
  const verdicts = run((t) => (t === 1000 ? 10_000_000 : 1), 30_000);
  assert.deepEqual(verdicts.find(([, verdict]) => verdict === "slow"), [11_000, "slow"]);
});

Deno.test("a reader that slows down after a fast hour is dropped a window later", () => {
  const verdicts = run((t) => (t <= 3_600_000 ? 100_000 : 10), 3_700_000);
  assert.deepEqual(verdicts.find(([, verdict]) => verdict === "slow"), [3_610_000, "slow"]);
});

Deno.test("a transfer with less than a window's worth left is never cut: it is finishing", () => {
  assert.ok(run(() => 1, 60_000, 9_000).every(([, verdict]) => verdict === "ok"));
});

Deno.test("a floor of 0 turns the rule off", () => {
  const watch = new SpeedFloor({ ...floor, bytesPerSecond: 0 }, 0);
  assert.equal(watch.check(60_000, 0, 1e9), "ok");
});
