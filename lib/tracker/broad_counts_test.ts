import assert from "node:assert/strict";
import { BroadCounts, type WalkFrom } from "./broad_counts.ts";
import type { ListStop, NameLister } from "./name_query.ts";
import { SeededRandom } from "./test_random.ts";

/** Active names, and a walk over those containing a key in order, one step per name looked at. */
class ActiveNames {
  readonly names = new Set<string>();
  walks = 0;

  walker(key: string): WalkFrom {
    return (resumeFrom, maxSteps) => {
      this.walks++;
      const sorted = [...this.names].filter((name) =>
        resumeFrom === undefined || name >= resumeFrom
      )
        .sort();
      let at = 0;
      let steps = 0;
      let stopped: ListStop | undefined;
      const lister: NameLister = {
        next() {
          while (at < sorted.length) {
            if (steps > 0 && steps >= maxSteps) {
              stopped = "cap";
              return undefined;
            }
            steps++;
            const name = sorted[at++];
            if (name.includes(key)) return name;
          }
          stopped = "end";
          return undefined;
        },
        get stopped() {
          return stopped;
        },
        get steps() {
          return steps;
        },
        get resumeFrom() {
          return stopped === "end" ? undefined : sorted[at];
        },
      };
      return lister;
    };
  }

  count(key: string): number {
    return [...this.names].filter((name) => name.includes(key)).length;
  }
}

function change(counts: BroadCounts, active: ActiveNames, name: string): void {
  if (active.names.delete(name)) counts.changed(name, name, -1);
  else {
    active.names.add(name);
    counts.changed(name, name, 1);
  }
}

Deno.test("kept counts are exact after any changes, caught up over several requests at a small cap", () => {
  const random = new SeededRandom(21);
  const counts = new BroadCounts({ capacity: 3, loggedChanges: 40, minKeptSteps: 0 });
  const active = new ActiveNames();
  const keys = ["abab", "baab", "aaaa", "abba", "bbbb"];
  let exact = 0;
  let partial = 0;
  for (let step = 0; step < 12_000; step++) {
    if (random.below(3) > 0) {
      change(counts, active, random.text(["a", "b", "c"], 4 + random.below(2)));
      continue;
    }
    const key = random.pick(keys);
    const maxSteps = random.below(2) === 0 ? 4 + random.below(30) : 400;
    const count = counts.count(key, active.walker(key), maxSteps);
    if (count === undefined) {
      partial++;
      continue;
    }
    assert.equal(count, active.count(key), key);
    exact++;
  }
  assert.ok(exact > 1000 && partial > 1000, `${exact} exact, ${partial} partial`);
});

Deno.test("a kept count answers from the log without walking; one the log has passed walks again", () => {
  const active = new ActiveNames();
  const counts = new BroadCounts({ loggedChanges: 8, minKeptSteps: 0 });
  for (let i = 0; i < 100; i++) change(counts, active, `photo-${100 + i}.jpg`);
  assert.equal(counts.count("hoto", active.walker("hoto"), 1000), 100);
  assert.equal(active.walks, 1);
  change(counts, active, "photo-500.jpg");
  change(counts, active, "photo-100.jpg"); // gone
  change(counts, active, "video-1.mkv");
  assert.equal(counts.count("hoto", active.walker("hoto"), 1000), 100);
  assert.equal(active.walks, 1, "answered from the log");
  for (let i = 0; i < 9; i++) change(counts, active, `photo-${600 + i}.jpg`);
  assert.equal(counts.count("hoto", active.walker("hoto"), 1000), 109);
  assert.equal(active.walks, 2, "the log no longer reached back: walked again");
});

Deno.test("a cheap walk leaves no kept count; the least recently used count goes first", () => {
  const active = new ActiveNames();
  const counts = new BroadCounts({ capacity: 2, minKeptSteps: 10 });
  for (let i = 0; i < 5; i++) change(counts, active, `a-${i}`);
  counts.count("a-1", active.walker("a-1"), 100);
  assert.equal(counts.size, 0, "5 steps: not kept");
  for (let i = 5; i < 50; i++) change(counts, active, `a-${i}`);
  for (const key of ["a-1", "a-2", "a-1", "a-3"]) counts.count(key, active.walker(key), 100);
  assert.equal(counts.size, 2);
  const walks = active.walks;
  counts.count("a-1", active.walker("a-1"), 100);
  assert.equal(active.walks, walks, "a-1 was used last but one: kept");
  counts.count("a-2", active.walker("a-2"), 100);
  assert.equal(active.walks, walks + 1, "a-2 was the least recently used: dropped");
});
