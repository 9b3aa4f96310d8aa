import assert from "node:assert/strict";
import { readAheadFor } from "./join_count.ts";
import { NameIndex, type SearchCount } from "./name_index.ts";
import { SeededRandom } from "./test_random.ts";

// Few letters, so trigrams are shared by many names: postings of several chunks (512 entries
// each), most names in both postings of a pair, and runs of names in only one of them.
const LETTERS = ["a", "b", "c", "-", "."];
const USERS = ["u1", "u2", "u3", "u4", "u5", "u6"];

function brute(
  holders: Map<string, Set<string>>,
  active: Set<string>,
  query: string,
  asker?: string,
): number {
  let count = 0;
  for (const [name, users] of holders) {
    if (!name.includes(query)) continue;
    if ([...users].some((user) => user !== asker && active.has(user))) count++;
  }
  return count;
}

function finish(index: NameIndex, query: string, asker?: string): SearchCount {
  let count = index.count(query, asker);
  for (let again = 0; again < 10_000 && count.kind === "tooBroad"; again++) {
    count = index.count(query, asker);
  }
  return count;
}

function drainCount(index: NameIndex, query: string, asker?: string): number {
  const lister = index.list(query, { asker, maxSteps: Number.MAX_SAFE_INTEGER });
  let count = 0;
  while (lister.next() !== undefined) count++;
  return count;
}

for (const maxSteps of [Number.MAX_SAFE_INTEGER, 700, 37]) {
  Deno.test(`counting joins over postings of many chunks agree with listing and brute force (cap ${maxSteps})`, () => {
    const random = new SeededRandom(maxSteps % 1000);
    const index = new NameIndex({ maxSteps, maxBroadCounts: 64 });
    const holders = new Map<string, Set<string>>();
    const active = new Set<string>();
    for (const user of USERS) {
      if (random.below(6) > 0) {
        index.setActive(user, true);
        active.add(user);
      }
    }
    for (let n = 0; n < 12_000; n++) {
      // Short names (masks hold every position) and long ones (the middle must be read).
      const length = random.below(8) === 0 ? 34 + random.below(30) : 4 + random.below(12);
      const name = random.text(LETTERS, length);
      const user = random.pick(USERS);
      index.publish(user, name);
      const set = holders.get(name) ?? new Set();
      holders.set(name, set.add(user));
    }
    const names = [...holders.keys()];
    for (let q = 0; q < 150; q++) {
      const name = random.pick(names);
      const start = random.below(Math.max(1, name.length - 4));
      const query = random.below(5) === 0
        ? random.text(LETTERS, 4 + random.below(6))
        : name.slice(start, start + 4 + random.below(7));
      const asker = random.below(3) === 0 ? undefined : random.pick([...USERS, "stranger"]);
      const expected = brute(holders, active, query, asker);
      assert.deepEqual(finish(index, query, asker), { kind: "exact", count: expected }, query);
      assert.equal(drainCount(index, query, asker), expected, `listing ${query}`);
      // Changes between requests: a kept count catches up on them. Unpublished names leave
      // stale entries past the used part of their chunks, which a walk must not read.
      for (let gone = 0; gone < 40; gone++) {
        const name = random.pick(names);
        const users = holders.get(name);
        if (users === undefined || users.size === 0) continue;
        const user = random.pick([...users]);
        assert.ok(index.unpublish(user, name));
        users.delete(user);
        if (users.size === 0) holders.delete(name);
        // A new name takes the freed id.
        const fresh = random.text(LETTERS, 4 + random.below(12));
        index.publish(user, fresh);
        holders.set(fresh, (holders.get(fresh) ?? new Set()).add(user));
      }
      if (q % 10 === 0) {
        const user = random.pick(USERS);
        index.setActive(user, !active.has(user));
        if (active.has(user)) active.delete(user);
        else active.add(user);
      }
    }
  });
}

Deno.test("a count walk takes the listing's steps and stops where it does, however far it reads ahead", () => {
  // A rare trigram ("q") beside dense ones: the dense postings are read ahead up to 32 entries,
  // or the rare lead's names are read instead of joined.
  const random = new SeededRandom(5);
  const index = new NameIndex();
  index.setActive("u1", true);
  const names = new Set<string>();
  for (let n = 0; n < 20_000; n++) {
    const rare = random.below(40) === 0 ? "q" : "";
    const name = random.text(LETTERS, 3 + random.below(8)) + rare + random.text(LETTERS, 4);
    index.publish("u1", name);
    names.add(name);
  }
  for (const maxSteps of [Number.MAX_SAFE_INTEGER, 900, 90]) {
    for (
      const query of [
        "qabc",
        "qa-bc",
        "ab.cq",
        "q.abc-",
        "c-q.a",
        "bq-a",
        "abab",
      ]
    ) {
      const counting = index.list(query, { maxSteps });
      const count = counting.countRest?.() ?? -1;
      const listing = index.list(query, { maxSteps });
      let listed = 0;
      while (listing.next() !== undefined) listed++;
      const at = `${query} (cap ${maxSteps})`;
      if (listing.stopped === "end") {
        assert.equal(listed, [...names].filter((name) => name.includes(query)).length, at);
      }
      assert.equal(count, listed, at);
      assert.equal(counting.steps, listing.steps, at);
      assert.equal(counting.stopped, listing.stopped, at);
      assert.equal(counting.resumeFrom, listing.resumeFrom, at);
    }
  }
});

Deno.test("a count walked from the start takes the asker's sole holdings out as its own keys do", () => {
  const random = new SeededRandom(9);
  const index = new NameIndex({ minKeptWalkSteps: 0 });
  const holders = new Map<string, Set<string>>();
  const active = new Set(["u1", "u2", "u3"]);
  for (const user of active) index.setActive(user, true);
  for (let n = 0; n < 6_000; n++) {
    const name = random.text(LETTERS, 4 + random.below(10));
    // u1 holds most names alone; some with an active user, some with an inactive one (u4).
    for (const user of random.below(4) === 0 ? ["u1", random.pick(["u2", "u4"])] : ["u1"]) {
      index.publish(user, name);
      holders.set(name, (holders.get(name) ?? new Set()).add(user));
    }
  }
  const names = [...holders.keys()];
  for (let q = 0; q < 60; q++) {
    const name = random.pick(names);
    const start = random.below(Math.max(1, name.length - 4));
    const query = name.slice(start, start + 4 + random.below(3));
    // The first request walks from the start; the second reads the kept count (own keys).
    for (const asker of ["u1", "u2", "u1", undefined]) {
      assert.deepEqual(
        finish(index, query, asker),
        { kind: "exact", count: brute(holders, active, query, asker) },
        `${query} for ${asker}`,
      );
    }
  }
});

Deno.test("a posting is read ahead about twice its entries per lead entry, 4 to 32", () => {
  assert.equal(readAheadFor(1000, 1000), 4);
  assert.equal(readAheadFor(1000, 5000), 10);
  assert.equal(readAheadFor(20, 2000), 32);
  assert.equal(readAheadFor(0, 10), 20);
});

Deno.test("a walk that seeks pays for the labels it reads, and resumed request by request ends exact", () => {
  // "qzq" (the lead) in 3,000 names, one in ten followed by "w"; "zqw" in 20,000 others: most
  // lead names are not in the confirming posting, so each is sought by label there after a read
  // ahead that misses.
  const random = new SeededRandom(21);
  const holders = new Map<string, Set<string>>();
  const index = new NameIndex({ maxSteps: 500 });
  index.setActive("u1", true);
  const add = (name: string) => {
    index.publish("u1", name);
    holders.set(name, new Set(["u1"]));
  };
  for (let n = 0; n < 3_000; n++) {
    add(`${random.text(LETTERS, 6)}${n}qzq${n % 10 === 0 ? "w" : "."}`);
  }
  for (let n = 0; n < 20_000; n++) add(`${random.text(LETTERS, 6)}${n}zqw`);
  const expected = brute(holders, new Set(["u1"]), "qzqw");
  assert.equal(expected, 300);
  const whole = index.list("qzqw", { maxSteps: Number.MAX_SAFE_INTEGER });
  assert.equal(whole.countRest?.(), expected);
  // One step an entry and one a seek would be ~2-3 steps a lead name; the labels and the missed
  // reads ahead are several more.
  assert.ok(whole.steps > 4 * 3_000, `${whole.steps} steps`);
  let refused = 0;
  let count = index.count("qzqw");
  while (count.kind === "tooBroad" && refused < 1_000) {
    refused++;
    count = index.count("qzqw");
  }
  assert.deepEqual(count, { kind: "exact", count: expected });
  assert.ok(refused >= Math.floor(whole.steps / 500) - 1, `${refused} refusals`);
});
