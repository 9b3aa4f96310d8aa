import assert from "node:assert/strict";
import { ChunkPool, MAX_CHUNK_INTS } from "./chunk_pool.ts";

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
