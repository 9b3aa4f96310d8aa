import assert from "node:assert/strict";
import type { V2RequestBody } from "../protocol/mod.ts";
import { v2InClear } from "./test_v2_in_clear.ts";
import type { Credential } from "./credentials.ts";
import type { Address } from "./state.ts";

const credentials = new Map<string, Credential>(
  ["alice", "bob"].map((user) => [user, { kind: "plain", password: `${user}-pw` }]),
);

Deno.test("a retransmitted v2 request gets the very bytes of its first reply, a bare OK too, and is applied once", () => {
  // The cache is the subject, not sealing: requests go in clear.
  const alice: Address = { hostname: "10.0.0.4", port: 4000 };
  const { router, tick, send } = v2InClear(credentials, "alice", alice, "cd".repeat(16));
  router.state.openSession({ hostname: "10.0.0.5", port: 4000 }, "bob", { version: 1 });
  const bodies: V2RequestBody[] = [
    { verb: "HBT" },
    { verb: "PUB", file: "a.txt", size: 1, sha256: "a".repeat(64) },
    { verb: "LAP", offset: 0 },
    { verb: "UNP", file: "a.txt" },
  ];
  const first = bodies.map((body, i) => send(i + 1, body));
  tick(1);
  bodies.forEach((body, i) => {
    const again = send(i + 1, body);
    assert.equal(again.note, "retransmission", body.verb);
    assert.deepEqual(again.reply, first[i].reply, `${body.verb}: the same bytes`);
    assert.equal(again.summary, first[i].summary);
  });
  assert.equal(first[1].summary, "OK");
  assert.equal(first[3].summary, "OK");
  assert.deepEqual(router.state.publishedBy("alice"), [], "the PUB and UNP applied once each");
});

Deno.test("the reply cache keeps a v2 session's last 64 replies: an older id is stale, not applied again", () => {
  const alice: Address = { hostname: "10.0.0.4", port: 4000 };
  const { router, tick, send } = v2InClear(credentials, "alice", alice, "ef".repeat(16));
  const unp = { verb: "UNP", file: "a.txt" } as const;
  send(1, { verb: "PUB", file: "a.txt", size: 1, sha256: "a".repeat(64) });
  send(2, unp);
  const third = send(3, { verb: "HBT" });
  for (let id = 4; id <= 66; id++) send(id, { verb: "HBT" });
  tick(1);
  const again = send(3, { verb: "HBT" });
  assert.equal(again.note, "retransmission", "the 64th newest id is still kept");
  assert.deepEqual(again.reply, third.reply);
  for (
    const [id, body] of [[1, { verb: "PUB", file: "a.txt", size: 1, sha256: "a".repeat(64) }], [
      2,
      unp,
    ]] as const
  ) {
    const stale = send(id, body);
    assert.equal(stale.note, "stale id", `id ${id}`);
    assert.equal(stale.summary, "ERR stale");
  }
  assert.deepEqual(router.state.publishedBy("alice"), [], "the stale PUB was not applied again");
});
