import assert from "node:assert/strict";
import { utf8Length } from "./text.ts";

Deno.test("utf8Length counts what TextEncoder writes, lone and paired surrogates included", () => {
  const encoder = new TextEncoder();
  const units = [
    "a",
    "~",
    "\x7f",
    "\x80",
    "é",
    "\u07ff",
    "\u0800",
    "€",
    "\uffff",
    "\ud83d",
    "\ude00",
  ];
  const pieces = [...units, "😀", "\ud800\udc00", "\udbff\udfff"];
  let seed = 4;
  const below = (bound: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) % bound;
  };
  for (let i = 0; i < 5000; i++) {
    let text = "";
    for (let n = below(12); n > 0; n--) text += pieces[below(pieces.length)];
    assert.equal(utf8Length(text), encoder.encode(text).length, JSON.stringify(text));
  }
  assert.equal(utf8Length(""), 0);
  assert.equal(utf8Length("\ude00\ud83d"), 6, "a low before a high: two lone surrogates");
});
