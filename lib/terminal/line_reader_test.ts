import assert from "node:assert/strict";
import { LineReader } from "./line_reader.ts";

const encoder = new TextEncoder();

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks.map((chunk) => encoder.encode(chunk)));
}

async function allLines(reader: LineReader): Promise<string[]> {
  const lines: string[] = [];
  for (let line = await reader.next(); line !== null; line = await reader.next()) lines.push(line);
  return lines;
}

Deno.test("line reader splits on LF and CRLF and keeps empty lines", async () => {
  assert.deepEqual(await allLines(new LineReader(streamOf("alice\r\npw\n\nlap\n"))), [
    "alice",
    "pw",
    "",
    "lap",
  ]);
});

Deno.test("line reader joins lines split across chunks, even inside a character", async () => {
  const bytes = encoder.encode("caf\u00e9\nxit");
  const chunks = [bytes.slice(0, 4), bytes.slice(4, 5), bytes.slice(5)];
  assert.deepEqual(await allLines(new LineReader(ReadableStream.from(chunks))), [
    "caf\u00e9",
    "xit",
  ]);
});

Deno.test("line reader returns a last line without an ending, then null", async () => {
  const reader = new LineReader(streamOf("lap"));
  assert.equal(await reader.next(), "lap");
  assert.equal(await reader.next(), null);
  assert.equal(await reader.next(), null);
});

Deno.test("a very long line arriving in small pieces costs time in proportion to its length", async () => {
  // 2 MiB in 256-byte pieces: looking for the line's end in everything buffered at each piece
  // took seconds (and a scripted peer's heartbeats with it); a line is now joined once.
  const piece = encoder.encode("x".repeat(256));
  const pieces = Array.from({ length: 8192 }, () => piece);
  const started = performance.now();
  const lines = await allLines(
    new LineReader(ReadableStream.from([...pieces, encoder.encode("\r\nlap\n")])),
  );
  const elapsed = performance.now() - started;
  assert.deepEqual(lines.map((line) => line.length), [2 * 1024 * 1024, 3]);
  assert.equal(lines[1], "lap");
  assert.ok(elapsed < 2000, `${Math.round(elapsed)} ms`);
});
