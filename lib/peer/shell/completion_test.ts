import assert from "node:assert/strict";
import { commonPrefix, complete, type CompletionSources } from "./completion.ts";

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
