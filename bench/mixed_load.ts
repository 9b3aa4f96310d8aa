/**
 * The mixed load of issue 11, shared by `tracker_mixed.ts` and `fleet.ts`: seeded names, the
 * sessions' login and publications, their heartbeats, and the drive loop cycling `lap`, `sch`,
 * `get` with a window of requests in flight. Both benches send the same kind of load, so their
 * figures can be set side by side.
 */

import { parseArgs } from "node:util";
import { Program } from "../tests/support/programs.ts";
import type { V1Client } from "./v1_client.ts";
import { BeatSchedule } from "./beat_schedule.ts";

/** The options of a mixed-load bench (`--seconds`, `--rounds`, `--names`, `--sessions`, `--window`). */
export interface LoadOptions {
  /** How long each round drives a server. */
  readonly seconds: number;
  readonly rounds: number;
  readonly names: number;
  readonly sessions: number;
  /** Requests in flight. */
  readonly window: number;
}

/** Reads the options from `args`, each missing one from `defaults` (`--window` 32). */
export function parseLoadOptions(
  args: string[],
  given: Omit<LoadOptions, "window"> & { readonly window?: number },
): LoadOptions {
  const defaults = { window: 32, ...given };
  const option = (value: number) => ({ type: "string", default: String(value) }) as const;
  const { values } = parseArgs({
    args,
    options: {
      seconds: option(defaults.seconds),
      rounds: option(defaults.rounds),
      names: option(defaults.names),
      sessions: option(defaults.sessions),
      window: option(defaults.window),
    },
  });
  return {
    seconds: Number(values.seconds),
    rounds: Number(values.rounds),
    names: Number(values.names),
    sessions: Number(values.sessions),
    window: Number(values.window),
  };
}

/** A seeded random source, so every server driven gets the same requests. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The words and extensions names are made of. */
export interface Vocabulary {
  readonly words: readonly string[];
  readonly exts: readonly string[];
}

/** The vocabulary of `tracker_mixed.ts`. */
export const MIXED_VOCABULARY: Vocabulary = {
  words: [
    "holiday",
    "report",
    "summer",
    "track",
    "photo",
    "IMG",
    "concert",
    "draft",
    "invoice",
    "lecture",
    "season",
    "episode",
    "backup",
    "notes",
    "mix",
    "live",
    "final",
    "scan",
    "demo",
    "podcast",
  ],
  exts: [".jpg", ".pdf", ".mkv", ".flac", ".txt", ".zip", ".mp4", ".png"],
};

/** `count` distinct names `word-word-<index in base 36><ext>`. */
export function makeNames(
  count: number,
  random: () => number,
  vocabulary: Vocabulary = MIXED_VOCABULARY,
): string[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const { words, exts } = vocabulary;
  return Array.from(
    { length: count },
    (_, i) => `${pick(words)}-${pick(words)}-${i.toString(36)}${pick(exts)}`,
  );
}

/**
 * Logs session `index` in, registers its download address and publishes its share of `names`
 * (every `stride`-th). `onLoggedIn` runs as soon as the login is acknowledged (so its heartbeats
 * can start while it publishes). Returns how many of the login and publications were not
 * acknowledged (`ERR` or no reply).
 */
export async function logInAndPublish(
  client: V1Client,
  index: number,
  names: readonly string[],
  stride: number,
  onLoggedIn?: () => void,
): Promise<{ failures: number }> {
  const answers = [await client.ask(`auth ${client.user} ${client.user}-pw`)];
  if (answers[0] === "OK") onLoggedIn?.();
  await client.send(`TCP ${client.host} ${7000 + index}`);
  for (let n = index; n < names.length; n += stride) {
    answers.push(await client.ask(`pub ${names[n]}`));
  }
  return { failures: answers.filter((answer) => answer === undefined || answer === "ERR").length };
}

const HBT = new TextEncoder().encode("HBT");

/**
 * Sends a heartbeat from each of `clients()` once a second, spread over the second as peers' own
 * timers spread them (a burst of thousands at once would only measure the kernel's receive
 * buffer, about 256 datagrams by default). `clients()` may grow (sessions logging in): each
 * client keeps its own phase from when it first appears ({@linkcode BeatSchedule}), so a busy
 * client whose timer fires late, or a list that grows, still beats every session once a second.
 */
export function heartbeat(clients: () => readonly V1Client[]): () => number {
  const schedule = new BeatSchedule<V1Client>(performance.now());
  let known = 0;
  let lastTick = performance.now();
  let longestTickGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestTickGap = Math.max(longestTickGap, now - lastTick);
    lastTick = now;
    const all = clients();
    if (all.length > known) {
      schedule.add(all.slice(known), now);
      known = all.length;
    }
    for (const client of schedule.due(now)) client.send(HBT).catch(() => {});
  }, 5);
  // What stopping returns says whether the sender kept its beats a second apart: the longest
  // wait between two ticks, which a session's beat waited on top of its second.
  return () => {
    clearInterval(timer);
    return longestTickGap;
  };
}

/** What one round of `drive` saw. */
export interface RoundResult {
  readonly replies: number;
  readonly lost: number;
  readonly errors: number;
  readonly latencies: number[];
}

/** How `sch` picks its pattern from a name. */
export type SearchPattern = (name: string, random: () => number) => string;

/** 3–6 characters from anywhere in the name (`tracker_mixed.ts`). */
export const anywhere: SearchPattern = (name, random) => {
  const start = Math.floor(random() * (name.length - 5));
  return name.slice(start, start + 3 + Math.floor(random() * 4));
};

/** Characters 2–5 of the name (`fleet.ts`, whose documented figures were measured so). */
export const fixedSlice: SearchPattern = (name) => name.slice(2, 6);

export interface DriveOptions {
  readonly clients: readonly V1Client[];
  readonly names: readonly string[];
  readonly seed: number;
  readonly seconds: number;
  /** Requests in flight. */
  readonly window: number;
  readonly search?: SearchPattern;
}

/** Drives `clients` for `seconds` with `window` requests in flight, a third each `lap`/`sch`/`get`. */
export async function drive(options: DriveOptions): Promise<RoundResult> {
  const { clients, names, seconds, window, search = anywhere } = options;
  const random = seeded(options.seed);
  const latencies: number[] = [];
  let replies = 0;
  let lost = 0;
  let errors = 0;
  const stop = performance.now() + seconds * 1000;
  const request = () => {
    const roll = random();
    const name = names[Math.floor(random() * names.length)];
    if (roll < 1 / 3) return "lap";
    if (roll < 2 / 3) return `sch ${search(name, random)}`;
    return `get ${name}`;
  };
  let next = Math.floor(random() * clients.length);
  const worker = async () => {
    while (performance.now() < stop) {
      // A client with no request in flight (one at a time each, so replies match requests).
      let client = clients[next++ % clients.length];
      while (client.pending) client = clients[next++ % clients.length];
      const started = performance.now();
      const reply = await client.ask(request());
      if (reply === undefined) {
        lost++;
        continue;
      }
      replies++;
      latencies.push(performance.now() - started);
      if (reply === "ERR") errors++;
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  return { replies, lost, errors, latencies };
}

/** Starts a bench server and reads back the port it printed. */
export async function startServer(
  script: string,
  args: string[],
  timeoutMs?: number,
  env?: Record<string, string>,
): Promise<{ program: Program; port: number }> {
  const program = new Program(script, args, { env });
  const port = Number((await program.stdout.waitFor(/listening on [^ ]+:(\d+)/, timeoutMs))[1]);
  return { program, port };
}

/** The loopback address of a server on `port`. */
export const loopback = (port: number): Deno.NetAddr => ({
  transport: "udp",
  hostname: "127.0.0.1",
  port,
});
