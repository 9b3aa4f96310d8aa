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
