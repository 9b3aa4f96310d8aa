import assert from "node:assert/strict";
import { LineBuffer } from "./log_buffer.ts";

const decoder = new TextDecoder();

/** An output that takes at most `chunk` bytes per write and can be held. */
function output(chunk = Infinity) {
  const writes: string[] = [];
  let release: (() => void) | undefined;
  let held: Promise<void> | undefined;
  return {
    writes,
    get text() {
      return writes.join("");
    },
    hold() {
      held = new Promise((resolve) => release = resolve);
    },
    release() {
      release?.();
      held = undefined;
    },
    async write(bytes: Uint8Array): Promise<number> {
      if (held) await held;
      const taken = bytes.subarray(0, Math.min(chunk, bytes.length));
      writes.push(decoder.decode(taken));
      return taken.length;
    },
  };
}

const dropped = (count: number) => `${count} log lines dropped`;

Deno.test("log lines are written together on the timer, not one write each", async () => {
  const out = output();
  const buffer = new LineBuffer({ write: out.write, droppedLine: dropped, flushIntervalMs: 20 });
  for (let i = 0; i < 100; i++) buffer.push(`line ${i}`);
  assert.equal(out.writes.length, 0, "nothing written at once");
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(out.writes.length, 1, "one write for the batch");
  assert.equal(out.text.split("\n").length, 101);
  await buffer.close();
});

Deno.test("close writes every waiting line, in order, even through partial writes", async () => {
  const out = output(7);
  const buffer = new LineBuffer({ write: out.write, droppedLine: dropped });
  const lines = Array.from({ length: 50 }, (_, i) => `event ${i}`);
  for (const line of lines) buffer.push(line);
  await buffer.close();
  assert.equal(out.text, lines.join("\n") + "\n");
});

Deno.test("a full buffer drops lines and says how many once output moves again", async () => {
  const out = output();
  const buffer = new LineBuffer({
    write: out.write,
    droppedLine: dropped,
    flushIntervalMs: 5,
    maxLines: 10,
  });
  out.hold();
  buffer.push("first");
  const stuck = buffer.flush();
  for (let i = 0; i < 25; i++) buffer.push(`more ${i}`);
  assert.equal(buffer.droppedTotal, 15);
  out.release();
  await stuck;
  await buffer.close();
  const lines = out.text.trimEnd().split("\n");
  assert.deepEqual(lines, [
    "first",
    ...Array.from({ length: 10 }, (_, i) => `more ${i}`),
    "15 log lines dropped",
  ]);
});

Deno.test("flushSync writes what waits at once (for an exit without close)", () => {
  const written: string[] = [];
  const buffer = new LineBuffer({
    write: () => Promise.resolve(0),
    droppedLine: dropped,
    flushIntervalMs: 1000,
  });
  buffer.push("a");
  buffer.push("b");
  buffer.flushSync((bytes) => {
    written.push(decoder.decode(bytes));
    return bytes.length;
  });
  assert.equal(written.join(""), "a\nb\n");
});

Deno.test("lines are written byte for byte: non-ASCII text, and lines longer than a batch piece", async () => {
  const out = output();
  const buffer = new LineBuffer({ write: out.write, droppedLine: dropped });
  const lines = [
    "Received GET from zoë; sent Not found: \u201cr\u00e9sum\u00e9.pdf\u201d \u{1f600}",
    "x".repeat(200_000),
    "after the long one",
    ...Array.from({ length: 3000 }, (_, i) => `line ${i} \u00e9t\u00e9`),
  ];
  for (const line of lines) buffer.push(line);
  await buffer.close();
  assert.equal(out.text, lines.join("\n") + "\n");
});
