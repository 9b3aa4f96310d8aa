import assert from "node:assert/strict";
import { DatagramRouter } from "../lib/tracker/datagram_router.ts";
import type { Credential } from "../lib/tracker/credentials.ts";
import { fuzzCases } from "./support/fuzz.ts";

// In process, like the unit tests beside the router, but here because it needs the seeded fuzz
// generator that bench/fuzz_soak.ts runs for longer.

const credentials = new Map<string, Credential>(
  ["alice", "bob"].map((user) => [user, { kind: "plain", password: `${user}-pw` }]),
);

Deno.test("thousands of random and mutated datagrams never throw, never amplify, keep tables bounded", () => {
  let clock = 0;
  const router = new DatagramRouter({
    credentials,
    now: () => clock,
    rate: { perSecond: 1e9, burst: 1e9 },
  });
  let worstStrangerRatio = 0;
  let count = 0;
  for (const { datagram, from, delayMs } of fuzzCases(20261124)) {
    if (++count > 20_000) break;
    clock += delayMs;
    const hadSession = router.state.sessionAt(from) !== undefined;
    const outcome = router.handle(datagram, from);
    if (!hadSession && outcome.reply) {
      const ratio = outcome.reply.length / Math.max(1, datagram.length);
      worstStrangerRatio = Math.max(worstStrangerRatio, ratio);
      assert.ok(
        outcome.reply.length <= datagram.length,
        `stranger got ${outcome.reply.length} bytes for ${datagram.length}`,
      );
    }
    if (outcome.reply) assert.ok(outcome.reply.length <= 1200);
  }
  assert.ok(worstStrangerRatio <= 1, `worst ratio ${worstStrangerRatio}`);
  assert.ok(router.state.sessionCount <= credentials.size);
});
