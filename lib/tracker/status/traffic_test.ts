import assert from "node:assert/strict";
import { encodeV2Request } from "../../protocol/mod.ts";
import { SEALED_PREFIX } from "../../protocol/sealed.ts";
import type { Credential } from "../credentials.ts";
import { DatagramRouter } from "../datagram_router.ts";
import type { Address } from "../state.ts";
import { LabelledCounters, MAX_LABELS, OTHER_LABEL, TrafficCounters } from "./traffic.ts";

const encoder = new TextEncoder();
const credentials = new Map<string, Credential>([["alice", { kind: "plain", password: "pw" }]]);
const alice: Address = { hostname: "10.0.0.1", port: 4000 };
const stranger: Address = { hostname: "10.0.0.2", port: 4000 };

Deno.test("the router counts requests by version and command, and error replies by reply", async () => {
  const router = new DatagramRouter({ credentials, now: () => 0 });
  const auth = router.handle(encoder.encode("auth alice pw"), alice);
  await auth.pending;
  router.handle(encoder.encode("pub a.txt"), alice);
  router.handle(encoder.encode("lap"), alice);
  router.handle(encoder.encode("lap"), stranger); // no session: ERR
  router.handle(encoder.encode("bogus words here"), stranger); // INVALID, answered ERR
  router.handle(encodeV2Request({ id: 1, body: { verb: "LAP", offset: 0 } }), stranger);
  const traffic = router.traffic;
  assert.equal(traffic.requests[0].of("AUTH").value, 1);
  assert.equal(traffic.requests[0].of("PUB").value, 1);
  assert.equal(traffic.requests[0].of("LAP").value, 2);
  assert.equal(traffic.requests[0].of("INVALID").value, 1);
  // A v2 request without a token from a stranger: not a request, left unanswered.
  assert.equal(traffic.requests[1].of("INVALID").value, 1);
  assert.equal(traffic.errorsOf(2, "INVALID").of("none").value, 1);
  assert.equal(traffic.errorsOf(1, "LAP").of("ERR").value, 1);
  assert.equal(traffic.errorsOf(1, "INVALID").of("ERR").value, 1);
  assert.equal(traffic.errorsOf(1, "AUTH").of("ERR").value, 0, "a good login is no error");
  assert.equal(traffic.datagrams, 6);
  assert.equal(traffic.replies, 5);
  assert.ok(traffic.bytesReplied > 0);
  assert.equal(traffic.requestTotal, 6);
});

Deno.test("a refused login answered after the password check is counted as an error when it settles", async () => {
  const router = new DatagramRouter({ credentials, now: () => 0 });
  const outcome = router.handle(encoder.encode("auth alice wrong"), alice);
  await outcome.pending;
  assert.equal(router.traffic.requests[0].of("AUTH").value, 1);
  assert.equal(router.traffic.errorsOf(1, "AUTH").of("ERR").value, 1);
});

Deno.test("the router counts each guard's drops: host flood, source flood, forged sealed", () => {
  let clock = 0;
  const router = new DatagramRouter({
    credentials,
    now: () => clock,
    rate: { perSecond: 10, burst: 10 },
    hostRate: { perSecond: 15, burst: 15 },
  });
  const lap = encoder.encode("lap");
  for (let i = 0; i < 12; i++) router.handle(lap, stranger); // 10 pass the source limit
  for (let i = 0; i < 10; i++) router.handle(lap, { ...stranger, port: 5000 }); // host: 3 pass
  clock += 10_000;
  // The sealed prefix, then bytes no session key opens.
  const forged = new Uint8Array(80).fill(0x41);
  forged.set(encoder.encode(SEALED_PREFIX));
  router.handle(forged, alice);
  const drops = router.traffic.drops;
  assert.equal(drops.sourceRate, 2);
  assert.equal(drops.hostRate, 7);
  assert.equal(drops.forgedSealed, 1);
  assert.equal(router.traffic.datagrams, 23);
  assert.equal(drops.forgedSealed, router.counters.forged);
});

Deno.test("labels are bounded: past the cap, new ones are counted under other", () => {
  const counters = new LabelledCounters();
  for (let i = 0; i < MAX_LABELS + 10; i++) counters.of(`C${i}`).value++;
  const labels = [...counters.entries()].map(([label]) => label);
  assert.equal(labels.length, MAX_LABELS);
  assert.ok(labels.includes(OTHER_LABEL));
  assert.equal(counters.of(OTHER_LABEL).value, 11);
  assert.equal(counters.of("C0").value, 1, "labels seen before the cap keep their own count");
});

Deno.test("a table cap reported by a handler is counted by its kind", () => {
  const traffic = new TrafficCounters();
  traffic.handled(2, { command: "PUB", summary: "ERR limit", limit: "publications" });
  assert.equal(traffic.limits.publications, 1);
  assert.equal(traffic.errorsOf(2, "PUB").of("ERR limit").value, 1);
});
