import assert from "node:assert/strict";
import { collectPages, LISTING_LIMITS, type Page } from "./paging.ts";
import { fetchNames, TrackerRefusedError } from "./v2_client.ts";
import type { V2RequestBody } from "../../protocol/mod.ts";
import type { V2Answer } from "./reply_gate.ts";

/** A tracker that answers every page with `perPage` entries and claims `total`. */
function pager(total: number, perPage: number) {
  const asked: number[] = [];
  const ask = (offset: number): Promise<Page<number>> => {
    asked.push(offset);
    const count = Math.max(0, Math.min(perPage, total - offset));
    return Promise.resolve({ items: Array.from({ length: count }, (_, i) => offset + i), total });
  };
  return { ask, asked };
}

Deno.test("collectPages follows an honest tracker to the end of its list", async () => {
  const { ask, asked } = pager(23, 5);
  const { items, omitted } = await collectPages(ask, LISTING_LIMITS);
  assert.deepEqual(items, Array.from({ length: 23 }, (_, i) => i));
  assert.equal(omitted, 0);
  assert.deepEqual(asked, [0, 5, 10, 15, 20]);
});

Deno.test("collectPages stops a tracker that claims endless entries one a page", async () => {
  const { ask, asked } = pager(Number.MAX_SAFE_INTEGER, 1);
  const { items, omitted } = await collectPages(ask, { maxItems: 1_000, maxPages: 50 });
  assert.equal(asked.length, 50);
  assert.equal(items.length, 50);
  assert.equal(omitted, Number.MAX_SAFE_INTEGER - 50);
});

Deno.test("collectPages keeps at most maxItems of full pages and counts the rest", async () => {
  const { ask } = pager(1_000_000, 300);
  const { items, omitted } = await collectPages(ask, { maxItems: 1_000, maxPages: 1_000 });
  assert.equal(items.length, 1_000);
  assert.equal(items.at(-1), 999);
  assert.equal(omitted, 999_000);
});

Deno.test("collectPages ends at an empty page whatever total was claimed", async () => {
  const { ask, asked } = pager(10, 4);
  const liar = async (offset: number) => ({ ...(await ask(offset)), total: 1e9 });
  const { items, omitted } = await collectPages(liar, LISTING_LIMITS);
  assert.equal(items.length, 10);
  assert.equal(omitted, 0);
  assert.deepEqual(asked, [0, 4, 8, 10]);
});

/** A v2 client stand-in whose tracker lies: a page of one name, a total of 2^53 − 1. */
function lyingTracker() {
  let requests = 0;
  const client = {
    request(body: V2RequestBody): Promise<V2Answer> {
      requests++;
      const offset = "offset" in body ? body.offset : 0;
      return Promise.resolve(
        { status: "LIST", total: Number.MAX_SAFE_INTEGER, offset, names: [`n${offset}`] },
      );
    },
  };
  return { client, requests: () => requests };
}

Deno.test("a peer's lap against a tracker claiming endless names asks a bounded number of pages", async () => {
  const tracker = lyingTracker();
  const list = await fetchNames(tracker.client, (offset) => ({ verb: "LAP", offset }));
  assert.equal(tracker.requests(), LISTING_LIMITS.maxPages);
  assert.equal(list.names.length, LISTING_LIMITS.maxPages);
  assert.equal(list.names[1], "n1");
  assert.equal(list.omitted, Number.MAX_SAFE_INTEGER - LISTING_LIMITS.maxPages);
});

Deno.test("fetchNames turns an ERR page into a TrackerRefusedError naming the verb", async () => {
  const client = {
    request: (): Promise<V2Answer> => Promise.resolve({ status: "ERR", code: "token" }),
  };
  await assert.rejects(
    fetchNames(client, (offset) => ({ verb: "SCH", text: "x", offset })),
    (error: unknown) => error instanceof TrackerRefusedError && error.code === "token",
  );
});
