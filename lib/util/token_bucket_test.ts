import assert from "node:assert/strict";
import { TokenBucket } from "./token_bucket.ts";

function fakeClock(options: { bytesPerSecond: number; burstBytes?: number; late?: number }) {
  const clock = { now: 0 };
  const bucket = new TokenBucket({
    bytesPerSecond: options.bytesPerSecond,
    ...(options.burstBytes === undefined ? {} : { burstBytes: options.burstBytes }),
    now: () => clock.now,
    sleep: (ms) => {
      // A timer fires `late` ms after it was due, as real ones do under load.
      clock.now += ms + (options.late ?? 0);
      return Promise.resolve();
    },
  });
  return { clock, bucket };
}

Deno.test("a token bucket holds a transfer to its rate from the first byte", async () => {
  const { clock, bucket } = fakeClock({ bytesPerSecond: 1_000_000, burstBytes: 100_000 });
  for (let i = 0; i < 100; i++) await bucket.take(50_000);
  // 5 MB at 1 MB/s: 5 s. The bucket starts empty, so no burst makes it shorter (it took 4.9 s).
  assert.equal(Math.round(clock.now), 5000);
});

Deno.test("a capped transfer of a few seconds stays within 1 % of its cap", async () => {
  // The default burst, with 16 KiB reads at 256 KiB/s for 3 s: it used to run ~8 % over.
  const { clock, bucket } = fakeClock({ bytesPerSecond: 256 * 1024 });
  for (let i = 0; i < 48; i++) await bucket.take(16 * 1024);
  const rate = 48 * 16 * 1024 / (clock.now / 1000);
  assert.ok(rate <= 256 * 1024 * 1.01, `ran at ${rate} B/s`);
  assert.ok(rate >= 256 * 1024 * 0.99, `ran at ${rate} B/s`);
});

Deno.test("late timers are caught up by the burst, so the cap is not undershot either", async () => {
  const { clock, bucket } = fakeClock({ bytesPerSecond: 1_000_000, late: 4 });
  for (let i = 0; i < 100; i++) await bucket.take(50_000);
  // Every wait ends 4 ms late; the tokens those 4 ms earned are kept (up to the burst).
  assert.ok(clock.now <= 5000 + 4 + 1e-6, `took ${clock.now} ms`);
  assert.ok(clock.now >= 5000, `took ${clock.now} ms`);
});

Deno.test("after a pause a transfer gets at most the burst for free", async () => {
  const { clock, bucket } = fakeClock({ bytesPerSecond: 1_000_000 });
  await bucket.take(1_000_000);
  clock.now += 60_000;
  const before = clock.now;
  await bucket.take(1_000_000);
  // The burst is a twentieth of a second's worth: 50 kB of the megabyte are free.
  assert.equal(Math.round(clock.now - before), 950);
});

Deno.test("a token bucket suggests chunks small enough to keep bytes flowing", () => {
  assert.equal(new TokenBucket({ bytesPerSecond: 64 * 1024 }).chunkBytes(1 << 20), 16 * 1024);
  assert.equal(new TokenBucket({ bytesPerSecond: 1e9 }).chunkBytes(1 << 20), 1 << 20);
  assert.throws(() => new TokenBucket({ bytesPerSecond: 0 }), RangeError);
});
