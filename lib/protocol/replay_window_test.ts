import assert from "node:assert/strict";
import { REPLAY_WINDOW_SIZE, ReplayWindow } from "./replay_window.ts";

Deno.test("the replay window accepts each counter once, in any order within its width", () => {
  const window = new ReplayWindow();
  assert.ok(window.accept(0));
  assert.ok(!window.accept(0));
  assert.ok(window.accept(10));
  assert.ok(window.accept(5));
  assert.ok(!window.accept(5));
  assert.ok(!window.accept(10));
  assert.ok(window.accept(10 + REPLAY_WINDOW_SIZE));
  assert.ok(!window.accept(10), "too old once the window moved past it");
  assert.ok(window.accept(11), "the oldest counter still inside the window");
  assert.ok(!window.accept(-1));
  assert.ok(!window.accept(1.5));
});

Deno.test("the replay window agrees with a brute-force model on random counters", () => {
  const window = new ReplayWindow();
  const seen = new Set<number>();
  let newest = -1;
  let seed = 99;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; i < 20_000; i++) {
    const jump = random() % 3 === 0 ? random() % 3000 : random() % 40;
    const counter = Math.max(0, newest + 20 - jump);
    const expected = !seen.has(counter) && newest - counter < REPLAY_WINDOW_SIZE;
    assert.equal(window.accept(counter), expected, `counter ${counter} after newest ${newest}`);
    if (expected) {
      seen.add(counter);
      newest = Math.max(newest, counter);
    }
  }
});
