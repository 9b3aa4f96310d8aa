import assert from "node:assert/strict";
import { BEAT_SLOTS, BeatSchedule } from "./beat_schedule.ts";

/** Drives a schedule on a 5 ms tick for `ms`, with `joining(t)` sessions joining at tick `t`. */
function simulate(ms: number, joining: (t: number) => number) {
  const schedule = new BeatSchedule<number>(0);
  const beats = new Map<number, number[]>();
  let count = 0;
  for (let t = 5; t <= ms; t += 5) {
    const fresh = Array.from({ length: joining(t) }, () => count++);
    for (const id of fresh) beats.set(id, [t]);
    schedule.add(fresh, t);
    for (const id of schedule.due(t)) beats.get(id)!.push(t);
  }
  return beats;
}

Deno.test("beat schedule: sessions joining over 4 s each beat once a second from their login", () => {
  // 10,000 logins over 4 s, as one soak client's; the old round-robin left the first ones
  // unbeaten for 2 s and more while the list grew.
  const beats = simulate(10_000, (t) => (t <= 4_000 ? 12 + (t % 10 === 0 ? 1 : 0) : 0));
  assert(beats.size > 9_000);
  for (const [id, times] of beats) {
    const first = times[1] - times[0];
    assert(first > 0 && first <= 1_005, `session ${id} waited ${first} ms for its first beat`);
    for (let i = 2; i < times.length; i++) {
      assert.deepEqual(times[i] - times[i - 1], 1_000, `session ${id} beat ${i}`);
    }
  }
});

Deno.test("beat schedule: a thousand sessions at once are spread over the second", () => {
  const schedule = new BeatSchedule<number>(0);
  schedule.add(Array.from({ length: 1_000 }, (_, i) => i), 0);
  const perTick = [];
  for (let t = 5; t <= 1_000; t += 5) perTick.push(schedule.due(t).length);
  assert.deepEqual(perTick.reduce((a, b) => a + b), 1_000);
  assert.deepEqual(Math.max(...perTick), Math.ceil(1_000 / BEAT_SLOTS));
});

Deno.test("beat schedule: a caller seconds late gets each session once", () => {
  const schedule = new BeatSchedule<number>(0);
  schedule.add([1, 2, 3], 0);
  assert.deepEqual(schedule.due(3_500).sort(), [1, 2, 3]);
  assert.deepEqual(schedule.due(3_500), []);
  assert.deepEqual(schedule.due(4_500).sort(), [1, 2, 3]);
});
