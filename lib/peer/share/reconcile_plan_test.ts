import assert from "node:assert/strict";
import { planReconcile, withdrawalLine } from "./reconcile_plan.ts";

const NONE = {
  withdraw: [],
  publish: [],
  republish: [],
  refresh: [],
  hash: [],
  restamp: [],
};

Deno.test("a publication whose file left the folder is withdrawn; files not published stay so", () => {
  const plan = planReconcile({
    files: new Map([["private.txt", { size: 1, mtimeMs: 1 }]]),
    published: new Set(["b.txt", "a.txt"]),
    versions: new Map([["a.txt", { size: 1, mtimeMs: 1, sha256: "aa" }]]),
  });
  assert.deepEqual(plan, { ...NONE, withdraw: ["a.txt", "b.txt"] });
});

Deno.test("a published file this peer never published is published again with what it is now", () => {
  const plan = planReconcile({
    files: new Map([["old.txt", { size: 3, mtimeMs: 7 }]]),
    published: new Set(["old.txt"]),
    versions: new Map(),
  });
  assert.deepEqual(plan, { ...NONE, refresh: ["old.txt"] });
});

Deno.test("an unchanged stamp means an unchanged publication: nothing to do", () => {
  const plan = planReconcile({
    files: new Map([["same.txt", { size: 3, mtimeMs: 7 }]]),
    published: new Set(["same.txt"]),
    versions: new Map([["same.txt", { size: 3, mtimeMs: 7, sha256: "aa" }]]),
  });
  assert.deepEqual(plan, NONE);
});

Deno.test("a changed stamp asks for a digest, and only a changed digest is published again", () => {
  const versions = new Map([
    ["edited.txt", { size: 3, mtimeMs: 7, sha256: "aa" }],
    ["touched.txt", { size: 3, mtimeMs: 7, sha256: "bb" }],
  ]);
  const published = new Set(versions.keys());
  const first = planReconcile({
    files: new Map([
      ["edited.txt", { size: 3, mtimeMs: 8 }],
      ["touched.txt", { size: 3, mtimeMs: 9 }],
    ]),
    published,
    versions,
  });
  assert.deepEqual(first, { ...NONE, hash: ["edited.txt", "touched.txt"] });
  const second = planReconcile({
    files: new Map([
      ["edited.txt", { size: 3, mtimeMs: 8, sha256: "cc" }],
      ["touched.txt", { size: 3, mtimeMs: 9, sha256: "bb" }],
    ]),
    published,
    versions,
  });
  assert.deepEqual(second, { ...NONE, republish: ["edited.txt"], restamp: ["touched.txt"] });
});

Deno.test("without a published digest (v1, seed) a changed stamp is a changed file", () => {
  const plan = planReconcile({
    files: new Map([["v1.txt", { size: 4, mtimeMs: 8 }]]),
    published: new Set(["v1.txt"]),
    versions: new Map([["v1.txt", { size: 3, mtimeMs: 7 }]]),
  });
  assert.deepEqual(plan, { ...NONE, republish: ["v1.txt"] });
});

Deno.test("only a seeding plan publishes files that are not published", () => {
  const state = {
    files: new Map([["new.txt", { size: 1, mtimeMs: 1 }]]),
    published: new Set<string>(),
    versions: new Map(),
  };
  assert.deepEqual(planReconcile(state), NONE);
  assert.deepEqual(planReconcile({ ...state, publishNew: true }), {
    ...NONE,
    publish: ["new.txt"],
  });
});

Deno.test("the withdrawal line names every withdrawn publication, and is absent for none", () => {
  assert.equal(withdrawalLine([], "/s"), undefined);
  assert.equal(withdrawalLine(["a.txt"], "/s"), "Withdrew 1 publication no longer in /s: a.txt");
  assert.equal(
    withdrawalLine(["a.txt", "b.txt"], "/home/u/share"),
    "Withdrew 2 publications no longer in /home/u/share: a.txt, b.txt",
  );
});
