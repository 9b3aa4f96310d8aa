import assert from "node:assert/strict";
import { fitNameList, formatNameList, pageLength, utf8Length } from "../protocol/mod.ts";
import { fillPage, fitNames, type NextName } from "./list_fit.ts";
import { byCodeUnit, SortedView, without } from "./sorted_view.ts";
import { SeededRandom } from "./test_random.ts";

/** Gives `names` one at a time and counts how many were asked for. */
function counted(names: readonly string[]): { next: NextName; pulled: () => number } {
  let index = 0;
  return { next: () => names[index++], pulled: () => Math.min(index, names.length) };
}

const ALPHABET = ["a", "b", "é", "€", "😀", "_", "9"];

function randomNames(random: SeededRandom): string[] {
  const count = random.pick([0, 1, 2, 5, 30, 80, 200, 1000]);
  const longest = random.pick([1, 3, 20, 120]);
  return Array.from({ length: count }, () => random.text(ALPHABET, 1 + random.below(longest)));
}

Deno.test("fitNames gives what fitNameList gives, over random lists", () => {
  const random = new SeededRandom(1024);
  for (let round = 0; round < 3000; round++) {
    const names = randomNames(random);
    const maxBytes = random.pick([9, 20, 100, 1024]);
    const source = counted(names);
    assert.deepEqual(fitNames(names.length, source.next, maxBytes), fitNameList(names, maxBytes));
  }
});

Deno.test("fitNames measures no name past the ones that could fit", () => {
  const names = Array.from({ length: 100_000 }, (_, i) => `file-${String(i).padStart(6, "0")}`);
  const source = counted(names);
  const list = fitNames(names.length, source.next);
  assert.ok(utf8Length(formatNameList(list)) <= 1024);
  assert.equal(list.omitted, names.length - list.names.length);
  // 11-byte names and 2-byte separators: 78 fit in 1024 bytes, the 79th is the one too many.
  assert.equal(source.pulled(), 79);
});

Deno.test("fitNames keeps counting what a stopped list left out", () => {
  const source = counted(["a", "b"]);
  // Five names in the list, but its source stopped after two (a search at its cost cap).
  assert.deepEqual(fitNames(5, source.next), { names: ["a", "b"], omitted: 3 });
  assert.equal(formatNameList(fitNames(5, counted(["a", "b"]).next)), "a, b, \u2026and 3 more");
});

Deno.test("fitNames of an empty list is empty", () => {
  assert.deepEqual(fitNames(0, () => "never asked"), { names: [], omitted: 0 });
});

Deno.test("fillPage takes as many names as pageLength counts", () => {
  const random = new SeededRandom(1200);
  for (let round = 0; round < 2000; round++) {
    const names = randomNames(random);
    const header = random.pick([0, 20, 57, 1190]);
    const maxBytes = random.pick([64, 1200]);
    const page = fillPage(counted(names).next, header, maxBytes);
    assert.deepEqual(page, names.slice(0, pageLength(names, 0, header, maxBytes)));
  }
});

Deno.test("without() lists a view except one element, from any offset", () => {
  const random = new SeededRandom(3);
  const view = new SortedView(byCodeUnit, { chunkSize: 4 });
  const users = Array.from({ length: 40 }, (_, i) => `u${String(i).padStart(2, "0")}`);
  for (const user of users) if (random.below(3) > 0) view.add(user);
  const all = [...view];
  for (const excluded of [...users, "nobody"]) {
    const expected = all.filter((user) => user !== excluded);
    for (let offset = 0; offset <= expected.length + 1; offset++) {
      const list = without(view, excluded, offset);
      assert.equal(list.total, expected.length);
      const got: string[] = [];
      for (let user = list.next(); user !== undefined; user = list.next()) got.push(user);
      assert.deepEqual(got, expected.slice(offset), `${excluded} from ${offset}`);
    }
  }
});
