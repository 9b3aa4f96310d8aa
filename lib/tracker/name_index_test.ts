import assert from "node:assert/strict";
import { foldCaseNfc } from "./grams.ts";
import { NameIndex, type NameLister } from "./name_index.ts";
import { byCodeUnit } from "./sorted_view.ts";
import { SeededRandom } from "./test_random.ts";

/** The semantics of `sch`, by brute force over every publication. */
class Model {
  readonly pubs = new Map<string, Set<string>>();
  readonly active = new Set<string>();
  constructor(readonly fold: (text: string) => string = (text) => text) {}

  publish(user: string, name: string): boolean {
    const names = this.pubs.get(user) ?? new Set();
    this.pubs.set(user, names);
    if (names.has(name)) return false;
    names.add(name);
    return true;
  }

  unpublish(user: string, name: string): boolean {
    return this.pubs.get(user)?.delete(name) ?? false;
  }

  search(query: string, asker?: string): string[] {
    const key = this.fold(query);
    const found = new Set<string>();
    for (const [user, names] of this.pubs) {
      if (user === asker || !this.active.has(user)) continue;
      for (const name of names) if (this.fold(name).includes(key)) found.add(name);
    }
    return [...found].sort(byCodeUnit);
  }

  published(user: string): string[] {
    return [...(this.pubs.get(user) ?? [])].sort(byCodeUnit);
  }

  allNames(): string[] {
    const all = new Set<string>();
    for (const names of this.pubs.values()) for (const name of names) all.add(name);
    return [...all];
  }
}

function drain(lister: Pick<NameLister, "next">, limit = Infinity): string[] {
  const names: string[] = [];
  while (names.length < limit) {
    const name = lister.next();
    if (name === undefined) break;
    names.push(name);
  }
  return names;
}

// Whole characters, some of several code units, some that fold or normalise into others.
const ALPHABET = ["a", "b", "c", "a", "b", "_", ".", "é", "e\u0301", "E", "😀", "ß", "S", "ｚ"];
const USERS = ["alice", "bob", "carol", "dave", "erin"];

function randomName(random: SeededRandom): string {
  // Mostly short names; some longer than 34 code units, whose position masks alias.
  const length = random.below(10) < 8 ? 1 + random.below(8) : 30 + random.below(40);
  return random.text(ALPHABET, length);
}

function randomQuery(random: SeededRandom, model: Model): string {
  const names = model.allNames();
  const roll = random.below(10);
  if (roll < 6 && names.length > 0) {
    const name = random.pick(names);
    const start = random.below(name.length);
    return name.slice(start, start + random.pick([1, 2, 3, 4, 5, 8, 40]));
  }
  if (roll < 7) return "";
  return random.text(ALPHABET, 1 + random.below(5));
}

interface ModelRun {
  readonly seed: number;
  readonly steps: number;
  readonly fold?: (text: string) => string;
  /** A small cap makes counts walk over several requests (and broad counts be kept). */
  readonly maxSteps?: number;
  /** Every walk leaves a kept count, and the change log is short (so counts fall behind it). */
  readonly keepEveryCount?: boolean;
  /** Publications made first in name order, as a restart loads them (every one an append). */
  readonly preload?: number;
  /** Users with this many names keep counts of their sole holdings by short gram. */
  readonly bigHolderFrom?: number;
}

function runModel(
  {
    seed,
    steps,
    fold,
    maxSteps = Number.MAX_SAFE_INTEGER,
    keepEveryCount,
    preload = 0,
    bigHolderFrom,
  }: ModelRun,
) {
  const random = new SeededRandom(seed);
  const kept = keepEveryCount ? { minKeptWalkSteps: 0, loggedChanges: 24 } : {};
  const index = new NameIndex({ fold, maxSteps, maxBroadCounts: 4, bigHolderFrom, ...kept });
  const model = new Model(fold);
  const loaded = Array.from({ length: preload }, () => [random.pick(USERS), randomName(random)]);
  loaded.sort(([, a], [, b]) => byCodeUnit(a, b));
  for (const [user, name] of loaded) {
    assert.equal(index.publish(user, name), model.publish(user, name));
  }
  if (random.below(2) === 0) {
    for (const user of USERS) {
      index.setActive(user, true);
      model.active.add(user);
    }
  }
  let checks = 0;
  // Queries of 4+ units asked before, asked again (kept counts then have changes to catch up on).
  const asked: string[] = [];
  for (let step = 0; step < steps; step++) {
    const user = random.pick(USERS);
    const roll = random.below(20);
    if (roll < 8) {
      const names = model.allNames();
      const name = names.length > 0 && random.below(3) === 0
        ? random.pick(names) // shared with another user
        : randomName(random);
      assert.equal(index.publish(user, name), model.publish(user, name));
    } else if (roll < 11) {
      const own = [...(model.pubs.get(user) ?? [])];
      const name = own.length > 0 && random.below(4) > 0 ? random.pick(own) : randomName(random);
      assert.equal(index.unpublish(user, name), model.unpublish(user, name));
    } else if (roll < 13) {
      const active = random.below(2) === 0;
      index.setActive(user, active);
      if (active) model.active.add(user);
      else model.active.delete(user);
    } else {
      const query = keepEveryCount && asked.length > 0 && random.below(2) === 0
        ? random.pick(asked)
        : randomQuery(random, model);
      if (query.length >= 4 && !asked.includes(query) && asked.push(query) > 6) asked.shift();
      const asker = random.below(6) === 0 ? undefined : random.pick([...USERS, "stranger"]);
      const expected = model.search(query, asker);
      let count = index.count(query, asker);
      if (count.kind === "tooBroad") {
        assert.ok(count.atMost >= expected.length);
        // Asking again walks on: now and then to the end here, else it is left half-done.
        if (random.below(2) === 0) {
          for (let again = 0; again < 1000 && count.kind === "tooBroad"; again++) {
            count = index.count(query, asker);
          }
          assert.equal(count.kind, "exact", "asking again gets to the end");
        }
      }
      if (count.kind === "exact") {
        assert.deepEqual(count, { kind: "exact", count: expected.length }, `count ${query}`);
      }
      const whole = drain(index.list(query, { asker, maxSteps: Number.MAX_SAFE_INTEGER }));
      assert.deepEqual(whole, expected, `list ${JSON.stringify(query)} for ${asker}`);
      // A page from a cursor: the names after a random name (present or not).
      const after = random.below(2) === 0 && expected.length > 0
        ? random.pick(expected)
        : randomName(random);
      const rest = expected.filter((name) => name > after);
      const take = 1 + random.below(4);
      assert.deepEqual(
        drain(index.list(query, { asker, after, maxSteps: Number.MAX_SAFE_INTEGER }), take),
        rest.slice(0, take),
        `after ${after}`,
      );
      assert.deepEqual(drain(index.published(user)), model.published(user));
      checks++;
    }
  }
  assert.ok(checks > steps / 4);
  return index;
}

Deno.test("the name index answers like a brute-force search over thousands of random changes", () => {
  runModel({ seed: 1, steps: 6000 });
  runModel({ seed: 2, steps: 6000 });
});

Deno.test("an index loaded in name order, as at a restart, answers like the model after changes", () => {
  for (const seed of [5, 6]) runModel({ seed, steps: 2000, preload: 3000 });
  runModel({ seed: 7, steps: 2000, preload: 3000, fold: foldCaseNfc, maxSteps: 50 });
});

Deno.test("counts walked over several requests stay exact through the changes in between", () => {
  runModel({ seed: 5, steps: 8000, maxSteps: 6 });
  runModel({ seed: 6, steps: 8000, maxSteps: 25, fold: foldCaseNfc });
});

Deno.test("kept counts catch up on the changes since, or walk again once the log has moved on", () => {
  runModel({ seed: 7, steps: 8000, keepEveryCount: true });
  runModel({ seed: 8, steps: 8000, maxSteps: 10, keepEveryCount: true });
  runModel({ seed: 9, steps: 8000, maxSteps: 40, keepEveryCount: true, fold: foldCaseNfc });
});

Deno.test("a folding index answers case- and normalisation-insensitive searches like the model", () => {
  runModel({ seed: 3, steps: 5000, fold: foldCaseNfc });
});

Deno.test("short counts leave out the asker's sole holdings as users pass the sole-count size both ways", () => {
  // Users cross 6 names (counts made) and fall under 3 (counts dropped) again and again.
  runModel({ seed: 11, steps: 6000, bigHolderFrom: 6 });
  runModel({ seed: 12, steps: 4000, bigHolderFrom: 6, fold: foldCaseNfc });
  runModel({ seed: 13, steps: 2000, preload: 400, bigHolderFrom: 1 });
});

Deno.test("an index emptied by unpublishing everything holds nothing", () => {
  const index = runModel({ seed: 4, steps: 2000 });
  for (const user of USERS) {
    for (const name of drain(index.published(user))) assert.ok(index.unpublish(user, name));
    index.setActive(user, false);
  }
  assert.equal(index.size, 0);
  assert.deepEqual(index.stats(), {
    names: 0,
    trigrams: 0,
    postingEntries: 0,
    postingCapacity: 0,
    chunks: 0,
    relabels: 0,
  });
});

function activeIndex(publications: Record<string, string[]>, options = {}): NameIndex {
  const index = new NameIndex(options);
  for (const [user, names] of Object.entries(publications)) {
    index.setActive(user, true);
    for (const name of names) index.publish(user, name);
  }
  return index;
}

Deno.test("a name the asker and another active user hold is found; one only the asker holds is not", () => {
  const index = activeIndex({ alice: ["shared.txt", "mine.txt"], bob: ["shared.txt"] });
  assert.deepEqual(drain(index.list(".txt", { asker: "alice" })), ["shared.txt"]);
  assert.deepEqual(index.count(".txt", "alice"), { kind: "exact", count: 1 });
  assert.deepEqual(index.count("t", "alice"), { kind: "exact", count: 1 });
  assert.deepEqual(drain(index.list(".txt", { asker: "bob" })), ["mine.txt", "shared.txt"]);
  index.setActive("bob", false);
  assert.deepEqual(index.count(".txt", "alice"), { kind: "exact", count: 0 });
  assert.deepEqual(drain(index.list("txt", { asker: "alice" })), []);
  assert.deepEqual(drain(index.list("txt", { asker: "carol" })), ["mine.txt", "shared.txt"]);
});

Deno.test("an inactive user's publications come back when it is active again", () => {
  const index = activeIndex({ bob: ["song.mp3"] });
  index.setActive("bob", false);
  assert.deepEqual(index.count("song", "alice"), { kind: "exact", count: 0 });
  assert.ok(index.isPublished("song.mp3"));
  index.setActive("bob", true);
  assert.deepEqual(drain(index.list("song", { asker: "alice" })), ["song.mp3"]);
});

Deno.test("a query longer than every name, or with an unknown trigram, finds nothing", () => {
  const index = activeIndex({ bob: ["a.txt", "b"] });
  assert.deepEqual(index.count("a.txt-and-more", "alice"), { kind: "exact", count: 0 });
  assert.deepEqual(drain(index.list("a.txt-and-more")), []);
  assert.deepEqual(index.count("zzz"), { kind: "exact", count: 0 });
  assert.deepEqual(index.count("zq"), { kind: "exact", count: 0 });
  const empty = index.list("zq");
  assert.equal(empty.next(), undefined);
  assert.equal(empty.stopped, "end");
});

Deno.test("one- and two-unit queries find short names and names of every length", () => {
  const index = activeIndex({ bob: ["b", "ab", "xab", "abc", "c"], carol: ["zzab", "q"] });
  assert.deepEqual(drain(index.list("ab")), ["ab", "abc", "xab", "zzab"]);
  assert.deepEqual(index.count("ab"), { kind: "exact", count: 4 });
  assert.deepEqual(drain(index.list("b", { asker: "carol" })), ["ab", "abc", "b", "xab"]);
  assert.deepEqual(index.count("b", "carol"), { kind: "exact", count: 4 });
  assert.deepEqual(drain(index.list("", { asker: "bob" })), ["q", "zzab"]);
  assert.deepEqual(index.count("", "bob"), { kind: "exact", count: 2 });
});

Deno.test("position masks do not match a query whose trigrams lie at wrapped positions", () => {
  // 34 units: "yzw" starts at 0 and "xyz" at 31, so modulo 32 "xyz" then "yzw" look adjacent.
  const name = `yzw${"_".repeat(28)}xyz`;
  assert.equal(name.length, 34);
  const index = activeIndex({ bob: [name, "xyzw"] });
  assert.deepEqual(drain(index.list("xyzw")), ["xyzw"]);
  assert.deepEqual(index.count("xyzw"), { kind: "exact", count: 1 });
  // The same in a longer name, where the masks only filter and the name itself decides.
  const long = `yzw${"_".repeat(60)}xyz`;
  const longIndex = activeIndex({ bob: [long, `${"_".repeat(40)}xyzw`] });
  assert.deepEqual(drain(longIndex.list("xyzw")), [`${"_".repeat(40)}xyzw`]);
});

Deno.test("astral characters are searched by code unit, as String.includes does", () => {
  const index = activeIndex({ bob: ["😀😀.png", "a😀b", "plain"] });
  assert.deepEqual(drain(index.list("😀")), ["a😀b", "😀😀.png"]);
  assert.deepEqual(drain(index.list("😀.")), ["😀😀.png"]);
  assert.deepEqual(index.count("\ud83d"), { kind: "exact", count: 2 });
});

Deno.test("a count whose walk would pass the step cap is 'too broad' with an upper bound", () => {
  const names = Array.from({ length: 300 }, (_, i) => `photo-${String(i).padStart(3, "0")}.jpg`);
  const index = activeIndex({ bob: names }, { maxSteps: 100 });
  // Three units are counted by a counter, whatever the cap.
  assert.deepEqual(index.count("jpg"), { kind: "exact", count: 300 });
  assert.deepEqual(index.count("photo"), { kind: "tooBroad", atMost: 300 });
  assert.deepEqual(index.count("o-12"), { kind: "exact", count: 10 });
  // A listing stops at the cap too, and says so, after giving the names it found in order.
  const listing = index.list("photo");
  const first = drain(listing);
  assert.equal(listing.stopped, "cap");
  assert.deepEqual(first, names.slice(0, first.length));
  assert.ok(first.length > 10);
  // The cap is checked once per name walked, which costs a step per trigram (3 here).
  assert.ok(listing.steps > 100 && listing.steps <= 103, `${listing.steps} steps`);
  // A narrower listing within the cap ends normally.
  const narrow = index.list("o-12");
  assert.equal(drain(narrow).length, 10);
  assert.equal(narrow.stopped, "end");
});

Deno.test("a listing from a cursor continues after a name that has since been unpublished", () => {
  const index = activeIndex({ bob: ["a1", "a2", "a3", "a4"] });
  const page = index.list("a");
  assert.deepEqual([page.next(), page.next()], ["a1", "a2"]);
  index.unpublish("bob", "a2");
  assert.deepEqual(drain(index.list("a", { after: "a2" })), ["a3", "a4"]);
});

Deno.test("lpf lists a user's publications in order from any offset, active or not", () => {
  const index = activeIndex({ bob: ["c", "a", "b"] });
  index.setActive("bob", false);
  const all = index.published("bob");
  assert.equal(all.total, 3);
  assert.deepEqual(drain(all), ["a", "b", "c"]);
  assert.deepEqual(drain(index.published("bob", 2)), ["c"]);
  assert.deepEqual(drain(index.published("nobody")), []);
  assert.equal(index.publishedCount("bob"), 3);
});

Deno.test("names published in order get room from their labels without relabelling each time", () => {
  const index = activeIndex({});
  index.setActive("bob", true);
  for (let i = 0; i < 20_000; i++) index.publish("bob", `f${String(i).padStart(5, "0")}`);
  // And in reverse order, and always between the same two names, which exhausts the gaps.
  for (let i = 0; i < 2_000; i++) index.publish("bob", `e${String(2000 - i).padStart(5, "0")}`);
  for (let i = 1; i <= 200; i++) index.publish("bob", `f00000${"~".repeat(i)}`);
  assert.ok(index.stats().relabels > 0 && index.stats().relabels < 200);
  const listed = drain(index.list("", { asker: "alice" }));
  assert.equal(listed.length, 22_200);
  assert.deepEqual(listed, [...listed].sort(byCodeUnit));
  assert.deepEqual(drain(index.list("0000~", { asker: "alice" }), 2), ["f00000~", "f00000~~"]);
});

Deno.test("a broad count follows changes to the name it stopped at and to a recreated trigram", () => {
  const names = Array.from({ length: 40 }, (_, i) => `clip-${String(i).padStart(2, "0")}.mp4`);
  const index = activeIndex({ bob: names }, { maxSteps: 30 });
  const walk = () => {
    for (let again = 0; again < 100; again++) {
      const count = index.count("clip", "alice");
      if (count.kind === "exact") return count.count;
    }
    throw new Error("no end");
  };
  assert.equal(index.count("clip", "alice").kind, "tooBroad");
  // The walk stopped somewhere: take that name out, and one before, and put one back later.
  index.unpublish("bob", names[3]);
  index.setActive("carol", true);
  index.publish("carol", names[3]);
  assert.equal(walk(), 40);
  for (let i = 0; i < 40; i++) {
    index.unpublish("bob", names[i]);
    if (i === 0) index.unpublish("carol", names[3]);
    assert.equal(walk(), 39 - i - (i < 3 ? 1 : 0));
  }
  // Every "cli" name is gone, so is its posting; new ones make a new posting, still counted.
  index.publish("bob", "clip-new.mp4");
  assert.equal(walk(), 1);
  assert.deepEqual(drain(index.list("clip")), ["clip-new.mp4"]);
});

Deno.test("a count walked over several requests ends exact, whichever name changed between", () => {
  const names = Array.from({ length: 60 }, (_, i) => `song-${String(i).padStart(3, "0")}.ogg`);
  const finish = (index: NameIndex) => {
    let count = index.count("song", "alice");
    for (let again = 0; again < 100 && count.kind === "tooBroad"; again++) {
      count = index.count("song", "alice");
    }
    return count;
  };
  // Every name in turn, so the one the walk stopped at is among them.
  for (const changed of names) {
    const index = activeIndex({ bob: names }, { maxSteps: 20 });
    assert.equal(index.count("song", "alice").kind, "tooBroad");
    index.unpublish("bob", changed);
    assert.deepEqual(finish(index), { kind: "exact", count: names.length - 1 }, changed);
    index.publish("bob", changed);
    assert.deepEqual(finish(index), { kind: "exact", count: names.length }, changed);
  }
});
