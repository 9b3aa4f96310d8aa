import assert from "node:assert/strict";
import { type Key, KeyDecoder } from "./keys.ts";

const encoder = new TextEncoder();

function kinds(keys: readonly Key[]): string[] {
  return keys.map((key) => key.kind === "text" ? `text:${key.text}` : key.kind);
}

Deno.test("keys: a pasted block of three commands is three lines, CR, LF or CR LF alike", () => {
  const keys = new KeyDecoder().decode(encoder.encode("lap\rlpf\r\nsch hel\n"));
  assert.deepEqual(kinds(keys), [
    "text:lap",
    "enter",
    "text:lpf",
    "enter",
    "text:sch hel",
    "enter",
  ]);
});

Deno.test("keys: CR at the end of one read and LF at the start of the next are one Enter", () => {
  const decoder = new KeyDecoder();
  assert.deepEqual(kinds(decoder.decode(encoder.encode("a\r"))), ["text:a", "enter"]);
  assert.deepEqual(kinds(decoder.decode(encoder.encode("\nb"))), ["text:b"]);
});

Deno.test("keys: arrows, Home, End and Delete in their common encodings", () => {
  const keys = new KeyDecoder().decode(
    encoder.encode("\x1b[A\x1b[B\x1b[C\x1b[D\x1bOH\x1b[F\x1b[1~\x1b[4~\x1b[3~\x1b[1;2C"),
  );
  assert.deepEqual(kinds(keys), [
    "up",
    "down",
    "right",
    "left",
    "home",
    "end",
    "home",
    "end",
    "delete",
    "right",
  ]);
});

Deno.test("keys: an escape sequence split across reads, and an unknown one dropped whole", () => {
  const decoder = new KeyDecoder();
  assert.deepEqual(kinds(decoder.decode(encoder.encode("x\x1b["))), ["text:x"]);
  assert.deepEqual(kinds(decoder.decode(encoder.encode("Ay\x1b[200~z"))), [
    "up",
    "text:y",
    "text:z",
  ]);
});

Deno.test("keys: a UTF-8 character split across reads comes out whole", () => {
  const decoder = new KeyDecoder();
  const bytes = encoder.encode("é");
  assert.deepEqual(kinds(decoder.decode(bytes.subarray(0, 1))), []);
  assert.deepEqual(kinds(decoder.decode(bytes.subarray(1))), ["text:é"]);
});

Deno.test("keys: control keys, and unknown control bytes dropped", () => {
  const keys = new KeyDecoder().decode(
    new Uint8Array([3, 4, 9, 0x7f, 8, 0x15, 0x0b, 0x17, 1, 5, 0x1a]),
  );
  assert.deepEqual(kinds(keys), [
    "interrupt",
    "eof",
    "tab",
    "backspace",
    "backspace",
    "killToStart",
    "killToEnd",
    "killWord",
    "home",
    "end",
  ]);
});

Deno.test("keys: Alt-B/F/D, Alt-Backspace and Ctrl- or Alt-arrows are the word keys", () => {
  const keys = new KeyDecoder().decode(
    encoder.encode("\x1bb\x1bf\x1bd\x1b\x7f\x1b[1;5D\x1b[1;5C\x1b[1;3D\x1b\x1b[C\x1b[3;5~"),
  );
  assert.deepEqual(kinds(keys), [
    "wordLeft",
    "wordRight",
    "killWordForward",
    "killWordBack",
    "wordLeft",
    "wordRight",
    "wordLeft",
    "wordRight",
    "delete",
  ]);
});

Deno.test("keys: Alt with another key, Alt-Up as ESC ESC [ A and Alt-é leave nothing in the line", () => {
  const keys = new KeyDecoder().decode(encoder.encode("a\x1bx\x1b\x1b[Ab\x1bé\x1b\x1bqc"));
  assert.deepEqual(kinds(keys), ["text:a", "up", "text:b", "text:c"]);
});
