import assert from "node:assert/strict";
import { LineReader, SecretEditor } from "./terminal.ts";

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

function type(editor: SecretEditor, text: string | number[]): string[] {
  const bytes = typeof text === "string" ? [...encoder.encode(text)] : text;
  return bytes.map((byte) => editor.feed(byte));
}

Deno.test("hidden input keeps typed text and ends on Enter", () => {
  const editor = new SecretEditor();
  assert.deepEqual(type(editor, "pw"), ["keep", "keep"]);
  assert.equal(editor.feed(0x0d), "enter");
  assert.equal(editor.text, "pw");
});

Deno.test("hidden input erases a whole character on backspace", () => {
  const editor = new SecretEditor();
  type(editor, "a\u00e9");
  assert.equal(editor.feed(0x7f), "erase");
  assert.equal(editor.text, "a");
  editor.feed(0x08);
  editor.feed(0x08);
  assert.equal(editor.text, "");
});

Deno.test("hidden input drops arrow keys and clears on Ctrl-U", () => {
  const editor = new SecretEditor();
  type(editor, "ab\x1b[Dc\x1bOA");
  assert.equal(editor.text, "abc");
  assert.equal(editor.feed(0x15), "clear");
  assert.equal(editor.text, "");
});

Deno.test("hidden input reports Ctrl-C, and Ctrl-D only on an empty line", () => {
  const editor = new SecretEditor();
  assert.equal(editor.feed(0x04), "eof");
  type(editor, "x");
  assert.equal(editor.feed(0x04), "ignore");
  assert.equal(editor.feed(0x03), "interrupt");
});
