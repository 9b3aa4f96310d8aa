import assert from "node:assert/strict";
import { startHeartbeat } from "./heartbeat.ts";

Deno.test("heartbeat beats every interval until stopped", async () => {
  const stop = new AbortController();
  let beats = 0;
  startHeartbeat({
    beat: () => Promise.resolve(void beats++),
    signal: stop.signal,
    intervalMs: 20,
  });
  await new Promise((resolve) => setTimeout(resolve, 110));
  stop.abort();
  const seen = beats;
  assert.ok(seen >= 3 && seen <= 6, `${seen} beats`);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(beats, seen);
});

Deno.test("a failing beat does not stop the heartbeat", async () => {
  const stop = new AbortController();
  let beats = 0;
  startHeartbeat({
    beat: () => Promise.reject(new Error(`beat ${++beats}`)),
    signal: stop.signal,
    intervalMs: 10,
  });
  await new Promise((resolve) => setTimeout(resolve, 60));
  stop.abort();
  assert.ok(beats >= 2);
});
