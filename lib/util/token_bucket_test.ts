import assert from "node:assert/strict";
import { TokenBucket } from "./token_bucket.ts";

Deno.test("a token bucket holds a transfer to its rate after the burst", async () => {
  let clock = 0;
  const bucket = new TokenBucket({
    bytesPerSecond: 1_000_000,
    burstBytes: 100_000,
    now: () => clock,
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
  });
  for (let i = 0; i < 100; i++) await bucket.take(50_000);
  // 5 MB at 1 MB/s after a 100 kB burst: 4.9 s.
  assert.equal(Math.round(clock), 4900);
});

Deno.test("a token bucket suggests chunks small enough to keep bytes flowing", () => {
  assert.equal(new TokenBucket({ bytesPerSecond: 64 * 1024 }).chunkBytes(1 << 20), 16 * 1024);
  assert.equal(new TokenBucket({ bytesPerSecond: 1e9 }).chunkBytes(1 << 20), 1 << 20);
  assert.throws(() => new TokenBucket({ bytesPerSecond: 0 }), RangeError);
});
