import assert from "node:assert/strict";
import { foldCaseNfc } from "./grams.ts";
import { type NameIndex, sharedIndexes } from "./name_index.ts";
import { byCodeUnit } from "./sorted_view.ts";
import { SeededRandom } from "./test_random.ts";

// The tracker's three views (`publications.ts`): exact without a space, exact with one, folded.
const noSpace = (name: string) => !name.includes(" ");
const SPECS = [
  { accepts: noSpace },
  { accepts: (name: string) => name.includes(" ") },
  { fold: foldCaseNfc },
] as const;
const identity = (text: string) => text;
const FOLDS = [identity, identity, foldCaseNfc];
const ACCEPTS = [noSpace, (name: string) => !noSpace(name), () => true];

const ALPHABET = ["a", "b", "A", "B", " ", ".", "é", "e\u0301", "ß", "S", "s", "😀"];
// Mostly names that fold to themselves: exact and folded postings of the same trigrams agree.
const LOWER = ["a", "b", "a", "b", "ab", " ", ".", "s", "é", "A"];
const USERS = ["alice", "bob", "carol", "dave"];

function drain(list: { next(): string | undefined }, limit = Infinity): string[] {
  const names: string[] = [];
  for (let name = list.next(); name !== undefined && names.length < limit; name = list.next()) {
    names.push(name);
  }
  return names;
}

/** Every view, after every kind of change, against a search over all publications. */
function runSharedModel(
  seed: number,
  steps: number,
  maxSteps: number,
  preload: number,
  alphabet = ALPHABET,
  packEvery = 0,
) {
  const random = new SeededRandom(seed);
  const views: NameIndex[] = sharedIndexes(SPECS, {
    maxSteps,
    maxBroadCounts: 4,
    minKeptWalkSteps: 0,
    loggedChanges: 32,
  });
  const pubs = new Map<string, Set<string>>(USERS.map((user) => [user, new Set()]));
  const active = new Set<string>();
  const randomName = () =>
    random.text(alphabet, random.below(10) < 8 ? 1 + random.below(8) : 30 + random.below(30));
  const allNames = () => [...new Set([...pubs.values()].flatMap((names) => [...names]))];
  const publish = (user: string, name: string) => {
    const added = !pubs.get(user)!.has(name);
    pubs.get(user)!.add(name);
    assert.equal(views[random.below(3)].publish(user, name), added);
  };
  const loaded = Array.from({ length: preload }, () => [random.pick(USERS), randomName()]);
  loaded.sort(([, a], [, b]) => byCodeUnit(a, b));
  for (const [user, name] of loaded) publish(user, name);
  if (packEvery > 0) views[0].compact();
  let checks = 0;
  for (let step = 0; step < steps; step++) {
    if (packEvery > 0 && step % packEvery === packEvery - 1) views[random.below(3)].compact();
    const user = random.pick(USERS);
    const roll = random.below(20);
    if (roll < 8) {
      const names = allNames();
      publish(user, names.length > 0 && random.below(3) === 0 ? random.pick(names) : randomName());
    } else if (roll < 11) {
      const own = [...pubs.get(user)!];
      const name = own.length > 0 && random.below(4) > 0 ? random.pick(own) : randomName();
      assert.equal(views[random.below(3)].unpublish(user, name), pubs.get(user)!.delete(name));
    } else if (roll < 13) {
      const on = random.below(2) === 0;
      views[random.below(3)].setActive(user, on);
      if (on) active.add(user);
      else active.delete(user);
    } else {
      const v = random.below(3);
      const names = allNames();
      const query = names.length > 0 && random.below(3) > 0
        ? random.pick(names).slice(random.below(4), 1 + random.below(9))
        : random.text(alphabet, random.below(5));
      const asker = random.pick([...USERS, "stranger"]);
      const key = FOLDS[v](query);
      const found = new Set<string>();
      for (const [holder, held] of pubs) {
        if (holder === asker || !active.has(holder)) continue;
        for (const name of held) {
          if (ACCEPTS[v](name) && FOLDS[v](name).includes(key)) found.add(name);
        }
      }
      const expected = [...found].sort(byCodeUnit);
      let count = views[v].count(query, asker);
      for (let again = 0; again < 1000 && count.kind === "tooBroad"; again++) {
        assert.ok(count.atMost >= expected.length);
        count = views[v].count(query, asker);
      }
      assert.deepEqual(count, { kind: "exact", count: expected.length }, `view ${v}: ${query}`);
      const all = { asker, maxSteps: Number.MAX_SAFE_INTEGER };
      assert.deepEqual(drain(views[v].list(query, all)), expected, `view ${v}: ${query}`);
      const after = randomName();
      assert.deepEqual(
        drain(views[v].list(query, { ...all, after }), 3),
        expected.filter((name) => name > after).slice(0, 3),
      );
      const own = [...pubs.get(user)!].filter(ACCEPTS[v]).sort(byCodeUnit);
      const offset = random.below(3);
      const published = views[v].published(user, offset);
      assert.equal(published.total, own.length);
      assert.equal(views[v].publishedCount(user), own.length);
      assert.deepEqual(drain(published), own.slice(offset));
      assert.equal(views[v].size, names.filter(ACCEPTS[v]).length);
      checks++;
    }
  }
  assert.ok(checks > steps / 4);
}

Deno.test("views sharing one table answer like a brute-force search of their own names", () => {
  runSharedModel(1, 4000, Number.MAX_SAFE_INTEGER, 0);
  runSharedModel(2, 4000, 20, 0);
});

Deno.test("shared views loaded in name order, with a small step cap, answer like the model", () => {
  runSharedModel(3, 3000, 8, 2000);
  runSharedModel(4, 3000, 60, 2000);
});

Deno.test("shared views packed after a load in name order and amid changes answer like the model", () => {
  runSharedModel(7, 3000, Number.MAX_SAFE_INTEGER, 2000, ALPHABET, 97);
  runSharedModel(8, 3000, 12, 1500, LOWER, 250);
});

Deno.test("views over names that mostly fold to themselves answer like the model", () => {
  runSharedModel(5, 4000, Number.MAX_SAFE_INTEGER, 0, LOWER);
  runSharedModel(6, 3000, 12, 1500, LOWER);
});

Deno.test("a name with a space is in the folded and spaced views only", () => {
  const [plain, spaced, folded] = sharedIndexes(SPECS);
  plain.setActive("bob", true);
  plain.publish("bob", "My Notes.txt");
  plain.publish("bob", "notes.txt");
  assert.deepEqual(drain(plain.list("otes", { asker: "alice" })), ["notes.txt"]);
  assert.deepEqual(drain(spaced.list("otes", { asker: "alice" })), ["My Notes.txt"]);
  assert.deepEqual(drain(folded.list("NOTES", { asker: "alice" })), ["My Notes.txt", "notes.txt"]);
  assert.deepEqual(drain(plain.list("", { asker: "alice" })), ["notes.txt"]);
  assert.equal(plain.isPublished("My Notes.txt"), false);
  assert.equal(spaced.isPublished("My Notes.txt"), true);
  assert.deepEqual(drain(plain.published("bob")), ["notes.txt"]);
  assert.deepEqual(drain(folded.published("bob", 1)), ["notes.txt"]);
  assert.ok(folded.unpublish("bob", "My Notes.txt"));
  assert.equal(spaced.size, 0);
  assert.deepEqual(spaced.count("o", "alice"), { kind: "exact", count: 0 });
});
