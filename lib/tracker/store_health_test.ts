import assert from "node:assert/strict";
import { StoreHealthLog } from "./store_health.ts";
import { StoreOverflowError, StoreWriteError } from "./store/mod.ts";

function setup() {
  const clock = { now: 0 };
  const lines: string[] = [];
  const health = new StoreHealthLog({
    logger: { log: (event) => lines.push(event.message) },
    now: () => clock.now,
    intervalMs: 10_000,
  });
  return { clock, lines, health };
}

Deno.test("write failures are logged at most once per interval, with how many were held back", () => {
  const { clock, lines, health } = setup();
  const failure = new StoreWriteError("t.db", "full", 7, "database or disk is full");
  health.failed(failure);
  clock.now = 100;
  health.failed(failure);
  clock.now = 300;
  health.failed(failure);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^Publications not yet saved: t\.db: cannot write 7 changes/);
  assert.match(lines[0], /serving from memory meanwhile$/);
  clock.now = 10_000;
  health.failed(failure);
  assert.equal(lines.length, 2);
  assert.match(lines[1], /\(2 more failures since the last report\)$/);
});

Deno.test("an overflow is its own line, and recovery is always said", () => {
  const { lines, health } = setup();
  health.failed(new StoreWriteError("t.db", "io", 3, "disk I/O error"));
  health.failed(new StoreOverflowError("t.db", 1000));
  health.recovered({ failures: 4, written: 1000 });
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^Publications being lost: t\.db: 1000 changes wait/);
  assert.equal(
    lines[2],
    "Publications saved again: 1000 queued changes written after 4 failed attempts",
  );
});
