import assert from "node:assert/strict";
import type { V2ReplyBody, V2RequestBody } from "../../protocol/mod.ts";
import { startFakeV2Tracker } from "./testing/fake_v2_tracker.ts";
import { V2Link } from "./tracker_link.ts";
import { loginV2, V2Client } from "./v2_client.ts";
import { allPublishedFiles, findNames, ownFiles } from "./v2_names.ts";
import { LISTING_LIMITS } from "./paging.ts";

async function withLink(
  answer: (body: V2RequestBody) => V2ReplyBody | undefined,
  body: (link: V2Link, requests: string[]) => Promise<void>,
): Promise<void> {
  const tracker = startFakeV2Tracker({ password: "pw", sealed: true, answer });
  const client = new V2Client({
    trackerHost: "127.0.0.1",
    trackerPort: tracker.port,
    bindHostname: "127.0.0.1",
    deadlineMs: 2000,
    initialIntervalMs: 50,
    sealed: true,
  });
  try {
    await loginV2(client, "alice", "pw");
    await body(new V2Link(client, 1000), tracker.requests);
  } finally {
    await client.close();
    await tracker.close();
  }
}

Deno.test("FIND pages are read to the end, and OWN names come back with their spaces", async () => {
  await withLink((body) => {
    if (body.verb === "FIND") {
      const all = [
        { name: "a b.txt", versions: [{ holders: 1 }] },
        { name: "c.txt", versions: [{ size: 1, digestPrefix: "ab".repeat(8), holders: 2 }] },
      ];
      return {
        status: "FOUND",
        total: 2,
        offset: body.offset,
        found: all.slice(body.offset, body.offset + 1),
      };
    }
    if (body.verb === "OWN") {
      return { status: "LIST", total: 2, offset: 0, names: ["my\\notes.txt", "x.txt"] };
    }
    return undefined;
  }, async (link, requests) => {
    const found = await findNames(link, "A B", "fold");
    assert.ok(found !== "unsupported");
    assert.deepEqual(found.found.map((entry) => entry.name), ["a b.txt", "c.txt"]);
    assert.equal(found.omitted, 0);
    assert.match(requests[0], /FIND i A\\B 0$/);
    assert.match(requests[1], /FIND i A\\B 1$/);
    assert.deepEqual(await ownFiles(link), ["my notes.txt", "x.txt"]);
  });
});

Deno.test("a tracker older than FIND and OWN is asked once, then SCH and LPF are used", async () => {
  await withLink((body) => {
    if (body.verb === "FIND" || body.verb === "OWN") return { status: "ERR", code: "malformed" };
    if (body.verb === "LPF") return { status: "LIST", total: 1, offset: 0, names: ["a.txt"] };
    return undefined;
  }, async (link, requests) => {
    assert.equal(await findNames(link, "rep", "fold"), "unsupported");
    assert.equal(await findNames(link, "rep", "exact"), "unsupported");
    assert.equal(requests.filter((request) => / FIND /.test(request)).length, 1);
    assert.deepEqual(await allPublishedFiles(link), ["a.txt"]);
    assert.equal(await ownFiles(link), "unsupported");
    assert.equal(requests.filter((request) => / OWN /.test(request)).length, 0);
  });
});

Deno.test("a tracker claiming endless results one a page is asked a bounded number of pages", async () => {
  const endless = Number.MAX_SAFE_INTEGER;
  await withLink((body) => {
    if (body.verb === "FIND") {
      return {
        status: "FOUND",
        total: endless,
        offset: body.offset,
        found: [{ name: `f${body.offset}.txt`, versions: [{ holders: 1 }] }],
      };
    }
    if (body.verb === "GET") {
      return {
        status: "HOLDERS",
        total: endless,
        offset: body.offset,
        holders: [{ user: `u${body.offset}`, host: "127.0.0.1", port: 9 }],
      };
    }
    return undefined;
  }, async (link, requests) => {
    const found = await findNames(link, "f", "fold");
    assert.ok(found !== "unsupported");
    assert.equal(found.found.length, LISTING_LIMITS.maxPages);
    assert.equal(found.omitted, endless - LISTING_LIMITS.maxPages);
    // Distinct requests: a page retransmitted on a loaded machine is one page asked.
    const pagesAsked = (verb: string) =>
      new Set(requests.filter((request) => request.includes(` ${verb} `))).size;
    const finds = pagesAsked("FIND");
    assert.equal(finds, LISTING_LIMITS.maxPages);
    const located = await link.locate("f0.txt");
    assert.ok(located.kind === "holders");
    assert.ok(located.holders.length <= 256, `${located.holders.length} holders`);
    const gets = pagesAsked("GET");
    assert.ok(gets <= 64, `${gets} GET pages`);
  });
});
