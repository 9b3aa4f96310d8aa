import assert from "node:assert/strict";
import { fitNameList, pageLength } from "../protocol/mod.ts";
import { NameIndex } from "./name_index.ts";
import { PageCursors, searchNameList } from "./search_pages.ts";

const HEADER = 57;

function bigIndex(options = {}) {
  const index = new NameIndex(options);
  index.setActive("bob", true);
  const names: string[] = [];
  for (let i = 0; i < 600; i++) {
    const name = `track-${String(i).padStart(4, "0")}-${"é".repeat(i % 7)}.flac`;
    index.publish("bob", name);
    names.push(name);
  }
  return { index, names };
}

Deno.test("the v1 search list is the whole result cut as fitNameList cuts it", () => {
  const { index, names } = bigIndex();
  assert.deepEqual(searchNameList(index, "track", "alice"), {
    kind: "found",
    reply: fitNameList(names),
  });
  assert.deepEqual(searchNameList(index, "track", "bob"), {
    kind: "found",
    reply: { names: [], omitted: 0 },
  });
});

Deno.test("v2 pages from a cursor add up to the whole result, each full to 1200 bytes", () => {
  const { index, names } = bigIndex();
  const clock = { now: 0 };
  const cursors = new PageCursors({ now: () => clock.now });
  const request = { session: "s1", asker: "alice", query: ".flac", headerBytes: HEADER };
  const seen: string[] = [];
  while (seen.length < names.length) {
    const page = cursors.page(index, { ...request, offset: seen.length });
    assert.equal(page.kind, "found");
    if (page.kind !== "found") return;
    assert.equal(page.reply.total, names.length);
    assert.equal(page.reply.names.length, pageLength(names, seen.length, HEADER));
    seen.push(...page.reply.names);
  }
  assert.deepEqual(seen, names);
  assert.equal(cursors.size, 0, "the last page forgets its cursor");
});

Deno.test("a page from an offset without a cursor walks there, and a late cursor is not used", () => {
  const { index, names } = bigIndex();
  const clock = { now: 0 };
  const cursors = new PageCursors({ now: () => clock.now, ttlMs: 1000 });
  const request = { session: "s1", asker: "alice", query: "track", headerBytes: HEADER };
  const skipped = cursors.page(index, { ...request, offset: 100 });
  assert.ok(skipped.kind === "found");
  assert.equal(skipped.reply.names[0], names[100]);
  // The cursor now points after that page; unpublishing the next name does not shift page 2.
  const next = 100 + skipped.reply.names.length;
  index.unpublish("bob", names[next]);
  const page2 = cursors.page(index, { ...request, offset: next });
  assert.ok(page2.kind === "found");
  assert.equal(page2.reply.names[0], names[next + 1]);
  assert.equal(page2.reply.total, names.length, "the total of the first page is kept");
  // After the cursor's lifetime the search runs again, with the total as it is now.
  clock.now = 5000;
  const late = cursors.page(index, { ...request, offset: next + page2.reply.names.length });
  assert.ok(late.kind === "found");
  assert.equal(late.reply.total, names.length - 1);
});

Deno.test("cursors are per session and bounded", () => {
  const { index } = bigIndex();
  const cursors = new PageCursors({ now: () => 0, capacity: 3 });
  for (let session = 0; session < 10; session++) {
    cursors.page(index, {
      session: `s${session}`,
      asker: "alice",
      query: "track",
      offset: 0,
      headerBytes: HEADER,
    });
  }
  assert.equal(cursors.size, 3);
});

Deno.test("a search too broad for the step cap says so in v1 and v2", () => {
  const { index } = bigIndex({ maxSteps: 50 });
  assert.deepEqual(searchNameList(index, "track", "alice"), { kind: "tooBroad", atMost: 600 });
  const cursors = new PageCursors({ now: () => 0 });
  const page = cursors.page(index, {
    session: "s",
    asker: "alice",
    query: "track",
    offset: 0,
    headerBytes: HEADER,
  });
  assert.deepEqual(page, { kind: "tooBroad", atMost: 600 });
});
