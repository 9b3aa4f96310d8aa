/**
 * `deno run -A bench/asker_join_cost.ts [--size 1000000] [--askers 40]`: what joining an asker's
 * own keys costs a search (issue 11). Builds one index over `tracker_index_bench.ts`'s corpus
 * (256 users, ~3,900 names each at a million names), then for short queries, whose counters
 * include the asker's sole holdings so that every count takes the asker's share out, times with
 * cold caches (48 MiB written before each timed call): the count when the asker's keys are not
 * joined yet (the join and the counter), the reply's listing, and the same count again once they
 * are (the baseline: scanning joined keys).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { corpus } from "./tracker_index_bench.ts";
import { fitNames } from "../lib/tracker/list_fit.ts";
import { NameIndex } from "../lib/tracker/name_index.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    size: { type: "string", default: "1000000" },
    askers: { type: "string", default: "40" },
  },
});
const USERS = 256;
const askers = Math.min(USERS, Number(values.askers));
const index = new NameIndex();
for (let u = 0; u < USERS; u++) index.setActive(`user${u}`, true);
for (const [user, name] of corpus(Number(values.size)).publications) index.publish(user, name);

const flush = new Uint8Array(48 << 20);
const quantile = (times: number[], p: number) =>
  [...times].sort((a, b) => a - b)[Math.floor(p * (times.length - 1))].toFixed(2);
const timed = (fill: number, work: () => void) => {
  flush.fill(fill);
  const start = performance.now();
  work();
  return performance.now() - start;
};

// Each query is asked by askers that asked nothing before (distinct users per query).
let next = 0;
for (const query of ["u", "h", "d"]) {
  const joining: number[] = [];
  const listing: number[] = [];
  const joined: number[] = [];
  for (let n = 0; n < askers && next < USERS; n++) {
    const asker = `user${next++}`;
    let count = 0;
    joining.push(timed(n, () => {
      const found = index.count(query, asker);
      count = found.kind === "exact" ? found.count : 0;
    }));
    const list = index.list(query, { asker });
    listing.push(timed(n + 1, () => fitNames(count, () => list.next())));
    joined.push(timed(n + 2, () => index.count(query, asker)));
  }
  console.log(
    `${query}: count, keys not joined p50 ${quantile(joining, 0.5)} max ${
      quantile(joining, 1)
    } ms; keys joined p50 ${quantile(joined, 0.5)} max ${quantile(joined, 1)} ms; ` +
      `listing p50 ${quantile(listing, 0.5)} max ${
        quantile(listing, 1)
      } ms (${joining.length} askers)`,
  );
}
