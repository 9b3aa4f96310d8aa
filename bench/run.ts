/**
 * `deno task bench`: a 1 GiB loopback transfer between two real peers, next to baselines measured
 * in the same run on the same file: a bare Deno socket copy (same buffer, no protocol) and, where
 * Debian's socat is installed, a C copy. Prints MB/s, the ratios and each peer's peak memory.
 *
 * Sizes can be changed for a quick look: `deno task bench --mib 256`.
 */

import { parseArgs } from "node:util";
import { Program, projectRoot, TrackerProcess } from "../tests/support/programs.ts";
import { PeerProcess } from "../tests/support/peers.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { mib: { type: "string", default: "1024" }, runs: { type: "string", default: "2" } },
});
const MiB = 1024 * 1024;
const size = Number(values.mib) * MiB;
const runs = Number(values.runs);

function mbPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
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

async function bareDenoCopy(source: string, target: string): Promise<number> {
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

async function socatCopy(source: string, target: string): Promise<number | undefined> {
  try {
    await new Deno.Command("socat", { args: ["-V"], stdout: "null", stderr: "null" }).output();
  } catch {
    return undefined;
  }
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const receiver = new Deno.Command("socat", {
    args: ["-u", `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, `CREATE:${target}`],
  }).spawn();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = performance.now();
  const sender = await new Deno.Command("socat", {
    args: ["-u", `OPEN:${source}`, `TCP:127.0.0.1:${port}`],
  }).output();
  await receiver.status;
  const elapsed = performance.now() - started;
  if (!sender.success || !await sameSize(source, target)) return undefined;
  return elapsed;
}

async function peerTransfer(
  tracker: TrackerProcess,
  source: string,
): Promise<{ ms: number; uploaderMiB: number; downloaderMiB: number }> {
  const alice = await PeerProcess.start(tracker.port);
  const bob = await PeerProcess.start(tracker.port);
  try {
    await alice.login("alice", "alice-pw");
    await bob.login("bob", "bob-pw");
    await Deno.link(source, `${alice.dir}/big.bin`);
    await alice.run("pub big.bin", "File published successfully");
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

const dir = await Deno.makeTempDir({ prefix: "peersync-bench-" });
const tracker = await TrackerProcess.start(undefined, ["--quiet"]);
try {
  const source = `${dir}/source.bin`;
  await makeFile(source);
  console.log(`PeerSync transfer benchmark: ${size / MiB} MiB over loopback, ${runs} runs each`);
  console.log(`project: ${projectRoot}`);
  for (let run = 1; run <= runs; run++) {
    const baseline = await bareDenoCopy(source, `${dir}/baseline.bin`);
    await Deno.remove(`${dir}/baseline.bin`);
    const socat = await socatCopy(source, `${dir}/socat.bin`);
    await Deno.remove(`${dir}/socat.bin`).catch(() => {});
    const peer = await peerTransfer(tracker, source);
    const peerRate = mbPerSecond(size, peer.ms);
    const baseRate = mbPerSecond(size, baseline);
    console.log(`run ${run}:`);
    console.log(`  bare Deno socket copy (baseline) ${baseRate.toFixed(0).padStart(6)} MB/s`);
    if (socat !== undefined) {
      const socatRate = mbPerSecond(size, socat);
      console.log(`  socat (C) copy                   ${socatRate.toFixed(0).padStart(6)} MB/s`);
      console.log(`  peer vs socat                    ${(peerRate / socatRate).toFixed(2)}x`);
    }
    console.log(`  peer → peer (get)                ${peerRate.toFixed(0).padStart(6)} MB/s`);
    console.log(
      `  peer vs bare copy                ${(peerRate / baseRate).toFixed(2)}x (target ≥ 0.80x)`,
    );
    console.log(
      `  peak RSS: uploader ${peer.uploaderMiB.toFixed(0)} MiB, downloader ${
        peer.downloaderMiB.toFixed(0)
      } MiB`,
    );
  }
} finally {
  await tracker.stop();
  await Deno.remove(dir, { recursive: true });
}
