import assert from "node:assert/strict";
import {
  coveredBytes,
  decodeResumeNote,
  encodeResumeNote,
  MAX_NOTED_RANGES,
  mergeRanges,
  missingRanges,
} from "./resume_note.ts";

Deno.test("ranges merge when they overlap or touch, and empty ones are dropped", () => {
  const merged = mergeRanges([
    { start: 10, end: 20 },
    { start: 0, end: 4 },
    { start: 4, end: 6 },
    { start: 15, end: 25 },
    { start: 30, end: 30 },
    { start: 40, end: 41 },
  ]);
  assert.deepEqual(merged, [{ start: 0, end: 6 }, { start: 10, end: 25 }, { start: 40, end: 41 }]);
  assert.equal(coveredBytes(merged), 6 + 15 + 1);
});

Deno.test("the missing ranges are exactly the holes between, before and after the done ones", () => {
  assert.deepEqual(missingRanges([], 10), [{ start: 0, end: 10 }]);
  assert.deepEqual(missingRanges([{ start: 0, end: 10 }], 10), []);
  assert.deepEqual(missingRanges([{ start: 2, end: 4 }, { start: 6, end: 10 }], 12), [
    { start: 0, end: 2 },
    { start: 4, end: 6 },
    { start: 10, end: 12 },
  ]);
  assert.deepEqual(missingRanges([], 0), []);
});

Deno.test("a note round-trips, and an old note's bare prefix length is still understood", () => {
  const done = [{ start: 0, end: 1024 }, { start: 4096, end: 8192 }];
  assert.deepEqual(decodeResumeNote(encodeResumeNote(done, 10_000), 10_000, 10_000), done);
  assert.deepEqual(decodeResumeNote(encodeResumeNote([], 5), 5, 0), []);
  assert.deepEqual(decodeResumeNote("1048576\n", 4_000_000, 2_000_000), [{
    start: 0,
    end: 1_048_576,
  }]);
  // A prefix longer than the file is cut to what the file holds.
  assert.deepEqual(decodeResumeNote("500", 1000, 300), [{ start: 0, end: 300 }]);
  assert.deepEqual(decodeResumeNote("0", 1000, 300), []);
});

Deno.test("a note that is not consistent is not trusted at all", () => {
  const size = 1000;
  const bad = [
    "",
    "garbage",
    "null",
    "[]",
    '{"done":[[0,10]]}',
    '{"size":999,"done":[[0,10]]}',
    '{"size":1000,"done":[[0,10],[5,20]]}',
    '{"size":1000,"done":[[20,30],[0,10]]}',
    '{"size":1000,"done":[[0,10],[10,20]]}',
    '{"size":1000,"done":[[10,10]]}',
    '{"size":1000,"done":[[0,600]]}',
    '{"size":1000,"done":[[-1,10]]}',
    '{"size":1000,"done":[[0.5,10]]}',
    '{"size":1000,"done":[[0,"10"]]}',
    '{"size":1000,"done":[[0,10,20]]}',
    '{"size":1000,"done":"0-10"}',
    "99999999999999999999",
  ];
  for (const text of bad) assert.equal(decodeResumeNote(text, size, 500), undefined, text);
  const many = Array.from({ length: MAX_NOTED_RANGES + 1 }, (_, i) => [2 * i, 2 * i + 1]);
  const tooMany = JSON.stringify({ size: 1e9, done: many });
  assert.equal(decodeResumeNote(tooMany, 1e9, 1e9), undefined);
});
