import assert from "node:assert/strict";
import {
  decodeV2Reply,
  encodeV2Reply,
  encodeV2Request,
  type Holder,
  MAX_DATAGRAM_BYTES,
  MAX_SEALED_PLAINTEXT_BYTES,
  type V2ReplyBody,
  type V2RequestBody,
} from "../protocol/mod.ts";
import { Authenticator } from "./authenticator.ts";
import { LoginGuard } from "./guard.ts";
import { TrackerState } from "./state.ts";
import { V2Handler } from "./v2_handler.ts";
import { holdersPage, listPage } from "./v2_pages.ts";

Deno.test("list and holder pages fit the byte budget they are given, at the widest id", () => {
  const names = Array.from({ length: 400 }, (_, i) => `n${i}-${"x".repeat(20 + (i % 37))}`);
  const holders: Holder[] = Array.from({ length: 8 }, (_, i) => ({
    user: `u${i}${"y".repeat(60)}`,
    host: "1234:5678:9abc:def0:1234:5678:9abc:def0",
    port: 65535,
    size: 2 ** 53 - 1,
    sha256: "ab".repeat(32),
    claimed: { host: "1234:5678:9abc:def0:1234:5678:9abc:def1", port: 65535 },
    tls: { port: 65535, fingerprint: "cd".repeat(32) },
  }));
  for (const budget of [MAX_SEALED_PLAINTEXT_BYTES, MAX_DATAGRAM_BYTES]) {
    for (const body of [listPage(names, 3, budget), holdersPage(holders, 0, budget)]) {
      const size = encodeV2Reply({ id: 4294967295, body }).length;
      assert.ok(size <= budget, `${size} > ${budget}`);
    }
  }
  const sealed = listPage(names, 0, MAX_SEALED_PLAINTEXT_BYTES);
  const clear = listPage(names, 0, MAX_DATAGRAM_BYTES);
  assert.ok(sealed.status === "LIST" && clear.status === "LIST");
  assert.ok(sealed.names.length < clear.names.length);
});

/** A v2 handler with `alice` logged in (a session opened directly) and `bob` publishing. */
function pagingSetup(maxSearchSteps?: number) {
  const clock = { now: 0 };
  const state = new TrackerState({ now: () => clock.now, maxSearchSteps });
  const handler = new V2Handler({
    state,
    authenticator: new Authenticator({ credentials: new Map() }),
    guard: new LoginGuard({ now: () => clock.now }),
    now: () => clock.now,
    acceptUnsealed: true,
  });
  const from = { hostname: "127.0.0.1", port: 5000 };
  const token = "ab".repeat(16);
  assert.ok(state.openSession(from, "alice", { version: 2, token, timeoutMs: 15_000 }).ok);
  assert.ok(state.openSession({ hostname: "127.0.0.1", port: 5001 }, "bob", { version: 1 }).ok);
  let id = 0;
  const ask = (body: V2RequestBody): V2ReplyBody => {
    const outcome = handler.handle(encodeV2Request({ id: ++id, token, body }), from);
    const decoded = decodeV2Reply(outcome.reply ?? new Uint8Array());
    assert.ok(decoded.ok, "a decodable reply");
    return decoded.reply.body;
  };
  return { clock, state, ask };
}

Deno.test("v2 SCH pages continue from the last name while names change: in order, none twice, the same total", () => {
  const { state, ask } = pagingSetup();
  const name = (i: number) => `song-${String(i).padStart(4, "0")}-${"x".repeat(i % 40)}.ogg`;
  for (let i = 0; i < 800; i += 2) assert.ok(state.publish("bob", name(i)));
  const kept = new Set<string>(); // names that match from the first page to the last
  for (let i = 0; i < 800; i += 2) if (i % 6 !== 0) kept.add(name(i));
  const seen: string[] = [];
  let total: number | undefined;
  let pages = 0;
  for (;;) {
    const page = ask({ verb: "SCH", text: "song", offset: seen.length });
    assert.ok(page.status === "LIST");
    total ??= page.total;
    assert.equal(page.total, total, "every page tells the total of the first");
    assert.equal(page.offset, seen.length);
    assert.ok(encodeV2Reply({ id: 4294967295, body: page }).length <= MAX_DATAGRAM_BYTES);
    seen.push(...page.names);
    pages++;
    if (page.names.length === 0 || seen.length >= page.total) break;
    // Between pages: names come and go, before and after the cursor.
    const p = pages * 60;
    for (let i = p; i < p + 30; i += 6) state.unpublish("bob", name(i));
    for (let i = 1 + p; i < p + 30; i += 4) state.publish("bob", name(i));
  }
  assert.ok(pages >= 4, `${pages} pages`);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1] < seen[i], "in order, none twice");
  const listed = new Set(seen);
  for (const name of kept) {
    if (seen.length > 0 && name < seen[seen.length - 1]) {
      assert.ok(listed.has(name), `${name} stayed published and was not listed`);
    }
  }
});

Deno.test("a search too broad to count gets ERR broad over v2; a narrower one is listed", () => {
  const { state, ask } = pagingSetup(50);
  for (let i = 0; i < 400; i++) state.publish("bob", `clip-${i}-${i % 7}.mkv`);
  const broad = ask({ verb: "SCH", text: "clip-", offset: 0 });
  assert.deepEqual(broad, { status: "ERR", code: "broad" });
  const narrow = ask({ verb: "SCH", text: "p-17-", offset: 0 });
  assert.ok(narrow.status === "LIST" && narrow.total === 1 && narrow.names[0] === "clip-17-3.mkv");
});
