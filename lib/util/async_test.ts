import assert from "node:assert/strict";
import { abortable, delay } from "./async.ts";

Deno.test("delay resolves after its time, and an abort rejects it at once with the reason", async () => {
  const started = performance.now();
  await delay(20);
  assert.ok(performance.now() - started >= 15);
  const stop = new AbortController();
  const waiting = delay(60_000, { signal: stop.signal });
  stop.abort(new Error("stopped"));
  // The op sanitizer fails this test if the minute-long timer were left running.
  await assert.rejects(waiting, { message: "stopped" });
  await assert.rejects(delay(1, { signal: stop.signal }), { message: "stopped" });
});

Deno.test("abortable passes a promise's outcome through, or the signal's reason first", async () => {
  const stop = new AbortController();
  assert.equal(await abortable(Promise.resolve(7), stop.signal), 7);
  await assert.rejects(abortable(Promise.reject(new Error("own")), stop.signal), {
    message: "own",
  });
  const never = abortable(new Promise(() => {}), stop.signal);
  stop.abort(new Error("stopped"));
  await assert.rejects(never, { message: "stopped" });
  await assert.rejects(abortable(Promise.resolve(1), stop.signal), { message: "stopped" });
});
