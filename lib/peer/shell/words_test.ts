import assert from "node:assert/strict";
import { showName, splitWords } from "./words.ts";

Deno.test("names with spaces are typed with quotes or backslashes", () => {
  for (
    const [line, words] of [
      [`pub "my report.pdf"`, ["pub", "my report.pdf"]],
      [`pub 'my report.pdf'`, ["pub", "my report.pdf"]],
      ["pub my\\ report.pdf", ["pub", "my report.pdf"]],
      [`get  "a \\"b\\" c"  `, ["get", 'a "b" c']],
      [`get 'it\\s'`, ["get", "it\\s"]],
      [`sch ""`, ["sch", ""]],
    ] as const
  ) {
    const split = splitWords(line);
    assert.ok(split.ok, line);
    assert.deepEqual(split.words, words);
    assert.equal(split.quoted, true);
  }
});

Deno.test("plain words mean what they meant before quoting existed", () => {
  for (
    const [line, words] of [
      ["pub it's.txt", ["pub", "it's.txt"]],
      ['pub say"hi".txt', ["pub", 'say"hi".txt']],
      ["pub a\\b", ["pub", "a\\b"]],
      ["  lap\t", ["lap"]],
      ["pub a\u00a0b", ["pub", "a\u00a0b"]],
    ] as const
  ) {
    const split = splitWords(line);
    assert.ok(split.ok, line);
    assert.deepEqual(split.words, words);
    assert.equal(split.quoted, false);
  }
});

Deno.test("an unclosed quote or text glued after a closing quote is refused", () => {
  assert.deepEqual(splitWords(`get "my report.pdf`), { ok: false, problem: "unclosed quote" });
  assert.deepEqual(splitWords(`get "my"report`), {
    ok: false,
    problem: "text after a closing quote",
  });
});

Deno.test("a shown name splits back into itself", () => {
  for (const name of ["notes.txt", "my report.pdf", 'say "hi" now.txt', "'quoted", '"x', " a "]) {
    const split = splitWords(`get ${showName(name)}`);
    assert.ok(split.ok, name);
    assert.deepEqual(split.words, ["get", name]);
  }
  assert.equal(showName("my report.pdf"), '"my report.pdf"');
  assert.equal(showName("it's.txt"), "it's.txt");
});
