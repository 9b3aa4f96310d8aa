import assert from "node:assert/strict";
import { answerable, PAGE_HEADER_BYTES, pageRequest } from "./v2_pages.ts";
import type { Session } from "./state.ts";

const session = (token?: string): Session => ({
  user: "alice",
  address: { hostname: "127.0.0.1", port: 4000 },
  version: token === undefined ? 1 : 2,
  ...(token === undefined ? {} : { token }),
  timeoutMs: 3000,
  lastSeen: 0,
});

Deno.test("a page request is keyed by the session's token, or its address without one", () => {
  assert.deepEqual(pageRequest(session("t0k"), "notes", 20, 900), {
    session: "t0k",
    asker: "alice",
    query: "notes",
    offset: 20,
    headerBytes: PAGE_HEADER_BYTES,
    maxBytes: 900,
  });
  assert.equal(pageRequest(session(), "notes", 0, 900).session, "127.0.0.1:4000");
});

Deno.test("a search page is answerable unless too broad, or left empty by the step cap short of its total", () => {
  const found = (names: string[], total: number, stopped?: "cap" | "end") => ({
    kind: "found" as const,
    reply: { total, offset: 0, names, ...(stopped ? { stopped } : {}) },
  });
  assert.equal(answerable({ kind: "tooBroad", atMost: 5000 }, 0), false);
  assert.equal(answerable(found([], 40, "cap"), 10), false);
  assert.equal(answerable(found([], 40, "cap"), 40), true);
  assert.equal(answerable(found(["a.txt"], 40, "cap"), 10), true);
  assert.equal(answerable(found([], 0), 0), true);
});
