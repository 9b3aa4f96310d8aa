import assert from "node:assert/strict";
import { UsageError } from "../cli.ts";
import {
  parseCount,
  parseRate,
  parseSize,
  parseTimeout,
  parseTrackerAddress,
} from "./option_values.ts";

Deno.test("a tracker address is host:port or [v6]:port with a port from 1 to 65535", () => {
  assert.deepEqual(parseTrackerAddress("192.0.2.10:5000", "-t"), {
    host: "192.0.2.10",
    port: 5000,
  });
  assert.deepEqual(parseTrackerAddress("tracker.example:1", "-t"), {
    host: "tracker.example",
    port: 1,
  });
  assert.deepEqual(parseTrackerAddress("[::1]:65535", "-t"), { host: "::1", port: 65535 });
  for (const bad of ["5000", "host:", ":5000", "host:0", "host:65536", "::1:5000", "h:p"]) {
    assert.throws(() => parseTrackerAddress(bad, "-t"), UsageError, bad);
  }
});

Deno.test("counts, rates, sizes and timeouts parse with their suffixes and limits", () => {
  assert.equal(parseCount("4", "--n"), 4);
  assert.throws(() => parseCount("17", "--n", 16), UsageError);
  assert.equal(parseRate("10M", "--r"), 10 * 1024 ** 2);
  assert.equal(parseRate("1.5k", "--r"), 1536);
  assert.throws(() => parseRate("fast", "--r"), UsageError);
  assert.equal(parseSize("64G", "--s"), 64 * 1024 ** 3);
  assert.throws(() => parseSize("0", "--s"), UsageError);
  assert.equal(parseTimeout("300", "--t"), 300);
  assert.throws(() => parseTimeout("600001", "--t"), UsageError);
  assert.throws(() => parseTimeout("soon", "--t"), UsageError);
});
