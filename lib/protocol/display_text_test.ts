import assert from "node:assert/strict";
import { displayText } from "./display_text.ts";

Deno.test("displayText removes every C0 control, DEL and C1 control", () => {
  let controls = "";
  for (let code = 0; code < 0x20; code++) controls += String.fromCharCode(code);
  for (let code = 0x7f; code < 0xa0; code++) controls += String.fromCharCode(code);
  assert.equal(displayText(`a${controls}b`), "ab");
});

Deno.test("displayText removes bidi embeddings, overrides and isolates", () => {
  const bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069";
  assert.equal(displayText(`photo${bidi}gpj.exe`), "photogpj.exe");
});

Deno.test("displayText disarms an escape sequence and keeps ordinary text", () => {
  assert.equal(displayText("\x1b]0;pwned\x07\x1b[2J\x9b31m"), "]0;pwned[2J31m");
  const text = "alice: 日本語 café — ok (100%) ~`!@#$^&*";
  assert.equal(displayText(text), text);
});

Deno.test("displayText keeps marks that do not reorder and replaces lone surrogates", () => {
  assert.equal(displayText("a\u200eb\u200f"), "a\u200eb\u200f");
  assert.equal(displayText("a\ud800b"), "a\ufffdb");
});
