/**
 * `deno task bench`: loopback transfers of one file (1 GiB by default), each beside baselines
 * measured in the same run on the same file:
 *
 * - socat (C) copy — the baseline the target is set against (≥ 0.8× with SHA-256 verification);
 * - a bare Deno socket copy (same 1 MiB buffer, no protocol);
 * - the v2 data channel on its own (`bench/transfer_pair.ts`: the real upload server in one
 *   process, `downloadFromHolders` with verification in another), with both sides' peak RSS;
 * - two real peers (`pub` then `get`), whichever data channel the peer's `get` uses.
 *
 * Also measured: SHA-256 speed (createHash, 1 MiB updates) and sync vs async 1 MiB file reads.
 *
 *   deno task bench [--mib 1024] [--runs 2] [--no-peers] [--huge [--huge-gib 8]]
 *
 * `--huge` moves a sparse file of 8 GiB through the transfer pair and prints each side's peak
 * RSS (VmHWM), which must stay ≤ 64 MiB: memory is flat whatever the size.
 */

import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { Program, projectRoot, TrackerProcess } from "../tests/support/programs.ts";
import { PeerProcess } from "../tests/support/peers.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    mib: { type: "string", default: "1024" },
    runs: { type: "string", default: "2" },
    "no-peers": { type: "boolean", default: false },
    huge: { type: "boolean", default: false },
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

async function hasSocat(): Promise<boolean> {
  try {
    return (await new Deno.Command("socat", { args: ["-V"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

/** socat is the C baseline: install it once when missing and we are root, else skip it. */
async function ensureSocat(): Promise<boolean> {
  if (await hasSocat()) return true;
  if (Deno.uid() !== 0) return false;
  console.log("socat is missing: apt-get install -y socat …");
  try {
    await new Deno.Command("apt-get", {
      args: ["install", "-y", "socat"],
      stdout: "null",
      stderr: "null",
    }).output();
  } catch {
    return false;
  }
  return await hasSocat();
}

/**
 * Flushes dirty pages, so that one measurement does not pay for the previous one's writeback
 * (on this machine that alone swings a 1 GiB disk write between 0.5 and 4 GB/s).
 */
async function settle(): Promise<void> {
  await new Deno.Command("sync").output().catch(() => {});
}

/** socat piping the file; `bufferBytes` is its `-b` (socat's default is 8 KiB). */
async function socatCopy(
  source: string,
  target: string,
  bufferBytes?: number,
): Promise<number | undefined> {
  await settle();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const buffer = bufferBytes === undefined ? [] : ["-b", String(bufferBytes)];
  const receiver = new Deno.Command("socat", {
    args: ["-u", ...buffer, `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, `CREATE:${target}`],
  }).spawn();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = performance.now();
  const sender = await new Deno.Command("socat", {
    args: ["-u", ...buffer, `OPEN:${source}`, `TCP:127.0.0.1:${port}`],
  }).output();
  await receiver.status;
  const elapsed = performance.now() - started;
  if (!sender.success || !await sameSize(source, target)) return undefined;
  return elapsed;
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
}

/** The v2 data channel alone: real upload server and `downloadFromHolders`, two processes. */
async function transferPair(
  dir: string,
  file: string,
  targetDir: string,
  hashOnWorker = false,
): Promise<PairResult> {
  await settle();
  const server = new Program("bench/transfer_pair.ts", ["serve", dir, file]);
  try {
    const ready = await server.stdout.waitFor(/ready (\d+) (\d+) ([0-9a-f]{64}) (\d+)/, 600_000);
    const [, port, bytes, sha256, hashMs] = ready;
    const client = new Program("bench/transfer_pair.ts", [
      "get",
      targetDir,
      file,
      bytes,
      sha256,
      port,
      ...(hashOnWorker ? ["worker"] : []),
    ]);
    try {
      const done = await client.stdout.waitFor(/(done (\d+)|failed .*)/, 1_800_000);
      if (done[2] === undefined) throw new Error(`v2 transfer ${done[1]}`);
      return {
        ms: Number(done[2]),
        hashMs: Number(hashMs),
        uploaderMiB: peakRssMiB(server.pid),
        downloaderMiB: peakRssMiB(client.pid),
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
): Promise<{ ms: number; uploaderMiB: number; downloaderMiB: number }> {
  const alice = await PeerProcess.start(tracker.port);
  const bob = await PeerProcess.start(tracker.port);
  await settle();
  try {
    await alice.login("alice", "alice-pw");
    await bob.login("bob", "bob-pw");
    await Deno.link(source, `${alice.dir}/big.bin`);
    await alice.run("pub big.bin", "File published successfully", 600_000);
    const started = performance.now();
    await bob.run("get big.bin", "big.bin downloaded successfully", 600_000);
    const ms = performance.now() - started;
    if (!await sameSize(source, `${bob.dir}/big.bin`)) throw new Error("peer transfer lost bytes");
    return {
      ms,
      uploaderMiB: peakRssMiB(alice.program.pid),
      downloaderMiB: peakRssMiB(bob.program.pid),
    };
  } finally {
    await Promise.all([alice.stop(), bob.stop()]);
  }
}

/** SHA-256 over `bytes` in 1 MiB updates, and 1 MiB file reads sync vs async. */
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
  console.log(
    `  peak RSS: uploader ${result.uploaderMiB.toFixed(0)} MiB, downloader ${
      result.downloaderMiB.toFixed(0)
    } MiB (limit ${RSS_LIMIT_MIB} MiB: ${
      Math.max(result.uploaderMiB, result.downloaderMiB) <= RSS_LIMIT_MIB ? "ok" : "EXCEEDED"
    })`,
  );
  console.log(`  file size ${ok ? "matches" : "DIFFERS"}; SHA-256 verified by the downloader`);
  await Deno.remove(hugeDir, { recursive: true });
  await Deno.remove(hugeTarget, { recursive: true });
}

const dir = await Deno.makeTempDir({ prefix: "peersync-bench-" });
const tracker = values["no-peers"] ? undefined : await TrackerProcess.start(undefined, ["--quiet"]);
try {
  const sourceDir = `${dir}/source`;
  await Deno.mkdir(sourceDir);
  const source = `${sourceDir}/big.bin`;
  await makeFile(source);
  const socat = await ensureSocat();
  console.log(`PeerSync transfer benchmark: ${size / MiB} MiB over loopback, ${runs} runs each`);
  console.log(`project: ${projectRoot}`);
  if (!socat) console.log("socat is not installed (and cannot be here): the C baseline is skipped");
  await microBenchmarks(source);
  for (let run = 1; run <= runs; run++) {
    console.log(`run ${run}:`);
    let socatMs: number | undefined;
    if (socat) {
      const socatDefault = await socatCopy(source, `${dir}/socat.bin`);
      await Deno.remove(`${dir}/socat.bin`).catch(() => {});
      if (socatDefault !== undefined) {
        console.log(rate("socat (C) copy, its default 8 KiB buffer", size, socatDefault));
      }
      socatMs = await socatCopy(source, `${dir}/socat.bin`, MiB);
      await Deno.remove(`${dir}/socat.bin`).catch(() => {});
      if (socatMs !== undefined) {
        console.log(rate("socat (C) copy, -b 1 MiB — baseline", size, socatMs));
      }
    }
    const bare = await bareDenoCopy(source, `${dir}/bare.bin`);
    await Deno.remove(`${dir}/bare.bin`);
    console.log(rate("bare Deno socket copy", size, bare));
    const target = `${dir}/pair-target`;
    await Deno.mkdir(target);
    const pair = await transferPair(sourceDir, "big.bin", target);
    await Deno.remove(target, { recursive: true });
    console.log(rate("v2 pair (upload server → download, SHA-256)", size, pair.ms));
    console.log(
      `  ${"".padEnd(40)} peak RSS: uploader ${pair.uploaderMiB.toFixed(0)} MiB, downloader ${
        pair.downloaderMiB.toFixed(0)
      } MiB; one-time hash at pub ${(pair.hashMs / 1000).toFixed(2)} s`,
    );
    if (socatMs !== undefined) {
      console.log(ratio("v2 pair vs socat", socatMs / pair.ms, " (target ≥ 0.80x)"));
    }
    console.log(ratio("v2 pair vs bare Deno copy", bare / pair.ms));
    await Deno.mkdir(target);
    const worker = await transferPair(sourceDir, "big.bin", target, true);
    await Deno.remove(target, { recursive: true });
    console.log(rate("v2 pair, verifying on a worker thread", size, worker.ms));
    console.log(
      `  ${"".padEnd(40)} peak RSS: downloader ${worker.downloaderMiB.toFixed(0)} MiB`,
    );
    if (socatMs !== undefined) console.log(ratio("v2 pair (worker) vs socat", socatMs / worker.ms));
    if (tracker !== undefined) {
      const peer = await peerTransfer(tracker, source);
      console.log(rate("peer → peer (pub, get)", size, peer.ms));
      console.log(
        `  ${"".padEnd(40)} peak RSS: uploader ${peer.uploaderMiB.toFixed(0)} MiB, downloader ${
          peer.downloaderMiB.toFixed(0)
        } MiB`,
      );
      if (socatMs !== undefined) console.log(ratio("peer vs socat", socatMs / peer.ms));
      console.log(ratio("peer vs bare Deno copy", bare / peer.ms));
    }
  }
  if (values.huge) await hugeRun(dir);
} finally {
  await tracker?.stop();
  await Deno.remove(dir, { recursive: true });
}
