/**
 * `deno run -A bench/tracker_index_compare.ts --baseline DIR [--size 1000000] [--max-steps N]
 * [--top N]`: the `sch` requests of `tracker_index_bench.ts` (its mix, and the planted requests
 * between) asked of two indexes built in one process from the same corpus — this tree's (its cap
 * `--max-steps` when given) and the checkout at DIR's — each request of both in turn, alternating
 * which goes first; `--top N` lists each one's N slowest requests. Prints p50/p99 per index (wall clock and the
 * process's CPU time per request), the too-broad counts, and every reply that differs (a refusal
 * on one side only is listed apart: the cap's cost model may differ between the trees); and the
 * same for the planted requests alone (the requests whose replies are the same at every size).
 *
 * Both indexes live in the process, so each request's data is evicted by the other index's
 * request as well: slower than `tracker_index_bench.ts` alone, but the same for both.
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import { corpus, PLANTED, PLANTED_QUERIES, plantedBy, queries } from "./tracker_index_bench.ts";
import { fitNames } from "../lib/tracker/list_fit.ts";
import { NameIndex } from "../lib/tracker/name_index.ts";
import { SeededRandom } from "../lib/tracker/test_random.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    baseline: { type: "string" },
    size: { type: "string", default: "1000000" },
    queries: { type: "string", default: "3000" },
    top: { type: "string", default: "0" },
    "max-steps": { type: "string" },
  },
});
if (values.baseline === undefined) {
  console.error("usage: tracker_index_compare.ts --baseline DIR [--size N] [--queries N]");
  Deno.exit(2);
}
const USERS = 256;
const size = Number(values.size);
const count = Number(values.queries);
const baseUrl = new URL(`file://${Deno.realPathSync(values.baseline)}/lib/tracker/name_index.ts`);
const Baseline: typeof NameIndex = (await import(baseUrl.href)).NameIndex;

interface Side {
  readonly name: string;
  readonly index: NameIndex;
  readonly wall: number[];
  readonly cpu: number[];
  readonly slowest: [number, string][];
  /** Wall clock of the planted requests. */
  readonly planted: number[];
  tooBroad: number;
}

let data: ReturnType<typeof corpus> | undefined = corpus(size);
// As the bench: the mix and then its askers from one generator.
const random = new SeededRandom(7);
const mix = queries(random, data, count + 300);
const sides: Side[] = [
  {
    name: "this tree",
    index: new NameIndex(
      values["max-steps"] === undefined ? {} : { maxSteps: Number(values["max-steps"]) },
    ),
    wall: [],
    cpu: [],
    slowest: [],
    planted: [],
    tooBroad: 0,
  },
  {
    name: `baseline ${values.baseline}`,
    index: new Baseline(),
    wall: [],
    cpu: [],
    slowest: [],
    planted: [],
    tooBroad: 0,
  },
];
for (const side of sides) {
  for (let u = 0; u < USERS; u++) side.index.setActive(`user${u}`, true);
  for (const [user, name] of data.publications) side.index.publish(user, name);
  PLANTED.forEach((name, i) => side.index.publish(plantedBy(i), name));
}
data = undefined;

function ask(
  side: Side,
  query: string,
  asker: string,
  measured: boolean,
  planted: boolean,
): string {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const found = side.index.count(query, asker);
  let reply: string;
  if (found.kind === "exact") {
    const list = side.index.list(query, { asker });
    reply = JSON.stringify(fitNames(found.count, () => list.next()));
  } else reply = "tooBroad";
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  if (measured && planted) side.planted.push(wall);
  else if (measured) {
    side.wall.push(wall);
    side.cpu.push((cpu.user + cpu.system) / 1000);
    side.slowest.push([
      wall,
      `${JSON.stringify(query)} ${reply === "tooBroad" ? "refused" : "answered"}`,
    ]);
    if (reply === "tooBroad") side.tooBroad++;
  }
  return reply;
}

const plantedRandom = new SeededRandom(13);
let differ = 0;
const refusedOnly = [0, 0];
const refusedQueries: string[][] = [[], []];
for (let i = 0; i < mix.length; i++) {
  const requests: [string, string, boolean][] = [];
  if (i % 3 === 0) {
    const query = PLANTED_QUERIES[(i / 3) % PLANTED_QUERIES.length];
    requests.push([query, `user${plantedRandom.below(USERS)}`, true]);
  }
  requests.push([mix[i], `user${random.below(USERS)}`, false]);
  for (const [query, asker, planted] of requests) {
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    const replies: string[] = [];
    for (const k of order) replies[k] = ask(sides[k], query, asker, i >= 300, planted);
    if (replies[0] === replies[1]) continue;
    if (replies[0] === "tooBroad" || replies[1] === "tooBroad") {
      const k = replies[0] === "tooBroad" ? 0 : 1;
      refusedOnly[k]++;
      refusedQueries[k].push(query);
    } else {
      differ++;
      console.log(`differs: ${JSON.stringify(query)} for ${asker}`);
    }
  }
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const us = (ms: number) => `${(ms * 1000).toFixed(0).padStart(5)} µs`;
const us1 = (ms: number) => `${(ms * 1000).toFixed(1).padStart(5)} µs`;
console.log(`${size} names, ${count} sch requests (count + fit) asked of both indexes in turn`);
for (const [k, side] of sides.entries()) {
  console.log(
    `  ${side.name.padEnd(30)} wall p50 ${us(percentile(side.wall, 0.5))} p99 ${
      us(percentile(side.wall, 0.99))
    }  CPU p50 ${us(percentile(side.cpu, 0.5))} p99 ${
      us(percentile(side.cpu, 0.99))
    }  too broad ${side.tooBroad}, refused where the other answered ${refusedOnly[k]}`,
  );
}
console.log(`  planted requests (the same replies at every size), wall clock:`);
for (const side of sides) {
  console.log(
    `  ${side.name.padEnd(30)} p50 ${us1(percentile(side.planted, 0.5))} p99 ${
      us1(percentile(side.planted, 0.99))
    }`,
  );
}
console.log(`  replies that differ where both answered: ${differ}`);
for (const side of sides) {
  const top = side.slowest.sort((a, b) => b[0] - a[0]).slice(0, Number(values.top));
  if (top.length === 0) continue;
  console.log(`  slowest of ${side.name}:`);
  for (const [ms, what] of top) console.log(`    ${us(ms)} ${what}`);
}
for (const [k, side] of sides.entries()) {
  const distinct = [...new Set(refusedQueries[k])];
  if (distinct.length > 0) {
    console.log(`  refused by ${side.name} alone: ${distinct.slice(0, 40).join(" ")}`);
  }
}
