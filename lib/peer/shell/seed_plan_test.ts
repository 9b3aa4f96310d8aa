import assert from "node:assert/strict";
import { planSeed } from "./seed_plan.ts";

const stamp = (size: number, mtimeMs: number) => ({ size, mtimeMs });

Deno.test("seeding publishes new files and withdraws publications whose file is gone", () => {
  const plan = planSeed({
    files: new Map([["b.txt", stamp(1, 1)], ["a.txt", stamp(2, 2)]]),
    published: new Set(["old.txt", "a.txt"]),
    publishedStamps: new Map(),
  });
  // a.txt is published, but not by this run: publishing it again records its present digest.
  assert.deepEqual(plan, { publish: ["a.txt", "b.txt"], withdraw: ["old.txt"] });
});

Deno.test("seeding leaves an unchanged file alone and republishes a changed one", () => {
  const plan = planSeed({
    files: new Map([["same.txt", stamp(5, 10)], ["edited.txt", stamp(6, 20)]]),
    published: new Set(["same.txt", "edited.txt"]),
    publishedStamps: new Map([["same.txt", stamp(5, 10)], ["edited.txt", stamp(6, 11)]]),
  });
  assert.deepEqual(plan, { publish: ["edited.txt"], withdraw: [] });
});

Deno.test("seeding republishes a file someone withdrew meanwhile", () => {
  const plan = planSeed({
    files: new Map([["x.txt", stamp(1, 1)]]),
    published: new Set(),
    publishedStamps: new Map([["x.txt", stamp(1, 1)]]),
  });
  assert.deepEqual(plan, { publish: ["x.txt"], withdraw: [] });
});
