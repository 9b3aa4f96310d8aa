import assert from "node:assert/strict";
import { complete } from "./completion.ts";
import { History } from "./history.ts";
import { type Key } from "./keys.ts";
import { type EditorEffect, LineEditor } from "./line_editor.ts";

function type(editor: LineEditor, ...keys: (string | Key["kind"])[]): EditorEffect {
  let effect: EditorEffect = { kind: "redraw" };
  for (const key of keys) {
    effect = key.startsWith("'")
      ? editor.press({ kind: "text", text: key.slice(1) })
      : editor.press({ kind: key as Exclude<Key["kind"], "text"> });
  }
  return effect;
}

Deno.test("line editor inserts and erases at the cursor", () => {
  const editor = new LineEditor(new History());
  type(editor, "'pb", "left", "'u", "end", "' notes", "backspace", "home", "delete");
  assert.equal(editor.text, "ub note");
  assert.equal(editor.beforeCursor, "");
  type(editor, "end", "killWord");
  assert.equal(editor.text, "ub ");
  type(editor, "home", "killToEnd");
  assert.equal(editor.text, "");
});

Deno.test("line editor submits the line and starts empty", () => {
  const editor = new LineEditor(new History());
  assert.deepEqual(type(editor, "'lap", "enter"), { kind: "submit", line: "lap" });
  assert.equal(editor.text, "");
});

Deno.test("line editor: Ctrl-C clears the line and says what it held; Ctrl-D ends only when empty", () => {
  const editor = new LineEditor(new History());
  assert.deepEqual(type(editor, "'sch hel", "interrupt"), { kind: "interrupt", text: "sch hel" });
  assert.equal(editor.text, "");
  assert.deepEqual(type(editor, "interrupt"), { kind: "interrupt", text: "" });
  assert.deepEqual(type(editor, "'ab", "home", "eof"), { kind: "redraw" });
  assert.equal(editor.text, "b");
  assert.deepEqual(type(editor, "killToEnd", "eof"), { kind: "eof" });
});

Deno.test("line editor walks the history and keeps the line being typed", () => {
  const history = new History(["lap", "lpf"]);
  const editor = new LineEditor(history);
  type(editor, "'sch", "up");
  assert.equal(editor.text, "lpf");
  type(editor, "up", "up");
  assert.equal(editor.text, "lap");
  type(editor, "down", "down");
  assert.equal(editor.text, "sch");
  type(editor, "down");
  assert.equal(editor.text, "sch");
  // A line added after submitting is the first one Up finds.
  const effect = type(editor, "enter");
  assert.equal(effect.kind, "submit");
  history.add("sch");
  type(editor, "up");
  assert.equal(editor.text, "sch");
});

Deno.test("line editor completes a single candidate with a space, several to what they share", () => {
  const files = ["report-1.pdf", "report-2.pdf", "notes.txt"];
  const editor = new LineEditor(
    new History(),
    (line, cursor) =>
      complete(line, cursor, { files: () => files, published: () => [], found: () => [] }),
  );
  type(editor, "'pu", "tab");
  assert.equal(editor.text, "pub ");
  type(editor, "'re", "tab");
  assert.equal(editor.text, "pub report-");
  assert.deepEqual(type(editor, "tab"), {
    kind: "list",
    candidates: ["report-1.pdf", "report-2.pdf"],
  });
  type(editor, "'2", "tab");
  assert.equal(editor.text, "pub report-2.pdf ");
});

Deno.test("line editor completes in the middle of a line, keeping what follows", () => {
  const editor = new LineEditor(
    new History(),
    (line, cursor) =>
      complete(line, cursor, { files: () => [], published: () => [], found: () => [] }),
  );
  type(editor, "'x a", "home", "right", "tab");
  assert.equal(editor.text, "xit  a");
  assert.equal(editor.beforeCursor, "xit ");
  type(editor, "killToStart", "'s", "tab");
  assert.equal(editor.text, "sch  a");
});

Deno.test("line editor moves and erases by word, as readline's Alt-B/F/D and Alt-Backspace", () => {
  const editor = new LineEditor(new History());
  type(editor, "'get my-report.pdf", "wordLeft");
  assert.equal(editor.beforeCursor, "get my-report.");
  type(editor, "wordLeft", "wordLeft");
  assert.equal(editor.beforeCursor, "get ");
  type(editor, "wordRight");
  assert.equal(editor.beforeCursor, "get my");
  type(editor, "killWordForward");
  assert.equal(editor.text, "get my.pdf");
  type(editor, "killWordBack");
  assert.equal(editor.text, "get .pdf");
  assert.equal(editor.beforeCursor, "get ");
});

Deno.test("line editor: Backspace and arrows take a character as seen, accents and emoji whole", () => {
  const editor = new LineEditor(new History());
  // "é" as e + combining acute, a thumbs-up with a skin tone, a flag, a family (ZWJ sequence).
  type(editor, "'pub e\u0301", "backspace");
  assert.equal(editor.text, "pub ");
  type(editor, "'👍🏽🇯🇵👨‍👩‍👧x", "left", "left", "backspace");
  assert.equal(editor.text, "pub 👍🏽👨‍👩‍👧x");
  type(editor, "left", "delete");
  assert.equal(editor.text, "pub 👨‍👩‍👧x");
  // A combining mark typed after its letter joins it.
  type(editor, "end", "'e", "'\u0301", "left");
  assert.equal(editor.beforeCursor, "pub 👨‍👩‍👧x");
  assert.equal(editor.charsAfterCursor, 1);
});

Deno.test("line editor keeps out what displayText hides: controls and bidi, typed or recalled", () => {
  const editor = new LineEditor(new History(["get a\u202eb.txt\x1b[31m"]));
  type(editor, "'pub x\u0085y\u2066z\x9b", "enter");
  type(editor, "'pub x\u0085y\u2066z\x9b");
  assert.equal(editor.text, "pub xyz");
  type(editor, "killToStart", "up");
  assert.equal(editor.text, "get ab.txt[31m");
});

Deno.test("line editor: a completed name with wide characters keeps the cursor after it", () => {
  const editor = new LineEditor(
    new History(),
    (line, cursor) =>
      complete(line, cursor, {
        files: () => ["日本語 ファイル.txt"],
        published: () => [],
        found: () => [],
      }),
  );
  type(editor, "'pub 日", "'X", "left", "tab");
  assert.equal(editor.text, "pub 日本語\\ ファイル.txt X");
  assert.equal(editor.beforeCursor, "pub 日本語\\ ファイル.txt ");
});
