import assert from "node:assert/strict";
import { commonPrefix, complete, type CompletionSources } from "./completion.ts";
import { splitWords } from "./words.ts";

const sources: CompletionSources = {
  files: () => ["notes.txt", "movie.mkv", "notebook.md"],
  published: () => new Set(["movie.mkv", "mine.txt"]),
  found: () => ["hello.txt", "help.md"],
};

Deno.test("completion: the first word completes to command names", () => {
  assert.deepEqual(complete("", 0, sources), {
    start: 0,
    candidates: ["get", "lap", "lpf", "pub", "sch", "unp", "xit"],
  });
  assert.deepEqual(complete("l", 1, sources), { start: 0, candidates: ["lap", "lpf"] });
  assert.deepEqual(complete("  pu", 4, sources), { start: 2, candidates: ["pub"] });
  assert.deepEqual(complete("zz", 2, sources).candidates, []);
});

Deno.test("completion: pub from the share folder, unp from own publications, get from the last list", () => {
  assert.deepEqual(complete("pub note", 8, sources), {
    start: 4,
    candidates: ["notebook.md", "notes.txt"],
  });
  assert.deepEqual(complete("unp m", 5, sources), {
    start: 4,
    candidates: ["mine.txt", "movie.mkv"],
  });
  assert.deepEqual(complete("get  hel", 8, sources), {
    start: 5,
    candidates: ["hello.txt", "help.md"],
  });
});

Deno.test("completion: nothing after sch, lap or a second argument; only text before the cursor counts", () => {
  assert.deepEqual(complete("sch no", 6, sources).candidates, []);
  assert.deepEqual(complete("pub notes.txt x", 15, sources).candidates, []);
  assert.deepEqual(complete("pub notes.txt", 6, sources).candidates, ["notebook.md", "notes.txt"]);
});

Deno.test("completion: commonPrefix of names, by whole characters", () => {
  assert.equal(commonPrefix(["report-1.pdf", "report-2.pdf"]), "report-");
  assert.equal(commonPrefix(["a\u{1F600}x", "a\u{1F601}y"]), "a");
  assert.equal(commonPrefix([]), "");
});

const spaced: CompletionSources = {
  files: () => ["my report.pdf", "my reply.txt", "notes.txt", "it's here.txt", '"quoted".txt'],
  published: () => ["my report.pdf"],
  found: () => ["a b\\c.txt", "my report.pdf"],
};

/** What the line reads as once Tab put `candidate` in at `start`. */
function typedBack(line: string, start: number, candidate: string): readonly string[] {
  const split = splitWords(`${line.slice(0, start)}${candidate}`);
  assert.ok(split.ok, candidate);
  return split.words;
}

Deno.test("completion: a name with spaces is inserted with backslashes after a plain start", () => {
  const completion = complete("pub my", 6, spaced);
  assert.deepEqual(completion, { start: 4, candidates: ["my\\ reply.txt", "my\\ report.pdf"] });
  assert.equal(commonPrefix(completion.candidates), "my\\ rep");
  for (const candidate of completion.candidates) {
    assert.ok(["my reply.txt", "my report.pdf"].includes(typedBack("pub my", 4, candidate)[1]));
  }
  // Already escaped: what it means so far is "my re", and the escapes stay as typed.
  assert.deepEqual(complete("unp my\\ re", 10, spaced), {
    start: 4,
    candidates: ["my\\ report.pdf"],
  });
  // A backslash typed just before Tab does not hide the names.
  assert.deepEqual(complete("unp my\\", 7, spaced).candidates, ["my\\ report.pdf"]);
});

Deno.test("completion: a name begun with a quote is inserted in that quote, closed", () => {
  assert.deepEqual(complete('get "my', 7, spaced), { start: 4, candidates: ['"my report.pdf"'] });
  assert.deepEqual(complete("pub 'my rep", 11, spaced), {
    start: 4,
    candidates: ["'my reply.txt'", "'my report.pdf'"],
  });
  // A single quote cannot hold a single quote: such a name goes in double quotes.
  assert.deepEqual(complete("pub 'it", 7, spaced).candidates, ['"it\'s here.txt"']);
  assert.deepEqual(complete('get "a b\\', 9, spaced).candidates, ['"a b\\\\c.txt"']);
  for (const [line, name] of [["pub 'it", "it's here.txt"], ['get "a', "a b\\c.txt"]]) {
    const { start, candidates } = complete(line, line.length, spaced);
    assert.deepEqual(typedBack(line, start, candidates[0]), [line.slice(0, 3), name]);
  }
});

Deno.test("completion: a name starting with a quote is escaped; every insertion reads back", () => {
  assert.deepEqual(complete("pub \\", 5, spaced).candidates.includes('\\"quoted\\".txt'), false);
  assert.deepEqual(complete('pub \\"', 6, spaced).candidates, ['\\"quoted".txt']);
  for (const name of spaced.files()) {
    const { start, candidates } = complete("pub ", 4, spaced);
    const typed = candidates.find((candidate) => typedBack("pub ", start, candidate)[1] === name);
    assert.ok(typed !== undefined, name);
    assert.equal(typedBack("pub ", start, typed).length, 2, typed);
  }
});

Deno.test("completion: nothing after a whole quoted argument, or in an unreadable line", () => {
  assert.deepEqual(complete('pub "my report.pdf" x', 21, spaced).candidates, []);
  assert.deepEqual(complete("pub my\\ report.pdf ", 19, spaced).candidates, []);
  assert.deepEqual(complete('pub "my"x', 9, spaced).candidates, []);
  // Right after the closing quote, the name is whole: Tab confirms it.
  assert.deepEqual(complete('unp "my report.pdf"', 19, spaced).candidates, ['"my report.pdf"']);
});
