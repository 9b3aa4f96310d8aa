import assert from "node:assert/strict";
import { readPublicationFeed, readSessionFeed, readSessionRecord } from "./feed.ts";
import { parsePubMeta, pubMetaText } from "./keys.ts";

Deno.test("a session feed reads back what was written, endpoint and TLS included", () => {
  const feed = {
    from: "t1",
    up: [{
      user: "alice",
      address: { hostname: "127.0.0.1", port: 4000 },
      version: 2,
      download: { hostname: "127.0.0.1", port: 5000 },
      tls: { port: 5001, fingerprint: "ab".repeat(32) },
    }],
    down: ["bob"],
  };
  assert.deepEqual(readSessionFeed(JSON.stringify(feed)), feed);
});

Deno.test("feed decoders return undefined for anything that does not read, never throw", () => {
  for (
    const text of [
      "",
      "{",
      "null",
      "[]",
      '{"from":1,"up":[],"down":[]}',
      '{"from":"t","up":[{"user":"a"}],"down":[]}',
      '{"from":"t","up":[],"down":[3]}',
      '{"from":"t","up":[{"user":"a","address":{"hostname":"h","port":1},"version":3}],"down":[]}',
    ]
  ) {
    assert.equal(readSessionFeed(text), undefined, text);
  }
  for (
    const text of [
      "x",
      '{"from":"t","users":[["a",true]]}',
      '{"from":"t","users":[["a","no",[]]]}',
      '{"from":"t","users":[["a",false,[["n",5]]]]}',
    ]
  ) {
    assert.equal(readPublicationFeed(text), undefined, text);
  }
  assert.equal(readSessionRecord("not json"), undefined);
});

Deno.test("a publication feed keeps removals, v1 and v2 publications and withdrawals", () => {
  const feed = { from: "t2", users: [["alice", true, [["a.txt", ""], ["b.txt", null]]]] };
  assert.deepEqual(readPublicationFeed(JSON.stringify(feed)), feed);
});

Deno.test("stored meta text round-trips v2 meta and reads v1 or damaged text as none", () => {
  const meta = { size: 12, sha256: "0f".repeat(32) };
  assert.deepEqual(parsePubMeta(pubMetaText(meta)), meta);
  assert.equal(pubMetaText(undefined), "");
  assert.equal(parsePubMeta(""), undefined);
  assert.equal(parsePubMeta("-1 " + "0f".repeat(32)), undefined);
  assert.equal(parsePubMeta("12 xyz"), undefined);
});
