import assert from "node:assert/strict";
import { writeAll, writeAllSync } from "./write_all.ts";

/** A writer that takes at most three bytes a call, as a full pipe may. */
class Trickle {
  readonly taken: number[] = [];
  writeSync(bytes: Uint8Array): number {
    const count = Math.min(3, bytes.length);
    this.taken.push(...bytes.subarray(0, count));
    return count;
  }
  write(bytes: Uint8Array): Promise<number> {
    return Promise.resolve(this.writeSync(bytes));
  }
}

Deno.test("every byte is written, in order, however few a writer takes at a time", async () => {
  const bytes = Uint8Array.from({ length: 10 }, (_, index) => index);
  const sync = new Trickle();
  writeAllSync(sync, bytes);
  assert.deepEqual(sync.taken, [...bytes]);
  const async = new Trickle();
  await writeAll(async, bytes);
  assert.deepEqual(async.taken, [...bytes]);
});
