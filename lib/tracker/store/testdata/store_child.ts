/**
 * A separate process using a store, for tests that need one: `open <db>` tries to open the
 * database and prints the outcome as one JSON line; `kill <db>` writes in three phases and then
 * waits to be killed; `fill <db>` writes until a write fails (see `sqlite_process_test.ts`).
 *
 * @module
 */

import { SqliteStore } from "../mod.ts";

const [mode, file] = Deno.args;
const digest = (index: number) => index.toString(16).padStart(64, "0");

if (mode === "open") {
  try {
    const store = SqliteStore.open(file);
    const count = await store.loadAll(() => {});
    await store.close();
    console.log(JSON.stringify({ ok: true, count }));
  } catch (error) {
    const { name, message } = error as Error;
    const reason = (error as { reason?: string }).reason;
    console.log(JSON.stringify({ ok: false, name, reason, message }));
  }
} else if (mode === "kill") {
  const store = SqliteStore.open(file);
  // Phase 1: written by an explicit flush.
  for (let index = 0; index < 500; index++) {
    store.publish("flushed", `file-${index}`, { size: index, sha256: digest(index) });
  }
  await store.flush();
  console.log("flushed");
  // Phase 2: written by the store's own timer, which must fire within its 50 ms interval.
  for (let index = 0; index < 500; index++) store.publish("timed", `file-${index}`);
  store.unpublish("flushed", "file-0");
  await new Promise((resolve) => setTimeout(resolve, 250));
  console.log("waited");
  // Phase 3: queued just before the kill; may or may not be written.
  for (let index = 0; index < 500; index++) store.publish("late", `file-${index}`);
  console.log("queued");
  setInterval(() => {}, 1_000);
} else if (mode === "fill") {
  // Writes batches of long names until one fails (run under a file-size limit), then prints
  // how many were written and why the next failed.
  const store = SqliteStore.open(file, { intervalMs: 60_000 });
  let written = 0;
  let reason: string | undefined;
  try {
    for (let round = 0; round < 100; round++) {
      for (let index = 0; index < 1000; index++) {
        store.publish("alice", `${round}-${index}-${"n".repeat(200)}`);
      }
      await store.flush();
      written += 1000;
    }
  } catch (error) {
    reason = (error as { reason?: string }).reason;
  }
  await store.close().catch(() => {});
  console.log(JSON.stringify({ written, reason }));
} else {
  console.error(`usage: store_child.ts open|kill|fill <db>`);
  Deno.exit(2);
}
