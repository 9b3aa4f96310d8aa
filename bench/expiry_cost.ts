/**
 * `deno run -A bench/expiry_cost.ts`: what keeping sessions alive costs the tracker's state at 1k
 * and at 100k sessions (issue 11) with a clock that moves, which `bench/flatness.ts` (a fixed
 * clock) does not see: every session heartbeats once a second of a simulated clock, in turn, and
 * each heartbeat is a `touch` plus the sweep every datagram runs (`expire`). CPU µs per heartbeat,
 * 8 simulated seconds (at least 800,000 heartbeats) a measure; no session may expire.
 *
 *   deno run -A bench/expiry_cost.ts [--rounds 3] [--baseline DIR]
 *
 * `--baseline DIR` measures another checkout (its `lib/`) in the same rounds.
 */

import { parseArgs } from "node:util";
import { cpuUsage } from "node:process";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "3" },
    baseline: { type: "string" },
  },
});
const SIZES = [1_000, 100_000];

interface Touchable {
  touch(session: unknown): void;
  expire(): unknown[];
  openSession(
    address: { hostname: string; port: number },
    user: string,
    options: { version: 1 },
  ): { ok: boolean; session?: unknown };
}

async function measure(root: string, sessions: number): Promise<{ us: number; expired: number }> {
  const { TrackerState } = await import(`${root}/lib/tracker/state.ts`);
  let now = 0;
  const state: Touchable = new TrackerState({ now: () => now, maxSessions: sessions });
  const opened: unknown[] = [];
  for (let i = 0; i < sessions; i++) {
    const address = { hostname: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, port: 6000 };
    opened.push(state.openSession(address, `user-${i}`, { version: 1 }).session);
    now += 1000 / sessions;
  }
  const heartbeats = 8 * Math.max(sessions, 100_000);
  let expired = 0;
  const usage = cpuUsage();
  for (let k = 0; k < heartbeats; k++) {
    now += 1000 / sessions;
    state.touch(opened[k % sessions]);
    expired += state.expire().length;
  }
  const spent = cpuUsage(usage);
  return { us: (spent.user + spent.system) / heartbeats, expired };
}

const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const roots: [string, string][] = [["this", here]];
if (values.baseline !== undefined) roots.push(["baseline", values.baseline.replace(/\/$/, "")]);
console.log(
  `expiry cost: touch + sweep per heartbeat, ${SIZES.join(" vs ")} sessions; load average ${
    Deno.loadavg().map((l) => l.toFixed(1)).join(" ")
  }`,
);
const samples = new Map<string, number[]>();
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [label, root] of round % 2 === 0 ? roots : [...roots].reverse()) {
    for (const size of SIZES) {
      const { us, expired } = await measure(root, size);
      if (expired > 0) console.log(`  ${label}: ${expired} sessions expired while beating`);
      samples.set(`${label}|${size}`, [...(samples.get(`${label}|${size}`) ?? []), us]);
    }
  }
}
// The first round warms the JIT up.
const median = (xs: number[]) => {
  const kept = xs.length > 2 ? xs.slice(1) : xs;
  return [...kept].sort((a, b) => a - b)[kept.length >> 1];
};
for (const [label] of roots) {
  const [small, large] = SIZES.map((size) => median(samples.get(`${label}|${size}`)!));
  console.log(
    `  ${label.padEnd(8)} ${small.toFixed(3)} µs at ${SIZES[0]}, ${large.toFixed(3)} µs at ` +
      `${SIZES[1]}: ratio ${(large / small).toFixed(2)}`,
  );
}
