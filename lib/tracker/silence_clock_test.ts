import assert from "node:assert/strict";
import { SilenceClock } from "./silence_clock.ts";
import { SeededRandom } from "./test_random.ts";

function clockAt(start = 0) {
  let real = start;
  const clock = new SilenceClock({ now: () => real, stallMs: 1000, deafRate: 0.25 });
  return { clock, set: (ms: number) => real = ms };
}

Deno.test("silence clock: real time while ticks come and no datagram is dropped", () => {
  const { clock, set } = clockAt(100);
  assert.equal(clock.now(), 100);
  for (let t = 350; t <= 10_100; t += 250) {
    set(t);
    clock.tick();
    assert.equal(clock.now(), t);
  }
  clock.noteDrops(7); // the first count only sets the baseline
  set(10_600);
  assert.equal(clock.now(), 10_600);
});

Deno.test("silence clock: a stall counts fully up to stallMs, the rest at the deaf rate", () => {
  const { clock, set } = clockAt(0);
  set(500);
  clock.tick();
  set(900);
  assert.equal(clock.now(), 900); // busy, not yet a stall
  set(6_500); // no tick for 6 s: 1 s counts fully, 5 s at a quarter
  assert.equal(clock.now(), 1_500 + 1_250);
  assert.equal(clock.tick(), 6_000);
  set(7_000);
  assert.equal(clock.now(), 2_750 + 500); // ticking again: real speed
});

Deno.test("silence clock: after a count that found drops, a quarter speed until one finds none", () => {
  const { clock, set } = clockAt(0);
  assert.deepEqual(clock.noteDrops(10), { dropped: 0 });
  set(1_000);
  assert.deepEqual(clock.noteDrops(250), { dropped: 240 });
  set(1_200);
  clock.tick();
  set(2_000);
  assert.equal(clock.now(), 1_000 + 250);
  assert.deepEqual(clock.noteDrops(250), { dropped: 0 });
  set(3_000);
  assert.equal(clock.now(), 1_250 + 1_000);
});

Deno.test("silence clock: a dead peer still expires under overload that never ends", () => {
  // Drops at every count and a stall now and then: 3 s of silence is reached within 12 s.
  const { clock, set } = clockAt(0);
  clock.noteDrops(0);
  let t = 0;
  let drops = 0;
  while (clock.now() < 3_000) {
    t += 250;
    set(t);
    clock.tick();
    if (t % 1000 === 0) clock.noteDrops(drops += 100);
  }
  assert.ok(t <= 12_250, `3 s of silence took ${t} ms`);
});

Deno.test("silence clock: monotonic and never ahead of real time, in any order of calls", () => {
  const random = new SeededRandom(20261201);
  for (let run = 0; run < 200; run++) {
    const start = random.below(1_000_000);
    const { clock, set } = clockAt(start);
    let real = start;
    let last = clock.now();
    let drops = 0;
    for (let step = 0; step < 200; step++) {
      real += random.below(3) === 0 ? random.below(5_000) : random.below(300);
      set(real);
      const action = random.below(3);
      if (action === 0) clock.tick();
      if (action === 1) clock.noteDrops(drops += random.below(2) * random.below(50));
      const now = clock.now();
      assert.ok(now >= last, `went back from ${last} to ${now}`);
      assert.ok(now <= real, `${now} ahead of real ${real}`);
      last = now;
    }
  }
});

Deno.test("silence clock: a deaf rate outside (0, 1] is refused", () => {
  assert.throws(() => new SilenceClock({ now: () => 0, deafRate: 0 }), RangeError);
  assert.throws(() => new SilenceClock({ now: () => 0, deafRate: 1.5 }), RangeError);
});
