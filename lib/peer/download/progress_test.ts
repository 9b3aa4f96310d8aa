import assert from "node:assert/strict";
import { SpeedMeter } from "./progress.ts";

Deno.test("the speed meter averages over its window", () => {
  let clock = 0;
  const meter = new SpeedMeter(() => clock, 1000);
  for (let i = 1; i <= 50; i++) {
    clock = i * 100;
    meter.add(i <= 30 ? 100_000 : 10_000);
  }
  // The last second saw 10 000 bytes per 100 ms.
  assert.ok(Math.abs(meter.bytesPerSecond() - 100_000) < 15_000, `${meter.bytesPerSecond()}`);
});
