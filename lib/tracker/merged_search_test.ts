import assert from "node:assert/strict";
import { MergedSearch } from "./merged_search.ts";
import { NameIndex } from "./name_index.ts";

function indexes(maxSteps?: number) {
  const plain = new NameIndex({ maxSteps });
  const spaced = new NameIndex({ maxSteps });
  for (const index of [plain, spaced]) {
    index.setActive("bob", true);
    index.setActive("alice", true);
  }
  return { plain, spaced, both: new MergedSearch(plain, spaced) };
}

const drain = (list: { next(): string | undefined }) => {
  const names: string[] = [];
  for (let name = list.next(); name !== undefined; name = list.next()) names.push(name);
  return names;
};

Deno.test("an exact search over names with and without spaces counts both and lists in order", () => {
  const { plain, spaced, both } = indexes();
  for (const name of ["b report.pdf", "report b.pdf", "z report"]) spaced.publish("bob", name);
  for (const name of ["a-report.pdf", "report.pdf", "zreport"]) plain.publish("bob", name);
  plain.publish("alice", "mine-report.pdf"); // the asker's own: left out
  assert.deepEqual(both.count("report", "alice"), { kind: "exact", count: 6 });
  assert.deepEqual(drain(both.list("report", { asker: "alice" })), [
    "a-report.pdf",
    "b report.pdf",
    "report b.pdf",
    "report.pdf",
    "z report",
    "zreport",
  ]);
  assert.deepEqual(drain(both.list("report", { asker: "alice", after: "report b.pdf" })), [
    "report.pdf",
    "z report",
    "zreport",
  ]);
  // A text with a space can only be in the spaced names.
  assert.deepEqual(both.count("t b", "alice"), { kind: "exact", count: 1 });
  assert.deepEqual(drain(both.list("t b", { asker: "alice" })), ["report b.pdf"]);
});

Deno.test("a merged listing stops at the cap of either side, never skipping a match", () => {
  const { plain, spaced, both } = indexes(30);
  for (let i = 0; i < 200; i++) {
    plain.publish("bob", `clip-${String(i).padStart(3, "0")}.mkv`);
    spaced.publish("bob", `clip ${String(i).padStart(3, "0")}.mkv`);
  }
  const list = both.list("clip", { asker: "alice" });
  const names = drain(list);
  assert.equal(list.stopped, "cap");
  assert.ok(names.length > 0 && names.length < 400);
  for (let i = 1; i < names.length; i++) assert.ok(names[i - 1] < names[i]);
  // Every name before the last one given was given: a page that continues from it misses none.
  const last = names[names.length - 1];
  const expected = [
    ...Array.from({ length: 200 }, (_, i) => `clip-${String(i).padStart(3, "0")}.mkv`),
    ...Array.from({ length: 200 }, (_, i) => `clip ${String(i).padStart(3, "0")}.mkv`),
  ].sort().filter((name) => name <= last);
  assert.deepEqual(names, expected);
});
