import assert from "node:assert/strict";
import { ChunkPool } from "./chunk_pool.ts";
import { entryId, MAX_POSTING_ID, Posting } from "./posting.ts";
import { LABELS_PER_STEP, missCost, PostingCursor, seekCost } from "./posting_cursor.ts";
import { SeededRandom } from "./test_random.ts";

/** Labels spread over the whole range a label may take, up to just below 2^53. */
function labels(count: number, random: SeededRandom): Float64Array {
  const ord = new Float64Array(count);
  const used = new Set<number>();
  for (let id = 0; id < count; id++) {
    let label: number;
    do {
      label = random.below(3) === 0
        ? 2 ** 53 - 1 - random.below(5000) // the top, where a double has no fractions
        : 1 + Math.floor(random.next() * 2 ** 52);
    } while (used.has(label));
    used.add(label);
    ord[id] = label;
  }
  return ord;
}

function entries(posting: Posting): number[] {
  const ids: number[] = [];
  posting.chunks.forEach((chunk, c) => {
    for (let i = 0; i < posting.counts[c]; i++) ids.push(entryId(chunk[i]));
  });
  return ids;
}

Deno.test("a posting keeps its ids in label order through random inserts and removals", () => {
  const random = new SeededRandom(7);
  const ord = labels(4000, random);
  const posting = new Posting(0, new ChunkPool());
  const model = new Set<number>();
  for (let step = 0; step < 20_000; step++) {
    const id = random.below(ord.length);
    if (random.below(3) > 0 && !model.has(id)) {
      posting.insert(id, id * 7, ord);
      model.add(id);
    } else {
      assert.equal(posting.remove(id, ord), model.has(id));
      model.delete(id);
    }
  }
  const expected = [...model].sort((a, b) => ord[a] - ord[b]);
  assert.deepEqual(entries(posting), expected);
  assert.equal(posting.size, expected.length);
});

Deno.test("a cursor seeks to the first label at or above a target, also near 2^53", () => {
  const random = new SeededRandom(8);
  const ord = labels(3000, random);
  const posting = new Posting(0, new ChunkPool());
  for (let id = 0; id < ord.length; id += 2) posting.insert(id, id, ord);
  const sorted = entries(posting);
  for (let round = 0; round < 300; round++) {
    const start = ord[random.below(ord.length)];
    const cursor = new PostingCursor(posting, ord, start);
    // The constructor starts strictly after `start`.
    assert.equal(cursor.id, sorted.find((id) => ord[id] > start) ?? -1);
    for (let hop = 0; hop < 5 && cursor.id !== -1; hop++) {
      const target = ord[random.below(ord.length)];
      const from = ord[cursor.id];
      cursor.seek(target);
      const expected = sorted.find((id) => ord[id] >= Math.max(target, from)) ?? -1;
      assert.equal(cursor.id, expected);
      if (cursor.id !== -1) assert.equal(cursor.mask, cursor.id);
      cursor.advance();
      assert.equal(cursor.id, expected === -1 ? -1 : sorted[sorted.indexOf(expected) + 1] ?? -1);
    }
  }
});

Deno.test("a seek costs a step and one more per few labels it reads: far costs more than near", () => {
  // 64 chunks of 1,024 entries, labels increasing with the id.
  const ord = new Float64Array(65_536).map((_, id) => 10 * (id + 1));
  const posting = new Posting(0, new ChunkPool());
  for (let id = 0; id < ord.length; id++) posting.insert(id, 1, ord);
  const near = new PostingCursor(posting, ord, 0);
  near.seek(ord[1]); // the next entry: one label read
  assert.equal(near.id, 1);
  assert.equal(near.steps, seekCost(1));
  near.seek(ord[9]); // a few entries on: the next, the chunk's last, a gallop and a bisection
  assert.equal(near.id, 9);
  assert.ok(near.steps - seekCost(1) <= seekCost(8), `${near.steps}`);
  const far = new PostingCursor(posting, ord, 0);
  far.seek(ord[60_000] - 5); // between two labels: lands on the next one
  assert.equal(far.id, 60_000);
  // Chunks galloped and bisected (~12 labels), then the entries of one (~20): a dozen steps.
  assert.ok(far.steps >= seekCost(20) && far.steps <= seekCost(40), `${far.steps}`);
  assert.ok(far.steps > near.steps);
  // A seek that does not move costs nothing.
  far.seek(ord[100]);
  assert.equal(far.id, 60_000);
  assert.ok(far.steps <= seekCost(40));
  assert.equal(seekCost(LABELS_PER_STEP - 1), 1);
  assert.equal(seekCost(LABELS_PER_STEP), 2);
});

Deno.test("a read ahead by id costs one step when it finds the id, and its reads besides when not", () => {
  const ord = new Float64Array(4096).map((_, id) => 10 * (id + 1));
  const posting = new Posting(0, new ChunkPool());
  for (let id = 0; id < ord.length; id += 2) posting.insert(id, 1, ord); // even ids only
  const found = new PostingCursor(posting, ord, 0);
  found.seekId(40, ord[40], 32); // 20 entries on
  assert.deepEqual([found.id, found.steps], [40, 1]);
  const absent = new PostingCursor(posting, ord, 0);
  absent.seekId(41, ord[41], 32); // not in the posting: read 32 entries, then sought by label
  assert.equal(absent.id, 42);
  const sought = new PostingCursor(posting, ord, 0);
  sought.seek(ord[41]);
  assert.equal(absent.steps, missCost(32) + sought.steps);
  assert.ok(missCost(32) >= 1);
  // Standing past the id already: no read, no step.
  absent.seekId(41, ord[41], 32);
  assert.equal(absent.steps, missCost(32) + sought.steps);
});

Deno.test("an emptied posting gives its chunks back", () => {
  const ord = Float64Array.from({ length: 5000 }, (_, id) => id + 1);
  const posting = new Posting(0, new ChunkPool());
  for (let id = 0; id < ord.length; id++) posting.insert(id, 0, ord);
  assert.ok(posting.chunks.length >= 4);
  for (let id = 0; id < ord.length; id++) assert.ok(posting.remove(id, ord));
  assert.equal(posting.size, 0);
  assert.equal(posting.chunks.length, 0);
  assert.equal(new PostingCursor(posting, ord, 0).id, -1);
});

Deno.test("a posting filled in label order has full chunks, and later inserts keep the order", () => {
  const ord = Float64Array.from({ length: 6000 }, (_, id) => (id + 1) * 4);
  const posting = new Posting(0, new ChunkPool());
  for (let id = 0; id < 5000; id++) posting.insert(id, id, ord);
  assert.equal(posting.chunks.length, Math.ceil(5000 / 1024));
  assert.ok(posting.counts.slice(0, -1).every((count) => count === 1024));
  // Labels between the loaded ones, and past the end again.
  ord[5000] = 2 * 4 + 1;
  ord[5001] = 4000 * 4 + 2;
  posting.insert(5000, 5000, ord);
  posting.insert(5001, 5001, ord);
  for (let id = 5002; id < 6000; id++) posting.insert(id, id, ord);
  const expected = Array.from({ length: 6000 }, (_, id) => id).sort((a, b) => ord[a] - ord[b]);
  assert.deepEqual(entries(posting), expected);
  const cursor = new PostingCursor(posting, ord, 0);
  for (const id of expected) {
    assert.equal(cursor.id, id);
    assert.equal(cursor.mask, id);
    cursor.advance();
  }
  assert.equal(cursor.id, -1);
});

Deno.test("an entry keeps any mask — none, one bit of 32, several — beside ids up to the limit", () => {
  const masks = [
    0,
    ...Array.from({ length: 32 }, (_, bit) => 1 << bit),
    3,
    -1,
    0x80000001,
    0x7fff0000,
  ];
  const ids = masks.map((_, i) => (i % 2 === 0 ? i : MAX_POSTING_ID - i));
  const ord = new Float64Array(MAX_POSTING_ID + 1);
  ids.forEach((id, i) => (ord[id] = i + 1));
  const posting = new Posting(0, new ChunkPool());
  ids.forEach((id, i) => posting.insert(id, masks[i] | 0, ord));
  const cursor = new PostingCursor(posting, ord, 0);
  ids.forEach((id, i) => {
    assert.equal(cursor.id, id);
    assert.equal(cursor.mask, masks[i] | 0, `mask ${masks[i]}`);
    cursor.advance();
  });
  assert.equal(posting.wide?.size, 4);
  ids.forEach((id) => assert.ok(posting.remove(id, ord)));
  assert.equal(posting.wide?.size, 0, "a removed entry's wide mask goes too");
});

Deno.test("postings sharing a pool keep their entries through random changes and packings", () => {
  const random = new SeededRandom(9);
  const ord = labels(3000, random);
  // Small slabs, so packing moves chunks across slabs and drops some.
  const pool = new ChunkPool({ slabInts: 2048 });
  const postings = Array.from({ length: 6 }, (_, code) => new Posting(code, pool));
  const models = postings.map(() => new Set<number>());
  const check = () =>
    postings.forEach((posting, p) => {
      const expected = [...models[p]].sort((a, b) => ord[a] - ord[b]);
      assert.deepEqual(entries(posting), expected);
      assert.equal(posting.size, expected.length);
      const cursor = new PostingCursor(posting, ord, 0);
      for (const id of expected) {
        assert.equal(cursor.mask, id % 5 === 0 ? 0b101 : 1 << (id % 32));
        cursor.advance();
      }
    });
  // A load in label order first (the case packing is for), then churn.
  const sorted = Array.from({ length: ord.length }, (_, id) => id).sort((a, b) => ord[a] - ord[b]);
  for (const id of sorted) {
    postings.forEach((posting, p) => {
      if (random.below(p + 2) !== 0) return;
      posting.insert(id, id % 5 === 0 ? 0b101 : 1 << (id % 32), ord);
      models[p].add(id);
    });
  }
  for (let step = 0; step < 30_000; step++) {
    if (step % 5000 === 0) {
      const slabs = pool.slabs;
      pool.repack(postings);
      if (step === 0) assert.ok(pool.slabs < slabs, `${pool.slabs} slabs of ${slabs}`);
      check();
    }
    const p = random.below(postings.length);
    const id = random.below(ord.length);
    if (random.below(2) === 0 && !models[p].has(id)) {
      postings[p].insert(id, id % 5 === 0 ? 0b101 : 1 << (id % 32), ord);
      models[p].add(id);
    } else {
      assert.equal(postings[p].remove(id, ord), models[p].has(id));
      models[p].delete(id);
    }
  }
  check();
});
