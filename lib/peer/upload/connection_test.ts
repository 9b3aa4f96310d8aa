import assert from "node:assert/strict";
import { delay } from "../../util/mod.ts";
import { Connection } from "./connection.ts";

/** A connected loopback pair: `ours` wrapped in a {@linkcode Connection}, `theirs` raw. */
async function withPair(
  run: (ours: Connection, theirs: Deno.Conn) => Promise<void>,
): Promise<void> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [accepted, theirs] = await Promise.all([
    listener.accept(),
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
  ]);
  const ours = new Connection(accepted);
  try {
    await run(ours, theirs);
  } finally {
    ours.close();
    theirs.close();
  }
}

// More than loopback's socket buffers hold, so the writer waits on the reader.
const BIG = new Uint8Array(64 * 1024 * 1024);

Deno.test("writeAllWithin gives up on a reader that stops reading", async () => {
  await withPair(async (ours) => {
    const started = performance.now();
    await assert.rejects(ours.writeAllWithin(BIG, 200));
    const elapsed = performance.now() - started;
    assert.ok(ours.closed);
    assert.ok(elapsed >= 190 && elapsed < 2000, `closed after ${elapsed.toFixed(0)} ms`);
  });
});

Deno.test("writeAllWithin keeps a reader that is slow but reading past the timeout", async () => {
  await withPair(async (ours, theirs) => {
    const total = 32 * 1024 * 1024;
    let received = 0;
    // Settles either way, so a failed write leaves no read pending when the pair closes.
    const reading = (async () => {
      const buffer = new Uint8Array(1024 * 1024);
      while (received < total) {
        // A pause of ~80 ms between reads of at most 1 MiB: the whole write takes longer than
        // the 1 s timeout, but no second passes without progress (the kernel wakes a writer
        // only once a good part of its send buffer is free, a few reads' worth), even on a
        // machine so loaded that a 30 ms pause against 300 ms once did not hold (CI, load 10).
        await delay(80);
        const read = await theirs.read(buffer);
        if (read === null) return;
        received += read;
      }
    })().catch((error: unknown) => error);
    const started = performance.now();
    await ours.writeAllWithin(BIG.subarray(0, total), 1000);
    assert.equal(await reading, undefined);
    assert.ok(performance.now() - started > 1000, "the write outlasted the timeout");
    assert.ok(!ours.closed);
    assert.equal(received, total);
    assert.equal(ours.written, total);
  });
});
