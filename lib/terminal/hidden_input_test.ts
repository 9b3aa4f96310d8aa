import assert from "node:assert/strict";
import { SecretEditor } from "./hidden_input.ts";

const encoder = new TextEncoder();

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
