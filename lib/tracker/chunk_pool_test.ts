import assert from "node:assert/strict";
import { ChunkPool, MAX_CHUNK_INTS } from "./chunk_pool.ts";
import { SeededRandom } from "./test_random.ts";

Deno.test("a chunk is at least as long as asked, and a released one is handed out again", () => {
  const pool = new ChunkPool();
  const chunk = pool.alloc(5);
  assert.equal(chunk.length, 8);
  chunk.fill(7);
  pool.release(chunk);
  assert.equal(pool.alloc(6), chunk);
  assert.equal(pool.alloc(MAX_CHUNK_INTS).length, MAX_CHUNK_INTS);
  assert.throws(() => pool.alloc(MAX_CHUNK_INTS + 1), RangeError);
});

Deno.test("chunks never overlap, across slabs, and a slab's tail is not lost", () => {
  const pool = new ChunkPool();
  const chunks: Int32Array[] = [];
  for (let i = 0; i < 5000; i++) {
    const chunk = pool.alloc(1 + (i * 7919) % MAX_CHUNK_INTS);
    chunk.fill(i);
    chunks.push(chunk);
  }
  assert.ok(pool.slabs > 1);
  chunks.forEach((chunk, i) => assert.ok(chunk.every((value) => value === i), `chunk ${i}`));
});

Deno.test("packing moves every chunk in use to a piece of its used length and drops empty slabs", () => {
  const pool = new ChunkPool({ slabInts: 1 << 17 });
  const random = new SeededRandom(11);
  const owners = Array.from(
    { length: 40 },
    () => ({ chunks: [] as Int32Array[], counts: [] as number[] }),
  );
  let value = 1;
  for (let i = 0; i < 6000; i++) {
    const owner = random.pick(owners);
    if (owner.chunks.length > 0 && random.below(3) === 0) {
      // Released chunks leave holes that packing must close.
      const c = random.below(owner.chunks.length);
      pool.release(owner.chunks[c]);
      owner.chunks.splice(c, 1);
      owner.counts.splice(c, 1);
      continue;
    }
    const chunk = pool.alloc(1 + random.below(MAX_CHUNK_INTS));
    const count = 1 + random.below(chunk.length);
    for (let j = 0; j < count; j++) chunk[j] = value++;
    owner.chunks.push(chunk);
    owner.counts.push(count);
  }
  const before = owners.map((owner) =>
    owner.chunks.map((chunk, c) => [...chunk.subarray(0, owner.counts[c])])
  );
  const slabs = pool.slabs;
  pool.repack(owners);
  assert.ok(pool.slabs < slabs, `${pool.slabs} slabs of ${slabs}`);
  owners.forEach((owner, o) =>
    owner.chunks.forEach((chunk, c) => {
      assert.equal(chunk.length, owner.counts[c]);
      assert.deepEqual([...chunk], before[o][c]);
    })
  );
  // New chunks after packing overlap none of the packed ones, and packed ones can be released.
  pool.release(owners[0].chunks.pop() as Int32Array);
  owners[0].counts.pop();
  const fresh = Array.from(
    { length: 3000 },
    (_, i) => pool.alloc(1 + (i * 31) % MAX_CHUNK_INTS).fill(-1 - i),
  );
  owners.forEach((owner, o) =>
    owner.chunks.forEach((chunk, c) => assert.deepEqual([...chunk], before[o][c]))
  );
  fresh.forEach((chunk, i) => assert.ok(chunk.every((v) => v === -1 - i), `fresh chunk ${i}`));
  // Packed again, with the short slab of the first packing now among the others.
  const more = { chunks: fresh, counts: fresh.map((chunk) => chunk.length) };
  pool.repack([...owners, more]);
  fresh.forEach((chunk, i) => assert.ok(chunk.every((v) => v === -1 - i), `fresh chunk ${i}`));
  owners.forEach((owner, o) =>
    owner.chunks.forEach((chunk, c) => assert.deepEqual([...chunk], before[o][c]))
  );
});

Deno.test("a packed chunk shorter than a class is filed under the class it holds", () => {
  const pool = new ChunkPool();
  const owner = { chunks: [pool.alloc(400)], counts: [300] };
  pool.repack([owner]);
  assert.equal(owner.chunks[0].length, 300);
  pool.release(owner.chunks[0]);
  // 300 values hold the 256 class, not the 384 one.
  assert.ok(pool.alloc(300).length >= 300);
  assert.equal(pool.alloc(256).length, 256);
});
