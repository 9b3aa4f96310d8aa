/**
 * `deno task bench`: loopback transfers of one file (1 GiB by default), in interleaved rounds, each
 * method beside the others in the same round on the same file:
 *
 * - C copies piping the file, the baselines the target is set against (≥ 0.8× with SHA-256
 *   verification on): Debian's netcat-openbsd (`nc -l > file` / `nc < file`), socat with its
 *   default 8 KiB buffer, socat with a 1 MiB buffer (the fastest C copy we found), and the same
 *   socat into `tee` and `sha256sum`: a verifying C copy;
 * - a bare Deno socket copy (same 1 MiB buffer, no protocol);
 * - the v2 data channel on its own (`bench/transfer_pair.ts`: the real upload server in one
 *   process, `downloadFromHolders` with verification in another), with both sides' peak RSS and
 *   CPU time, in clear and over pinned TLS (target: TLS ≥ 0.7× of clear); each side's median
 *   CPU a GiB and the pair's CPU over TLS against in clear close the report, the figure that
 *   holds on a loaded machine;
 * - two real peers (`pub` then `get`; over TLS, as v2 peers transfer by default).
 *
 * Single rounds swing up to 2× on the shared benchmark machine (fresh page-cache pages cost the
 * guest a varying amount), so the verdicts are ratios of medians over the rounds.
 *
 * Also measured: SHA-256 speed (createHash, 1 MiB updates) and sync vs async 1 MiB file reads.
 *
 *   deno task bench [--mib 1024] [--runs 5] [--only nc,pair,…] [--no-peers] [--worker]
 *                   [--huge [--huge-gib 8]]
 *
 * `--worker` adds the transfer pair verifying on a worker thread. `--huge` moves a sparse file of
 * 8 GiB through the transfer pair and prints each side's peak RSS (VmHWM), which must stay
 * ≤ 64 MiB: memory is flat whatever the size.
 */

import { createHash } from "node:crypto";
import { hashFileRange } from "../lib/peer/share/hash_file.ts";
import { parseArgs } from "node:util";
import { Program, projectRoot, TrackerProcess } from "../tests/support/programs.ts";
import { PeerProcess } from "../tests/support/peers.ts";
import { delay, writeAllSync } from "../lib/util/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    mib: { type: "string", default: "1024" },
    runs: { type: "string", default: "5" },
    "no-peers": { type: "boolean", default: false },
    huge: { type: "boolean", default: false },
    worker: { type: "boolean", default: false },
    only: { type: "string" },
    "huge-gib": { type: "string", default: "8" },
  },
});
const MiB = 1024 * 1024;
const size = Number(values.mib) * MiB;
const runs = Number(values.runs);
const RSS_LIMIT_MIB = 64;

function mbPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

function rate(label: string, bytes: number, ms: number): string {
  return `  ${label.padEnd(40)} ${mbPerSecond(bytes, ms).toFixed(0).padStart(6)} MB/s`;
}

function ratio(label: string, value: number, note = ""): string {
  return `  ${label.padEnd(40)} ${value.toFixed(2).padStart(6)}x${note}`;
}

async function makeFile(path: string): Promise<void> {
  const block = new Uint8Array(MiB);
  crypto.getRandomValues(block.subarray(0, 65536));
  for (let i = 65536; i < MiB; i += 65536) block.copyWithin(i, 0, 65536);
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  for (let written = 0; written < size; written += MiB) {
    new DataView(block.buffer).setUint32(0, written / MiB);
    let offset = 0;
    while (offset < block.length) offset += await file.write(block.subarray(offset));
  }
}

async function sameSize(a: string, b: string): Promise<boolean> {
  return (await Deno.stat(a)).size === (await Deno.stat(b)).size;
}

function peakRssMiB(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return NaN;
  }
}

/** User and system CPU time of a live process, from /proc (clock ticks of 10 ms). */
function cpuTime(pid: number): string {
  return cpuText(cpuTicks(pid));
}

/** User and system ticks as the report says them. */
function cpuText([user, sys]: readonly [number, number]): string {
  if (Number.isNaN(user)) return "unknown";
  const seconds = (ticks: number) => (ticks / 100).toFixed(2);
  return `${seconds(user)} s user + ${seconds(sys)} s sys`;
}

/**
 * A process's user and system CPU time since `since` (by default its start), in clock ticks
 * (NaN when unknown).
 */
function cpuTicks(pid: number, since: readonly [number, number] = [0, 0]): [number, number] {
  try {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    return [Number(fields[11]) - since[0], Number(fields[12]) - since[1]];
  } catch {
    return [NaN, NaN];
  }
}

/**
 * The guest kernel's free-page-reporting settings, when it has them (the balloon driver returns
 * freed pages to the host, and writing a file into them again is then several times slower).
 */
function pageReportingSettings(): string | undefined {
  const directory = "/sys/module/page_reporting/parameters";
  try {
    const settings = [...Deno.readDirSync(directory)]
      .filter((entry) =>
        ["min_free_ms", "max_waiting_mib", "page_reporting_order"].includes(entry.name)
      )
      .map((entry) => `${entry.name}=${Deno.readTextFileSync(`${directory}/${entry.name}`).trim()}`)
      .sort();
    return settings.length > 0 ? settings.join(", ") : undefined;
  } catch {
    return undefined;
  }
}

async function has(command: string, args: string[]): Promise<boolean> {
  try {
    return (await new Deno.Command(command, { args, stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

/**
 * The C baselines come from Debian: install them once when missing and we are root, else skip
 * them (and say so).
 */
async function ensureDebianTool(
  command: string,
  probe: string[],
  debianPackage: string,
): Promise<boolean> {
  if (await has(command, probe)) return true;
  if (Deno.uid() !== 0) return false;
  console.log(`${command} is missing: apt-get install -y ${debianPackage} …`);
  for (
    const args of [["install", "-y", debianPackage], ["update"], ["install", "-y", debianPackage]]
  ) {
    await new Deno.Command("apt-get", { args, stdout: "null", stderr: "null" }).output()
      .catch(() => {});
    if (args[0] === "install" && await has(command, probe)) return true;
  }
  return false;
}

/**
 * Puts every measurement on the same footing, just before its transfer starts:
 *
 * - flushes dirty pages, so that one measurement does not pay for the previous one's writeback;
 * - writes and deletes a file of 1.5× the transfer's size. The benchmark machine is a VM whose
 *   balloon driver hands freed memory back to the host (free page reporting); a transfer that
 *   writes its 1 GiB into pages the host must fault in again was measured 5–6× slower (330–420
 *   MB/s against 2000–2200 for a plain Deno copy into pages freed a moment before). Without this,
 *   whichever method happens to start soonest after a delete wins. A prime of the transfer's size
 *   was not enough (the downloading peer still paid 0.8–1.5 s of system time in most rounds); at
 *   1.5× every method measured started warm (0.34–0.54 s).
 */
const PRIME_BYTES = Math.ceil(size * 1.5 / MiB) * MiB;

async function settle(): Promise<void> {
  await new Deno.Command("sync").output().catch(() => {});
  const block = new Uint8Array(MiB);
  const prime = `${dir}/prime.bin`;
  {
    using file = Deno.openSync(prime, { write: true, create: true, truncate: true });
    for (let written = 0; written < PRIME_BYTES; written += MiB) writeAllSync(file, block);
  }
  Deno.removeSync(prime);
}

/** Time from starting the sender until the receiver has written everything and exited. */
async function pipedCopy(
  receiverArgs: [string, string[]],
  senderArgs: [string, string[]],
  source: string,
  target: string,
): Promise<number | undefined> {
  await settle();
  const receiver = new Deno.Command(receiverArgs[0], {
    args: receiverArgs[1],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await delay(300);
  const started = performance.now();
  const sender = await new Deno.Command(senderArgs[0], {
    args: senderArgs[1],
    stdout: "null",
    stderr: "null",
  }).output();
  const received = await receiver.status;
  const elapsed = performance.now() - started;
  if (!sender.success || !received.success || !await sameSize(source, target)) return undefined;
  return elapsed;
}

function freePort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

/** socat piping the file; `bufferBytes` is its `-b` (socat's default is 8 KiB). */
function socatCopy(source: string, target: string, bufferBytes?: number) {
  const port = freePort();
  const buffer = bufferBytes === undefined ? [] : ["-b", String(bufferBytes)];
  return pipedCopy(
    ["socat", ["-u", ...buffer, `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, `CREATE:${target}`]],
    ["socat", ["-u", ...buffer, `OPEN:${source}`, `TCP:127.0.0.1:${port}`]],
    source,
    target,
  );
}

/**
 * A verifying C copy: socat with a 1 MiB buffer into `tee` (writes the file) and `sha256sum`
 * (hashes the same stream), all C programs, the receiver's digest then compared with the
 * source's. What a downloader that checks SHA-256 does, with no Deno in it.
 */
async function verifyingCopy(
  source: string,
  target: string,
  sourceDigest: string,
): Promise<number | undefined> {
  const port = freePort();
  const digestFile = `${target}.sha256`;
  const elapsed = await pipedCopy(
    ["sh", [
      "-c",
      `socat -u -b ${MiB} TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr STDOUT` +
      ` | tee '${target}' | sha256sum > '${digestFile}'`,
    ]],
    ["socat", ["-u", "-b", String(MiB), `OPEN:${source}`, `TCP:127.0.0.1:${port}`]],
    source,
    target,
  );
  const digest = (await Deno.readTextFile(digestFile).catch(() => "")).split(" ")[0];
  await Deno.remove(digestFile).catch(() => {});
  if (digest !== sourceDigest) throw new Error("the verifying C copy's digest does not match");
  return elapsed;
}

/** Debian's netcat-openbsd piping the file, as `nc -l > file` and `nc < file` would. */
function netcatCopy(source: string, target: string) {
  const port = freePort();
  return pipedCopy(
    ["sh", ["-c", `exec nc.openbsd -l -N 127.0.0.1 ${port} > '${target}'`]],
    ["sh", ["-c", `exec nc.openbsd -N 127.0.0.1 ${port} < '${source}'`]],
    source,
    target,
  );
}

async function bareDenoCopy(source: string, target: string): Promise<number> {
  await settle();
  const receiver = new Program("bench/socket_copy.ts", ["recv", target]);
  const port = Number((await receiver.stdout.waitFor(/port (\d+)/))[1]);
  const started = performance.now();
  const sender = new Program("bench/socket_copy.ts", ["send", String(port), source]);
  await receiver.stdout.waitFor("done", 600_000);
  const elapsed = performance.now() - started;
  await Promise.all([sender.exit(), receiver.exit()]);
  if (!await sameSize(source, target)) throw new Error("baseline copy lost bytes");
  return elapsed;
}

interface PairResult {
  /** From the download's start to its verified end (what `get` would report). */
  readonly ms: number;
  /** The uploader's one-time hash at `pub`, not part of the transfer. */
  readonly hashMs: number;
  readonly uploaderMiB: number;
  readonly downloaderMiB: number;
  /** The downloader's user and system CPU time, e.g. `0.71 s user + 0.80 s sys`. */
  readonly downloaderCpu: string;
  /** The uploader's CPU time during the transfer (its hash at `pub` left out). */
  readonly uploaderCpu: string;
  /** The same two, in seconds (user and system together). */
  readonly downloaderCpuSeconds: number;
  readonly uploaderCpuSeconds: number;
}

/** The v2 data channel alone: real upload server and `downloadFromHolders`, two processes. */
async function transferPair(
  dir: string,
  file: string,
  targetDir: string,
  hashOnWorker = false,
  tls = false,
): Promise<PairResult> {
  const server = new Program("bench/transfer_pair.ts", [
    "serve",
    dir,
    file,
    ...(tls ? ["tls"] : []),
  ]);
  try {
    const ready = await server.stdout.waitFor(
      /ready (\d+) (\d+) ([0-9a-f]{64}) (\d+)( tls=\S+)?/,
      600_000,
    );
    const [, port, bytes, sha256, hashMs, tlsField] = ready;
    await settle();
    const uploaderBefore = cpuTicks(server.pid);
    const client = new Program("bench/transfer_pair.ts", [
      "get",
      targetDir,
      file,
      bytes,
      sha256,
      port,
      ...(hashOnWorker ? ["worker"] : []),
      ...(tlsField ? [tlsField.trim()] : []),
    ]);
    try {
      const done = await client.stdout.waitFor(/(done (\d+)|failed .*)/, 1_800_000);
      if (done[2] === undefined) throw new Error(`v2 transfer ${done[1]}`);
      const downloaderTicks = cpuTicks(client.pid);
      const uploaderTicks = cpuTicks(server.pid, uploaderBefore);
      return {
        ms: Number(done[2]),
        hashMs: Number(hashMs),
        uploaderMiB: peakRssMiB(server.pid),
        downloaderMiB: peakRssMiB(client.pid),
        downloaderCpu: cpuText(downloaderTicks),
        uploaderCpu: cpuText(uploaderTicks),
        downloaderCpuSeconds: (downloaderTicks[0] + downloaderTicks[1]) / 100,
        uploaderCpuSeconds: (uploaderTicks[0] + uploaderTicks[1]) / 100,
      };
    } finally {
      await client.exit();
    }
  } finally {
    await server.exit();
  }
}

async function peerTransfer(
  tracker: TrackerProcess,
  source: string,
): Promise<{ ms: number; uploaderMiB: number; downloaderMiB: number; downloaderCpu: string }> {
  const alice = await PeerProcess.start(tracker.port);
  const bob = await PeerProcess.start(tracker.port);
  try {
    await alice.login("alice", "alice-pw");
    await bob.login("bob", "bob-pw");
    await Deno.link(source, `${alice.dir}/big.bin`);
    await alice.run("pub big.bin", "File published successfully", 600_000);
    await settle();
    const cpuBefore = cpuTime(bob.program.pid);
    const started = performance.now();
    await bob.run("get big.bin", "big.bin downloaded successfully", 600_000);
    const ms = performance.now() - started;
    if (!await sameSize(source, `${bob.dir}/big.bin`)) throw new Error("peer transfer lost bytes");
    return {
      ms,
      uploaderMiB: peakRssMiB(alice.program.pid),
      downloaderMiB: peakRssMiB(bob.program.pid),
      downloaderCpu: `${cpuTime(bob.program.pid)} (before get: ${cpuBefore})`,
    };
  } finally {
    await Promise.all([alice.stop(), bob.stop()]);
  }
}

/** SHA-256 over `bytes` in 1 MiB updates, and 1 MiB file reads sync vs async. */
/** The file's SHA-256 in hex, what the verifying C copy must reproduce. */
async function sha256Of(path: string): Promise<string> {
  using file = await Deno.open(path, { read: true });
  const hash = createHash("sha256");
  await hashFileRange(file, 0, (await file.stat()).size, hash);
  return hash.digest("hex");
}

async function microBenchmarks(source: string): Promise<void> {
  const buffer = new Uint8Array(MiB);
  crypto.getRandomValues(buffer.subarray(0, 65536));
  let started = performance.now();
  const hash = createHash("sha256");
  for (let done = 0; done < size; done += MiB) hash.update(buffer);
  hash.digest("hex");
  console.log(rate("SHA-256 (createHash, 1 MiB updates)", size, performance.now() - started));
  started = performance.now();
  using syncFile = Deno.openSync(source, { read: true });
  while (syncFile.readSync(buffer) !== null) {
    // Read only.
  }
  console.log(rate("file read, readSync 1 MiB (page cache)", size, performance.now() - started));
  started = performance.now();
  using asyncFile = await Deno.open(source, { read: true });
  while (await asyncFile.read(buffer) !== null) {
    // Read only.
  }
  console.log(rate("file read, async read 1 MiB (page cache)", size, performance.now() - started));
}

/** Both sides' peak memory against the limit. */
function peakRssVerdict(sides: { uploaderMiB: number; downloaderMiB: number }): string {
  const within = Math.max(sides.uploaderMiB, sides.downloaderMiB) <= RSS_LIMIT_MIB;
  return `  peak RSS: uploader ${sides.uploaderMiB.toFixed(0)} MiB, downloader ${
    sides.downloaderMiB.toFixed(0)
  } MiB (limit ${RSS_LIMIT_MIB} MiB: ${within ? "ok" : "EXCEEDED"})`;
}

async function hugeRun(dir: string): Promise<void> {
  const gib = Number(values["huge-gib"]);
  const hugeDir = `${dir}/huge-source`;
  const hugeTarget = `${dir}/huge-target`;
  await Deno.mkdir(hugeDir);
  await Deno.mkdir(hugeTarget);
  const hugeSize = gib * 1024 * MiB;
  // Sparse: a hole with a few real bytes at both ends, so the digest covers something.
  {
    using file = await Deno.open(`${hugeDir}/huge.bin`, { write: true, create: true });
    await file.write(new TextEncoder().encode("start of a huge file"));
    await file.truncate(hugeSize);
    await file.seek(hugeSize - 3, Deno.SeekMode.Start);
    await file.write(new TextEncoder().encode("end"));
  }
  console.log(`huge: a sparse ${gib} GiB file through the v2 pair (verification on)`);
  const result = await transferPair(hugeDir, "huge.bin", hugeTarget);
  const ok = (await Deno.stat(`${hugeTarget}/huge.bin`)).size === hugeSize;
  console.log(rate(`v2 pair, ${gib} GiB sparse`, hugeSize, result.ms));
  console.log(`  uploader's one-time hash at pub        ${(result.hashMs / 1000).toFixed(1)} s`);
  console.log(peakRssVerdict(result));
  console.log(`  file size ${ok ? "matches" : "DIFFERS"}; SHA-256 verified by the downloader`);
  await Deno.remove(hugeTarget, { recursive: true });
  if (tracker !== undefined) {
    console.log(`huge: the same file between two real peers (pub, then get)`);
    const peer = await peerTransfer(tracker, `${hugeDir}/huge.bin`);
    console.log(rate(`peer → peer, ${gib} GiB sparse`, hugeSize, peer.ms));
    console.log(peakRssVerdict(peer));
  }
  await Deno.remove(hugeDir, { recursive: true });
}

/** Each method's times over the rounds, in the order they were first measured. */
const times = new Map<string, number[]>();
function record(label: string, ms: number | undefined): void {
  if (ms === undefined) return;
  times.set(label, [...(times.get(label) ?? []), ms]);
  console.log(rate(label, size, ms));
}

/**
 * Each pair's CPU seconds over the rounds, per side: robust where wall time is not (a loaded
 * machine slows a transfer, but costs it little more CPU).
 */
const cpuSeconds = new Map<string, { downloader: number[]; uploader: number[] }>();
function recordCpu(label: string, pair: PairResult): void {
  const lists = cpuSeconds.get(label) ?? { downloader: [], uploader: [] };
  lists.downloader.push(pair.downloaderCpuSeconds);
  lists.uploader.push(pair.uploaderCpuSeconds);
  cpuSeconds.set(label, lists);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const NETCAT = "netcat-openbsd (C), nc < file";
const SOCAT = "socat (C), default 8 KiB buffer";
const SOCAT_1M = "socat (C), -b 1 MiB";
const C_VERIFY = "C copy verifying (socat | tee | sha256sum)";
const BARE = "bare Deno socket copy";
const PAIR = "v2 pair (SHA-256 verified)";
const WORKER = "v2 pair, verifying on a worker";
const PAIR_TLS = "v2 pair over TLS (SHA-256 verified)";
const PAIR_TLS_WORKER = "v2 pair over TLS, verifying on a worker";
const PEER = "peer → peer (pub, get; TLS, verified)";

/**
 * `--only pair,peer`: just these methods (nc, socat, socat-1m, c-verify, bare, pair, pair-tls,
 * worker, peer;
 * `pair-tls-worker` only when named).
 */
const only = values.only === undefined ? undefined : new Set(values.only.split(","));
function wanted(method: string): boolean {
  return only === undefined || only.has(method);
}

const dir = await Deno.makeTempDir({ prefix: "peersync-bench-" });
const tracker = values["no-peers"] || !wanted("peer")
  ? undefined
  : await TrackerProcess.start(undefined, ["--quiet"]);
try {
  const sourceDir = `${dir}/source`;
  await Deno.mkdir(sourceDir);
  const source = `${sourceDir}/big.bin`;
  await makeFile(source);
  const socat = await ensureDebianTool("socat", ["-V"], "socat");
  const netcat = await ensureDebianTool("nc.openbsd", ["-h"], "netcat-openbsd");
  console.log(
    `PeerSync transfer benchmark: ${size / MiB} MiB over loopback, ${runs} interleaved rounds`,
  );
  console.log(`project: ${projectRoot}`);
  const reporting = pageReportingSettings();
  if (reporting !== undefined) {
    console.log(
      `this is a VM that hands freed memory back to its host (${reporting}): writing into fresh ` +
        `page-cache pages costs each method a varying amount, so compare medians`,
    );
  }
  if (!socat) console.log("socat is not installed (and cannot be here): its baselines are skipped");
  if (!netcat) console.log("netcat-openbsd is not installed (and cannot be here): skipped");
  await microBenchmarks(source);
  const sourceDigest = await sha256Of(source);
  const scratch = `${dir}/copy.bin`;
  const peakRss = new Map<string, number>();
  const notePeak = (label: string, mib: number) =>
    peakRss.set(label, Math.max(peakRss.get(label) ?? 0, mib));
  for (let run = 1; run <= runs; run++) {
    console.log(`round ${run}:`);
    if (netcat && wanted("nc")) {
      record(NETCAT, await netcatCopy(source, scratch));
      await Deno.remove(scratch).catch(() => {});
    }
    if (socat && wanted("socat")) {
      record(SOCAT, await socatCopy(source, scratch));
      await Deno.remove(scratch).catch(() => {});
    }
    if (socat && wanted("socat-1m")) {
      record(SOCAT_1M, await socatCopy(source, scratch, MiB));
      await Deno.remove(scratch).catch(() => {});
    }
    if (socat && wanted("c-verify")) {
      record(C_VERIFY, await verifyingCopy(source, scratch, sourceDigest));
      await Deno.remove(scratch).catch(() => {});
    }
    if (wanted("bare")) {
      record(BARE, await bareDenoCopy(source, scratch));
      await Deno.remove(scratch);
    }
    const target = `${dir}/pair-target`;
    const clearPair = async () => {
      await Deno.mkdir(target);
      const pair = await transferPair(sourceDir, "big.bin", target);
      await Deno.remove(target, { recursive: true });
      record(PAIR, pair.ms);
      recordCpu(PAIR, pair);
      console.log(
        `  ${"".padEnd(40)} peak RSS: uploader ${pair.uploaderMiB.toFixed(0)} MiB, downloader ${
          pair.downloaderMiB.toFixed(0)
        } MiB; downloader CPU ${pair.downloaderCpu}; uploader CPU ${pair.uploaderCpu}; ` +
          `one-time hash at pub ${(pair.hashMs / 1000).toFixed(2)} s`,
      );
      notePeak(`${PAIR}, uploader`, pair.uploaderMiB);
      notePeak(`${PAIR}, downloader`, pair.downloaderMiB);
    };
    const tlsPair = async () => {
      await Deno.mkdir(target);
      const pair = await transferPair(sourceDir, "big.bin", target, false, true);
      await Deno.remove(target, { recursive: true });
      record(PAIR_TLS, pair.ms);
      recordCpu(PAIR_TLS, pair);
      console.log(
        `  ${"".padEnd(40)} peak RSS: uploader ${pair.uploaderMiB.toFixed(0)} MiB, downloader ${
          pair.downloaderMiB.toFixed(0)
        } MiB; downloader CPU ${pair.downloaderCpu}; uploader CPU ${pair.uploaderCpu}`,
      );
      notePeak(`${PAIR_TLS}, uploader`, pair.uploaderMiB);
      notePeak(`${PAIR_TLS}, downloader`, pair.downloaderMiB);
    };
    // The two are compared as a ratio: each goes first in every other round, so neither always
    // meets the machine in the state the other left it in.
    const pairs = [
      ...(wanted("pair") ? [clearPair] : []),
      ...(wanted("pair-tls") ? [tlsPair] : []),
    ];
    for (const pair of run % 2 === 1 ? pairs : pairs.reverse()) await pair();
    if (only?.has("pair-tls-worker") ?? false) {
      await Deno.mkdir(target);
      const pair = await transferPair(sourceDir, "big.bin", target, true, true);
      await Deno.remove(target, { recursive: true });
      record(PAIR_TLS_WORKER, pair.ms);
      console.log(
        `  ${"".padEnd(40)} peak RSS: downloader ${pair.downloaderMiB.toFixed(0)} MiB; ` +
          `downloader CPU ${pair.downloaderCpu}`,
      );
      notePeak(`${PAIR_TLS_WORKER}, downloader`, pair.downloaderMiB);
    }
    if (values.worker || (only?.has("worker") ?? false)) {
      await Deno.mkdir(target);
      const worker = await transferPair(sourceDir, "big.bin", target, true);
      await Deno.remove(target, { recursive: true });
      record(WORKER, worker.ms);
      console.log(`  ${"".padEnd(40)} peak RSS: downloader ${worker.downloaderMiB.toFixed(0)} MiB`);
      notePeak(`${WORKER}, downloader`, worker.downloaderMiB);
    }
    if (tracker !== undefined) {
      const peer = await peerTransfer(tracker, source);
      record(PEER, peer.ms);
      console.log(
        `  ${"".padEnd(40)} peak RSS: uploader ${peer.uploaderMiB.toFixed(0)} MiB, downloader ${
          peer.downloaderMiB.toFixed(0)
        } MiB; downloader CPU ${peer.downloaderCpu} (login included)`,
      );
      notePeak(`${PEER}, uploader`, peer.uploaderMiB);
      notePeak(`${PEER}, downloader`, peer.downloaderMiB);
    }
  }
  console.log(`medians over ${runs} rounds (single rounds swing up to 2x on this machine):`);
  for (const [label, list] of times) console.log(rate(label, size, median(list)));
  console.log("ratios of medians (PeerSync time vs baseline time; target ≥ 0.80x vs a C copy):");
  for (const ours of [PAIR, PAIR_TLS, WORKER, PEER]) {
    const oursTimes = times.get(ours);
    if (oursTimes === undefined) continue;
    for (const baseline of [NETCAT, SOCAT, SOCAT_1M, C_VERIFY, BARE]) {
      const baseTimes = times.get(baseline);
      if (baseTimes === undefined) continue;
      const value = median(baseTimes) / median(oursTimes);
      const verdict = baseline === BARE ? "" : value >= 0.8 ? "  (met)" : "  (NOT met)";
      console.log(
        ratio(
          `${ours.split(" (")[0]} vs ${baseline.split(",")[0]}${
            baseline === SOCAT_1M ? " -b 1M" : ""
          }`,
          value,
          verdict,
        ),
      );
    }
  }
  const clearTimes = times.get(PAIR);
  for (const tls of [PAIR_TLS, PAIR_TLS_WORKER]) {
    const tlsTimes = times.get(tls);
    if (clearTimes === undefined || tlsTimes === undefined) continue;
    const value = median(clearTimes) / median(tlsTimes);
    // Each round's own ratio too: the machine drifts between rounds, less within one.
    const rounds = tlsTimes.map((ms, i) => (clearTimes[i] / ms).toFixed(2)).join(", ");
    console.log(
      ratio(
        `${tls.split(" (")[0]} vs in clear`,
        value,
        `${value >= 0.7 ? "  (met" : "  (NOT met"}, target ≥ 0.70x; rounds ${rounds})`,
      ),
    );
  }
  if (cpuSeconds.size > 0) {
    // Per GiB, so runs with another --mib compare; the downloader's start-up is included.
    const perGiB = (seconds: number) => (seconds * 1024 * MiB / size).toFixed(2);
    console.log("CPU a GiB, medians over the rounds (downloader + uploader = the pair):");
    const pairCpu = new Map<string, number>();
    for (const [label, { downloader, uploader }] of cpuSeconds) {
      const total = median(downloader.map((seconds, i) => seconds + uploader[i]));
      pairCpu.set(label, total);
      console.log(
        `  ${label.split(" (")[0].padEnd(40)} ${perGiB(median(downloader))} s + ${
          perGiB(median(uploader))
        } s = ${perGiB(total)} s`,
      );
    }
    const clearCpu = pairCpu.get(PAIR);
    const tlsCpu = pairCpu.get(PAIR_TLS);
    if (clearCpu !== undefined && tlsCpu !== undefined) {
      // 0.7x of clear's speed on 2 saturated cores needs at most 1/0.7 of its CPU.
      console.log(ratio("pair CPU, TLS against clear", tlsCpu / clearCpu, " (≤ 1.43x fits 0.70x)"));
    }
  }
  console.log(`peak RSS over all rounds (limit ${RSS_LIMIT_MIB} MiB):`);
  for (const [label, mib] of peakRss) {
    console.log(`  ${label.padEnd(48)} ${mib.toFixed(0).padStart(4)} MiB`);
  }
  if (values.huge) await hugeRun(dir);
} finally {
  await tracker?.stop();
  await Deno.remove(dir, { recursive: true });
}
