import assert from "node:assert/strict";
import { byCodeUnit, SortedView, without } from "./sorted_view.ts";
import { SeededRandom } from "./test_random.ts";

const sortedModel = (model: Set<string>) => [...model].sort(byCodeUnit);

Deno.test("a sorted view lists what was added, in code-unit order, once each", () => {
  const view = new SortedView(byCodeUnit);
  for (const name of ["b", "a", "é", "B", "a", "Z", "😀", "ｚ"]) view.add(name);
  // Code-unit order: an astral character (a surrogate pair, 0xD83D…) sorts before U+FF5A.
  assert.deepEqual([...view], ["B", "Z", "a", "b", "é", "😀", "ｚ"]);
  assert.equal(view.size, 7);
  assert.equal(view.add("a"), false);
});

Deno.test("rank, at and pull agree with a sorted array over thousands of random changes", () => {
  const random = new SeededRandom(11);
  // A tiny chunk size makes splits and merges happen all the time.
  const view = new SortedView(byCodeUnit, { chunkSize: 8 });
  const model = new Set<string>();
  const alphabet = ["a", "b", "c", "é", "Ω", "😀"];
  for (let step = 0; step < 6000; step++) {
    const value = random.text(alphabet, 1 + random.below(3));
    const roll = random.below(10);
    if (roll < 5) {
      assert.equal(view.add(value), !model.has(value));
      model.add(value);
    } else if (roll < 9) {
      assert.equal(view.delete(value), model.has(value));
      model.delete(value);
    } else {
      const sorted = sortedModel(model);
      assert.equal(view.size, sorted.length);
      assert.equal(view.has(value), model.has(value));
      const rank = sorted.filter((element) => element < value).length;
      assert.equal(view.rank(value), rank);
      const index = random.below(sorted.length + 2);
      assert.equal(view.at(index), sorted[index]);
      const next = view.pull(index);
      const pulled: string[] = [];
      for (let element = next(); element !== undefined; element = next()) pulled.push(element);
      assert.deepEqual(pulled, sorted.slice(index));
    }
  }
  assert.deepEqual([...view], sortedModel(model));
});

Deno.test("countBefore finds a position by a key of another type", () => {
  const names = ["delta", "alpha", "charlie", "bravo"];
  const ids = new SortedView<number>((a, b) => byCodeUnit(names[a], names[b]));
  names.forEach((_, id) => ids.add(id));
  assert.deepEqual([...ids], [1, 3, 2, 0]);
  assert.equal(ids.countBefore((id) => names[id] <= "bravo"), 2);
  assert.equal(ids.countBefore((id) => names[id] < "a"), 0);
  assert.equal(ids.countBefore((id) => names[id] <= "zulu"), 4);
});

Deno.test("an empty view has nothing to give", () => {
  const view = new SortedView(byCodeUnit);
  assert.equal(view.size, 0);
  assert.equal(view.at(0), undefined);
  assert.equal(view.pull()(), undefined);
  assert.equal(view.rank("a"), 0);
  assert.equal(view.delete("a"), false);
  assert.equal(view.has("a"), false);
});

Deno.test("a view of 100,000 names stays in order with chunks of the default size", () => {
  const random = new SeededRandom(5);
  const view = new SortedView(byCodeUnit);
  const model = new Set<string>();
  for (let i = 0; i < 100_000; i++) {
    const name = `n${random.below(1_000_000)}`;
    view.add(name);
    model.add(name);
  }
  for (const name of [...model].slice(0, 50_000)) {
    view.delete(name);
    model.delete(name);
  }
  const sorted = sortedModel(model);
  assert.equal(view.size, sorted.length);
  assert.deepEqual([...view], sorted);
  assert.equal(view.at(12_345), sorted[12_345]);
  assert.equal(view.rank(sorted[40_000]), 40_000);
});

Deno.test("a view built in order answers rank, at and pull, and stays in order through changes", () => {
  const random = new SeededRandom(6);
  const view = new SortedView((a: number, b: number) => a - b, { chunkSize: 8 });
  const model = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    view.add(i * 10);
    model.add(i * 10);
    if (i % 97 === 0) assert.equal(view.at(i), i * 10);
  }
  assert.equal(view.rank(5000), 500);
  for (let step = 0; step < 3000; step++) {
    const value = random.below(12_000);
    if (random.below(2) === 0) {
      assert.equal(view.add(value), !model.has(value));
      model.add(value);
    } else {
      assert.equal(view.delete(value), model.has(value));
      model.delete(value);
    }
  }
  const sorted = [...model].sort((a, b) => a - b);
  assert.deepEqual([...view], sorted);
  const from = view.pull(321);
  assert.deepEqual([from(), from()], sorted.slice(321, 323));
});

Deno.test("without, from the front and from any offset, agrees with a filtered array through changes", () => {
  const random = new SeededRandom(23);
  const view = new SortedView(byCodeUnit, { chunkSize: 8 });
  const model = new Set<string>();
  const alphabet = ["a", "b", "c", "é", "😀"];
  const drain = (next: () => string | undefined) => {
    const pulled: string[] = [];
    for (let element = next(); element !== undefined; element = next()) pulled.push(element);
    return pulled;
  };
  for (let step = 0; step < 4000; step++) {
    const value = random.text(alphabet, 1 + random.below(3));
    if (random.below(2) === 0) {
      view.add(value);
      model.add(value);
    } else {
      view.delete(value);
      model.delete(value);
    }
    // The excluded value: in the set or not, at a chunk's edge or inside one.
    const excluded = random.text(alphabet, 1 + random.below(3));
    const others = sortedModel(model).filter((element) => element !== excluded);
    const offset = random.below(3) === 0 ? 0 : random.below(others.length + 2);
    for (const present of [undefined, model.has(excluded)]) {
      const list = without(view, excluded, offset, present);
      assert.equal(list.total, others.length);
      assert.deepEqual(drain(list.next), others.slice(offset), `${excluded} from ${offset}`);
    }
    assert.deepEqual(drain(view.pullWithout(excluded)), others);
  }
});
