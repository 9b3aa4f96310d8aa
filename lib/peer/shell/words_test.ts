import assert from "node:assert/strict";
import { showName, splitWords, typeName, wordAtEnd } from "./words.ts";

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

Deno.test("wordAtEnd reads every prefix of a line as splitWords would, finished or not", () => {
  const line = `get  "a \\"b\\\\" 'c d' e\\ f\\\\ g\\`;
  for (let end = 1; end <= line.length; end++) {
    const prefix = line.slice(0, end);
    const word = wordAtEnd(prefix);
    const split = splitWords(prefix);
    if (split.ok && word !== undefined && !/[ \t\\]$/.test(prefix)) {
      assert.equal(word.wordsBefore, split.words.length - 1, prefix);
      assert.equal(word.text, split.words.at(-1), prefix);
    }
  }
  assert.deepEqual(wordAtEnd(`pub "my re`), {
    start: 4,
    text: "my re",
    quote: '"',
    wordsBefore: 1,
  });
  assert.deepEqual(wordAtEnd("pub a "), { start: 6, text: "", quote: undefined, wordsBefore: 2 });
  assert.equal(wordAtEnd(`pub "a"b`), undefined);
});

Deno.test("typeName types any name so that splitWords reads it back as one word", () => {
  for (
    const name of ["plain.txt", "my report.pdf", "it's.txt", `"q".txt`, "'s.txt", "a\\ b", "t\tab"]
  ) {
    for (const quote of [undefined, '"', "'"] as const) {
      const split = splitWords(`get ${typeName(name, quote)}`);
      assert.ok(split.ok, `${name} ${quote}`);
      assert.deepEqual(split.words, ["get", name], `${name} ${quote}`);
    }
  }
});
