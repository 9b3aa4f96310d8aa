/**
 * `deno run -A bench/fuzz_soak.ts [seconds]`: the suite's fuzz test, run for much longer: random
 * and mutated datagrams through the tracker's datagram router, checking that nothing throws, no stranger gets
 * more bytes than it sent, and the tables stay bounded. Prints the rate and the heap at the end.
 */

import { DatagramRouter } from "../lib/tracker/datagram_router.ts";
import { fuzzCases } from "../tests/support/fuzz.ts";

const seconds = Number(Deno.args[0] ?? "30");
const seed = Number(Deno.args[1] ?? Date.now() % 1e9);
let clock = 0;
const router = new DatagramRouter({
  credentials: new Map([["alice", { kind: "plain", password: "alice-pw" }]]),
  now: () => clock,
  rate: { perSecond: 1e9, burst: 1e9 },
});
const deadline = performance.now() + seconds * 1000;
let count = 0;
let worst = 0;
for (const { datagram, from, delayMs } of fuzzCases(seed)) {
  if ((++count & 1023) === 0 && performance.now() > deadline) break;
  clock += delayMs;
  const stranger = router.state.sessionAt(from) === undefined;
  const outcome = router.handle(datagram, from);
  if (stranger && outcome.reply) {
    worst = Math.max(worst, outcome.reply.length / Math.max(1, datagram.length));
    if (outcome.reply.length > datagram.length) throw new Error(`amplification, seed ${seed}`);
  }
}
const heapMiB = Deno.memoryUsage().heapUsed / 2 ** 20;
console.log(
  `fuzz soak (seed ${seed}): ${count} datagrams in ${seconds} s ` +
    `(${(count / seconds).toFixed(0)}/s), no exception, worst stranger reply/request ` +
    `${worst.toFixed(3)}, ${router.state.sessionCount} sessions, heap ${heapMiB.toFixed(1)} MiB`,
);
