import assert from "node:assert/strict";
import { type CoolDownOptions, SlowReaderCoolDown } from "./slow_reader_cool_down.ts";

const options: CoolDownOptions = {
  baseMs: 30_000,
  maxMs: 120_000,
  memoryMs: 600_000,
  maxEntries: 3,
};

Deno.test("a dropped address cools down 30 s, then is served again", () => {
  const coolDown = new SlowReaderCoolDown(options);
  assert.equal(coolDown.remainingMs("10.0.0.2", 0), 0);
  assert.equal(coolDown.dropped("10.0.0.2", 1000), 30_000);
  assert.equal(coolDown.remainingMs("10.0.0.2", 1000), 30_000);
  assert.equal(coolDown.remainingMs("10.0.0.2", 30_999), 1);
  assert.equal(coolDown.remainingMs("10.0.0.2", 31_000), 0);
  assert.equal(coolDown.remainingMs("10.0.0.3", 2000), 0, "other addresses are not touched");
});

Deno.test("repeat offenders cool down twice as long each time, up to the cap", () => {
  const coolDown = new SlowReaderCoolDown(options);
  let now = 0;
  const lengths: number[] = [];
  for (let i = 0; i < 5; i++) {
    const ms = coolDown.dropped("10.0.0.2", now);
    lengths.push(ms);
    now += ms + 5_000; // back soon after each cool-down, and dropped again
  }
  assert.deepEqual(lengths, [30_000, 60_000, 120_000, 120_000, 120_000]);
});

Deno.test("a drop long after the last cool-down counts as a first offence", () => {
  const coolDown = new SlowReaderCoolDown(options);
  assert.equal(coolDown.dropped("10.0.0.2", 0), 30_000);
  assert.equal(coolDown.dropped("10.0.0.2", 30_000 + 600_001), 30_000);
});

Deno.test("a second drop during a cool-down does not lengthen it", () => {
  const coolDown = new SlowReaderCoolDown(options);
  assert.equal(coolDown.dropped("10.0.0.2", 0), 30_000);
  assert.equal(coolDown.dropped("10.0.0.2", 10_000), 20_000);
  assert.equal(coolDown.dropped("10.0.0.2", 31_000), 60_000, "the next one after it is a repeat");
});

Deno.test("the table never holds more than maxEntries; the entry touched longest ago goes", () => {
  const coolDown = new SlowReaderCoolDown(options);
  for (let i = 0; i < 100; i++) coolDown.dropped(`10.0.${i >> 8}.${i & 255}`, i);
  assert.equal(coolDown.size, 3);
  assert.ok(coolDown.remainingMs("10.0.0.99", 100) > 0);
  assert.equal(coolDown.remainingMs("10.0.0.0", 100), 0);
});

Deno.test("an entry past its memory is forgotten when next looked at", () => {
  const coolDown = new SlowReaderCoolDown(options);
  coolDown.dropped("10.0.0.2", 0);
  assert.equal(coolDown.remainingMs("10.0.0.2", 30_000 + 600_001), 0);
  assert.equal(coolDown.size, 0);
});

Deno.test("a base of 0 turns the cool-down off", () => {
  const coolDown = new SlowReaderCoolDown({ ...options, baseMs: 0 });
  assert.equal(coolDown.dropped("10.0.0.2", 0), 0);
  assert.equal(coolDown.remainingMs("10.0.0.2", 0), 0);
  assert.equal(coolDown.size, 0);
});

Deno.test("the refusal says how many seconds are left, rounded up", () => {
  const coolDown = new SlowReaderCoolDown(options);
  assert.equal(coolDown.refusal("10.0.0.2", 0), undefined);
  coolDown.dropped("10.0.0.2", 0);
  assert.match(coolDown.refusal("10.0.0.2", 100) ?? "", /dropped; try again in 30 s$/);
  assert.match(coolDown.refusal("10.0.0.2", 29_001) ?? "", /try again in 1 s$/);
  assert.equal(coolDown.refusal("10.0.0.2", 30_000), undefined);
});
