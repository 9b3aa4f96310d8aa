/**
 * `deno run -A bench/tracker_index_bench.ts`: what a `sch`, `lap` and `lpf` reply costs with the
 * tracker's indexes (`lib/tracker/name_index.ts`, `sorted_view.ts`, `list_fit.ts`) at growing
 * table sizes, beside the whole-table way (scan or sort, then cut) measured in the same run.
 *
 * - `sch` at 10k, 100k and 1M names from 256 active users: the v1 reply (exact count, then the
 *   names that fit in 1024 bytes) for a mix of queries, p50/p99/max, how many were too broad to
 *   count within the step cap, and the ratio between sizes (flat is ~1×);
 * - memory per name (RSS and heap, each size in its own process);
 * - a user logging in and out with its ~4k publications (the counters it moves);
 * - `lap` at 1k and 100k active users, v1 and a v2 page at a random offset;
 * - the folded index v2 `FIND` reads beside the exact one (issue 13): its memory, build time and
 *   a folded count + page for the same mix, half of it upper-cased.
 *
 * With `--views tracker`, `sch` is timed on the exact view of the tracker's three shared views
 * (`publications.ts`, `index_core.ts`), as the tracker keeps it; by default on an exact index of
 * its own.
 *
 * Flatness (issue 11: "the same request costs the same at 10k and 1M names") is read two ways:
 * the random mix above, whose replies differ between sizes (a query matches ~100× more names at
 * 1M), and **the same requests with the same replies**: 64 planted names (trigrams no generated
 * name has) published by the same 4 users at every size, asked for by the same askers between
 * the mix's queries; their replies are checked equal across sizes and their p50/p99 compared.
 *
 *   deno run -A bench/tracker_index_bench.ts [--queries 3000] [--sizes 10000,100000,1000000]
 *     [--views own|tracker] [--parts sch,folded,lap]
 */

import { parseArgs } from "node:util";
import { fitNameList, hasSpace, utf8Length } from "../lib/protocol/mod.ts";
import { fillPage, fitNames } from "../lib/tracker/list_fit.ts";
import { NameIndex, sharedIndexes } from "../lib/tracker/name_index.ts";
import { foldCaseNfc } from "../lib/tracker/grams.ts";
import { byCodeUnit, SortedView, without } from "../lib/tracker/sorted_view.ts";
import { SeededRandom } from "../lib/tracker/test_random.ts";

const { values } = parseArgs({
  // Imported (bench/tracker_memory.ts uses its corpus), the flags are the importer's.
  args: import.meta.main ? Deno.args : [],
  options: {
    child: { type: "string" },
    size: { type: "string" },
    queries: { type: "string", default: "3000" },
    sizes: { type: "string", default: "10000,100000,1000000" },
    users: { type: "string", default: "1000,100000" },
    views: { type: "string", default: "own" },
    parts: { type: "string", default: "sch,folded,lap" },
  },
});

const USERS = 256;
const QUERIES = Number(values.queries);
const PAGE_HEADER_BYTES = utf8Length("PS2 4294967295 HOLDERS 9007199254740991 9007199254740991");

// ---------------------------------------------------------------- names like a share's files

const SYLLABLES = [
  "ka",
  "lo",
  "mi",
  "ra",
  "te",
  "su",
  "no",
  "vi",
  "pe",
  "da",
  "an",
  "or",
  "el",
  "is",
  "un",
  "bra",
  "cho",
  "fen",
  "gri",
  "hol",
  "jas",
  "kel",
  "mor",
  "nix",
  "pol",
  "qua",
  "ros",
  "sel",
  "tor",
  "ul",
  "ven",
  "wyn",
  "xer",
  "yam",
  "zed",
  "ph",
  "th",
  "st",
  "on",
  "er",
];
const UNICODE_WORDS = ["résumé", "über", "日本語", "данные", "café", "naïve", "Ελλάδα", "😀emoji"];
const EXTENSIONS = ["jpg", "png", "pdf", "mp3", "flac", "mkv", "mp4", "zip", "txt", "docx", "iso"];

export function vocabulary(random: SeededRandom, size: number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    let word = "";
    for (let i = 0, n = 2 + random.below(2); i < n; i++) word += random.pick(SYLLABLES);
    words.add(word);
  }
  return [...words];
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
/** A flat string, as the tracker gets a name from a datagram (not a rope of concatenations). */
export const flat = (text: string) => decoder.decode(encoder.encode(text));

export function fileName(random: SeededRandom, words: readonly string[]): string {
  const w = () => random.pick(words);
  const digits = (n: number) => String(random.below(10 ** n)).padStart(n, "0");
  switch (random.below(6)) {
    case 0:
      return `${w()}_${w()}-${digits(4)}.${random.pick(EXTENSIONS)}`;
    case 1:
      return `IMG_20${digits(2)}${digits(2)}${digits(2)}_${digits(6)}.jpg`;
    case 2:
      return `${w()}.${w()}.S0${1 + random.below(9)}E${digits(2)}.1080p.x265.mkv`;
    case 3:
      return `${w()}-${w()}-v${random.below(10)}.${random.below(20)}.${digits(2)}.tar.gz`;
    case 4:
      return `${w()}_${random.pick(UNICODE_WORDS)}_${digits(3)}.pdf`;
    default:
      return `${w()}${w()}_${digits(5)}.${random.pick(EXTENSIONS)}`;
  }
}

export interface Corpus {
  readonly publications: [string, string][];
  readonly names: string[];
  readonly words: string[];
}

/** `size` distinct names from 256 users; one in twenty is also published by a second user. */
export function corpus(size: number, seed = 42): Corpus {
  const random = new SeededRandom(seed);
  const words = vocabulary(random, 3000);
  const seen = new Set<string>();
  const names: string[] = [];
  const publications: [string, string][] = [];
  while (names.length < size) {
    let name = fileName(random, words);
    if (seen.has(name)) name = `${name}.${names.length}`;
    name = flat(name);
    seen.add(name);
    names.push(name);
    const user = `user${random.below(USERS)}`;
    publications.push([user, name]);
    if (random.below(20) === 0) publications.push([`user${random.below(USERS)}`, name]);
  }
  return { publications, names, words };
}

/**
 * Names planted at every size, with trigrams ("vqw", "qwz") that no generated name has (no
 * syllable ends in "v"), so a query for them has the same reply at every size.
 */
export const PLANTED = Array.from(
  { length: 64 },
  (_, i) => flat(`vqwz${"abcd"[i % 4]}-plant-${String(i).padStart(2, "0")}.dat`),
);
/** Who publishes each planted name: 4 of the 256 users, the same at every size. */
export const plantedBy = (i: number) => `user${(i * 37) % USERS % 4}`;
/** Requests whose replies are the same at every size: all planted names, a quarter, one. */
export const PLANTED_QUERIES = [
  "vqwz",
  "vqwzb-",
  "qwzc-plant",
  "vqw",
  "wzd-plant-1",
  "plant-07",
  "vqwza-plant-12.dat",
].map(flat);

export function queries(random: SeededRandom, corpus: Corpus, count: number): string[] {
  const list: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = random.pick(corpus.names);
    const roll = random.below(20);
    let query: string;
    if (roll < 12) {
      const length = 3 + random.below(8);
      const start = random.below(Math.max(1, name.length - length));
      query = name.slice(start, start + length);
    } else if (roll < 14) query = random.pick(corpus.words);
    else if (roll < 16) query = name.slice(0, 1 + random.below(2)); // 1–2 units
    else if (roll < 18) query = random.pick([".jpg", "1080p", "IMG_20", ".pdf", "S05E", "x265"]);
    else query = random.text(["q", "x", "z", "w", "j"], 5); // most likely absent
    list.push(flat(query));
  }
  return list;
}

// ---------------------------------------------------------------- figures

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function timings(samples: number[]): { p50: number; p99: number; max: number } {
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), max: samples.at(-1)! };
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

// ---------------------------------------------------------------- children

function schChild(size: number): Record<string, unknown> {
  gc();
  const rss0 = Deno.memoryUsage().rss;
  const heap0 = Deno.memoryUsage().heapUsed;
  let data: Corpus | undefined = corpus(size);
  const heapNames = Deno.memoryUsage().heapUsed - heap0;
  const random = new SeededRandom(7);
  const mix = queries(random, data, QUERIES + 300);
  const index = values.views === "tracker"
    ? sharedIndexes([{ accepts: (name) => !hasSpace(name) }, { accepts: hasSpace }, {
      fold: foldCaseNfc,
    }])[0]
    : new NameIndex();
  for (let u = 0; u < USERS; u++) index.setActive(`user${u}`, true);
  const built = performance.now();
  for (const [user, name] of data.publications) index.publish(user, name);
  const buildMs = performance.now() - built;
  PLANTED.forEach((name, i) => index.publish(plantedBy(i), name));
  // The planted requests' askers: the same sequence at every size.
  const plantedRandom = new SeededRandom(13);
  const publications = data.publications;
  data = undefined;
  gc();
  const rss = Deno.memoryUsage().rss;
  const heap = Deno.memoryUsage().heapUsed;
  const external = Deno.memoryUsage().external;

  const samples: number[] = [];
  const pageSamples: number[] = [];
  const byLength = new Map<string, number[]>();
  let tooBroad = 0;
  let listed = 0;
  const plantedSamples: number[] = [];
  const plantedReplies: string[] = [];
  for (let i = 0; i < mix.length; i++) {
    if (i % 3 === 0) {
      // A request whose reply is the same at every size, between the mix's.
      const query = PLANTED_QUERIES[(i / 3) % PLANTED_QUERIES.length];
      const asker = `user${plantedRandom.below(USERS)}`;
      const start = performance.now();
      const count = index.count(query, asker);
      const found = index.list(query, { asker });
      const reply = count.kind === "exact" ? fitNames(count.count, () => found.next()) : count;
      const took = performance.now() - start;
      if (i >= 300) {
        plantedSamples.push(took);
        if (plantedReplies.length < 2 * PLANTED_QUERIES.length) {
          plantedReplies.push(JSON.stringify(reply));
        }
      }
    }
    const asker = `user${random.below(USERS)}`;
    const start = performance.now();
    const count = index.count(mix[i], asker);
    if (count.kind === "exact") {
      const found = index.list(mix[i], { asker });
      listed += fitNames(count.count, () => found.next()).names.length;
    } else tooBroad += i >= 300 ? 1 : 0;
    const middle = performance.now();
    // A v2 second page: from a cursor, with the total the first page counted.
    const page = index.list(mix[i], { asker, after: mix[i] });
    fillPage(() => page.next(), PAGE_HEADER_BYTES);
    const end = performance.now();
    if (i >= 300) {
      const kind = mix[i].length < 3 ? "1-2" : mix[i].length === 3 ? "3" : "4+";
      byLength.set(kind, [...(byLength.get(kind) ?? []), middle - start]);
      samples.push(middle - start);
      pageSamples.push(end - middle);
    }
  }
  const naive = size <= 100_000 ? naiveSearch(publications) : undefined;
  const naiveTimes = naive ? naive(mix.slice(300, 800), random) : undefined;

  // A user with its ~4k publications logging out and back in.
  const toggles: number[] = [];
  for (let i = 0; i < 20; i++) {
    const user = `user${random.below(USERS)}`;
    const start = performance.now();
    index.setActive(user, false);
    index.setActive(user, true);
    toggles.push((performance.now() - start) / 2);
  }
  const stats = index.stats();
  return {
    size,
    buildMs,
    rssMiB: rss / 2 ** 20,
    bytesPerNameRss: (rss - rss0) / size,
    bytesPerNameHeap: (heap - heap0) / size,
    bytesPerNameOfNames: heapNames / size,
    ...stats,
    sch: timings(samples),
    planted: timings(plantedSamples),
    plantedReplies,
    byLength: Object.fromEntries([...byLength].map(([kind, times]) => [kind, timings(times)])),
    bytesPerNameExternal: external / size,
    page2: timings(pageSamples),
    tooBroad,
    queries: samples.length,
    namesListed: listed,
    naive: naiveTimes ? timings(naiveTimes) : undefined,
    toggle: timings(toggles),
  };
}

/** The exact index, then the folded one beside it (as the tracker keeps both). */
function foldedChild(size: number): Record<string, unknown> {
  gc();
  let data: Corpus | undefined = corpus(size);
  const random = new SeededRandom(11);
  const mix = queries(random, data, QUERIES + 300).map((query, i) =>
    i % 2 === 0 ? query.toUpperCase() : query
  );
  const exact = new NameIndex();
  const folded = new NameIndex({ fold: foldCaseNfc });
  for (let u = 0; u < USERS; u++) {
    exact.setActive(`user${u}`, true);
    folded.setActive(`user${u}`, true);
  }
  for (const [user, name] of data.publications) exact.publish(user, name);
  const publications = data.publications;
  data = undefined;
  gc();
  // RSS alone understates the second index: it reuses pages the freed corpus left behind. The
  // heap and the typed arrays outside it are counted too.
  const inUse = () => Deno.memoryUsage().heapUsed + Deno.memoryUsage().external;
  const rssExact = Deno.memoryUsage().rss;
  const usedExact = inUse();
  const built = performance.now();
  for (const [user, name] of publications) folded.publish(user, name);
  const buildMs = performance.now() - built;
  gc();
  const rssBoth = Deno.memoryUsage().rss;
  const usedBoth = inUse();
  const samples: number[] = [];
  let tooBroad = 0;
  for (let i = 0; i < mix.length; i++) {
    const asker = `user${random.below(USERS)}`;
    const start = performance.now();
    const count = folded.count(mix[i], asker);
    if (count.kind === "exact") {
      const found = folded.list(mix[i], { asker });
      fillPage(() => found.next(), PAGE_HEADER_BYTES);
    } else if (i >= 300) tooBroad++;
    if (i >= 300) samples.push(performance.now() - start);
  }
  return {
    size,
    buildMs,
    rssExactMiB: rssExact / 2 ** 20,
    rssBothMiB: rssBoth / 2 ** 20,
    addedBytesPerName: (rssBoth - rssExact) / size,
    usedExactMiB: usedExact / 2 ** 20,
    usedBothMiB: usedBoth / 2 ** 20,
    postingsExact: exact.stats().postingEntries,
    postingsFolded: folded.stats().postingEntries,
    find: timings(samples),
    tooBroad,
    queries: samples.length,
  };
}

/** The whole-table way: scan every name, sort the matches, cut to 1024 bytes. */
function naiveSearch(publications: readonly [string, string][]) {
  const holders = new Map<string, Set<string>>();
  for (const [user, name] of publications) {
    let set = holders.get(name);
    if (set === undefined) holders.set(name, set = new Set());
    set.add(user);
  }
  return (mix: string[], random: SeededRandom) =>
    mix.map((query) => {
      const asker = `user${random.below(USERS)}`;
      const start = performance.now();
      const found: string[] = [];
      for (const [name, users] of holders) {
        if (name.includes(query) && (users.size > 1 || !users.has(asker))) found.push(name);
      }
      fitNameList(found.sort(byCodeUnit));
      return performance.now() - start;
    });
}

function lapChild(users: number): Record<string, unknown> {
  const random = new SeededRandom(9);
  const names = Array.from({ length: users }, () => flat(`peer-${random.below(10 ** 9)}`));
  const view = new SortedView(byCodeUnit);
  const sessions = new Map<string, true>();
  for (const name of names) {
    view.add(name);
    sessions.set(name, true);
  }
  const v1: number[] = [];
  const v2: number[] = [];
  const churn: number[] = [];
  const old: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const asker = random.pick(names);
    let start = performance.now();
    const list = without(view, asker);
    fitNames(list.total, list.next);
    v1.push(performance.now() - start);
    start = performance.now();
    const page = without(view, asker, random.below(view.size));
    fillPage(page.next, PAGE_HEADER_BYTES);
    v2.push(performance.now() - start);
    // A session ending and another starting: what keeping the view costs.
    const gone = random.pick(names);
    start = performance.now();
    view.delete(gone);
    view.add(gone);
    churn.push((performance.now() - start) / 2);
    if (i < 300) {
      start = performance.now();
      const others: string[] = [];
      for (const user of sessions.keys()) if (user !== asker) others.push(user);
      fitNameList(others.sort(byCodeUnit));
      old.push(performance.now() - start);
    }
  }
  return {
    users,
    v1: timings(v1.slice(300)),
    v2Page: timings(v2.slice(300)),
    churn: timings(churn.slice(300)),
    wholeTable: timings(old.slice(30)),
  };
}

// ---------------------------------------------------------------- parent

async function child(kind: string, size: number): Promise<Record<string, unknown>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc,--max-old-space-size=4096",
      new URL(import.meta.url).pathname,
      "--child",
      kind,
      "--size",
      String(size),
      "--queries",
      String(QUERIES),
      "--views",
      values.views,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`${kind} ${size} failed`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

const us = (ms: number) => `${(ms * 1000).toFixed(0).padStart(6)} µs`;
type Timings = { p50: number; p99: number; max: number };
const line = (t: Timings) => `p50 ${us(t.p50)}  p99 ${us(t.p99)}  max ${us(t.max)}`;

if (!import.meta.main) {
  // Imported for its corpus (a profiling script): run nothing.
} else if (values.child === "sch") {
  console.log(JSON.stringify(schChild(Number(values.size))));
} else if (values.child === "folded") {
  console.log(JSON.stringify(foldedChild(Number(values.size))));
} else if (values.child === "lap") {
  console.log(JSON.stringify(lapChild(Number(values.size))));
} else {
  const sizes = values.sizes.split(",").map(Number);
  const results: Record<string, unknown>[] = [];
  console.log(
    `sch: ${QUERIES} queries per size from 256 active users (v1 reply: count + fit), ` +
      (values.views === "tracker" ? "the exact view of the tracker's shared views" : "own index"),
  );
  for (const size of sizes) {
    const r = await child("sch", size);
    results.push(r);
    const naive = r.naive as Timings | undefined;
    console.log(`  ${String(size).padStart(8)} names  ${line(r.sch as Timings)}`);
    for (const [kind, t] of Object.entries(r.byLength as Record<string, Timings>)) {
      console.log(`           query of ${kind.padEnd(3)} units       ${line(t)}`);
    }
    console.log(`           v2 page 2 from a cursor  ${line(r.page2 as Timings)}`);
    if (naive) console.log(`           whole-table scan         ${line(naive)}`);
    console.log(
      `           too broad ${r.tooBroad}/${r.queries}, build ${
        (r.buildMs as number).toFixed(0)
      } ms` +
        `, RSS ${(r.rssMiB as number).toFixed(0)} MiB, ${
          (r.bytesPerNameRss as number).toFixed(0)
        } B/name` +
        ` (heap ${(r.bytesPerNameHeap as number).toFixed(0)} of which the names and their` +
        ` list ~${(r.bytesPerNameOfNames as number).toFixed(0)}, outside the heap` +
        ` ${(r.bytesPerNameExternal as number).toFixed(0)}), ${r.trigrams} trigrams,` +
        ` ${r.postingEntries} postings, ${r.relabels} relabels`,
    );
    console.log(
      `           a user with ~${Math.round(size / USERS)} names logs in/out  ${
        line(r.toggle as Timings)
      }`,
    );
  }
  const first = results[0];
  const last = results.at(-1)!;
  const ratio = (key: string, p: "p50" | "p99") =>
    ((last[key] as Timings)[p] / (first[key] as Timings)[p]).toFixed(2);
  console.log(
    `  random mix (replies differ: more names match at ${sizes.at(-1)}), ratio ${sizes.at(-1)} / ` +
      `${sizes[0]} names: p50 ${ratio("sch", "p50")}x, p99 ${ratio("sch", "p99")}x`,
  );
  const same = results.every((r) =>
    JSON.stringify(r.plantedReplies) === JSON.stringify(first.plantedReplies)
  );
  console.log(
    `  the same requests with the same replies (${PLANTED_QUERIES.length} queries on 64 planted names):`,
  );
  for (const r of results) {
    console.log(`  ${String(r.size).padStart(8)} names  ${line(r.planted as Timings)}`);
  }
  console.log(
    `  ratio ${sizes.at(-1)} / ${sizes[0]} names: p50 ${ratio("planted", "p50")}x, p99 ` +
      `${ratio("planted", "p99")}x (target 0.8–1.2x); replies identical at every size: ${same}`,
  );
  const p99 = (last.sch as Timings).p99;
  console.log(
    `  sch p99 at ${sizes.at(-1)} names: ${(p99 * 1000).toFixed(0)} µs (target ≤ 5000 µs at 1M)`,
  );
  const parts = values.parts.split(",");
  if (parts.includes("folded")) {
    console.log(
      "folded index beside the exact one (v2 FIND): count + first page, half upper-cased",
    );
  }
  for (const size of parts.includes("folded") ? sizes : []) {
    const r = await child("folded", size);
    console.log(
      `  ${String(size).padStart(8)} names  ${
        line(r.find as Timings)
      }  too broad ${r.tooBroad}/${r.queries}`,
    );
    console.log(
      `           RSS exact ${(r.rssExactMiB as number).toFixed(0)} MiB, with folded ${
        (r.rssBothMiB as number).toFixed(0)
      } MiB (+${(r.addedBytesPerName as number).toFixed(0)} B/name); heap + typed arrays ${
        (r.usedExactMiB as number).toFixed(0)
      } → ${
        (r.usedBothMiB as number).toFixed(0)
      } MiB; postings ${r.postingsExact} + ${r.postingsFolded}; folded build ${
        (r.buildMs as number).toFixed(0)
      } ms`,
    );
  }
  const laps: Record<string, unknown>[] = [];
  const lapUsers = parts.includes("lap") ? values.users.split(",").map(Number) : [];
  if (lapUsers.length > 0) {
    console.log("lap: 3000 requests per size (asker excluded), against sorting the whole table");
  }
  for (const users of lapUsers) {
    const r = await child("lap", users);
    laps.push(r);
    console.log(`  ${String(users).padStart(8)} users  v1 ${line(r.v1 as Timings)}`);
    console.log(`           v2 page at a random offset  ${line(r.v2Page as Timings)}`);
    console.log(`           a session ends and starts   ${line(r.churn as Timings)}`);
    console.log(`           whole-table sort + cut      ${line(r.wholeTable as Timings)}`);
  }
  if (laps.length > 0) {
    const a = laps[0].v1 as Timings;
    const b = laps.at(-1)!.v1 as Timings;
    console.log(
      `  ratio lap v1 p50 ${(b.p50 / a.p50).toFixed(2)}x, p99 ${(b.p99 / a.p99).toFixed(2)}x`,
    );
  }
}
