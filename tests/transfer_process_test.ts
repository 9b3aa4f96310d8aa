import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type ByteRange,
  coveredBytes,
  decodeResumeNote,
  DownloadError,
  downloadFromHolders,
  resumablePartName,
  resumeNoteName,
} from "../lib/peer/download/mod.ts";
import { Program } from "./support/programs.ts";
import { sameBytes } from "./support/peers.ts";
import {
  downloadWithCut,
  listDir,
  MiB,
  randomBytes,
  withSeeders,
  withTarget,
} from "./support/transfer_fixtures.ts";

/** The real upload server in its own process (bench/transfer_pair.ts). */
async function uploaderProcess(dir: string, rate?: number) {
  const program = new Program("bench/transfer_pair.ts", [
    "serve",
    dir,
    "a.bin",
    ...(rate === undefined ? [] : [String(rate)]),
  ]);
  const [, port, size, sha256] = await program.stdout.waitFor(
    /ready (\d+) (\d+) ([0-9a-f]{64})/,
    20_000,
  );
  return {
    program,
    holder: { user: "alice", host: "127.0.0.1", port: Number(port), size: Number(size), sha256 },
  };
}

Deno.test("an uploader process killed mid-transfer: the download fails, then resumes from a restarted one", async () => {
  const share = await Deno.makeTempDir({ prefix: "peersync-share-" });
  await withTarget(async (target) => {
    const content = randomBytes(4 * MiB);
    await Deno.writeFile(join(share, "a.bin"), content);
    const first = await uploaderProcess(share, 2 * MiB);
    let second: Awaited<ReturnType<typeof uploaderProcess>> | undefined;
    try {
      const outcome = await downloadWithCut(
        { file: "a.bin", dir: target, holders: [first.holder], stallTimeoutMs: 2000 },
        { when: ({ received }) => received >= MiB, by: () => first.program.stop("SIGKILL") },
      ).then(() => "completed", (error: unknown) => error);
      assert.ok(outcome instanceof DownloadError, String(outcome));
      const part = resumablePartName("a.bin", first.holder.sha256);
      assert.deepEqual(listDir(target), [part]);
      const kept = (await Deno.stat(join(target, part))).size;
      assert.ok(kept >= MiB && kept < content.length);

      second = await uploaderProcess(share);
      const result = await downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [second.holder],
      });
      assert.equal(result.resumedFrom, kept);
      assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
      assert.deepEqual(listDir(target), ["a.bin"]);
    } finally {
      await first.program.stop();
      await second?.program.stop();
      await Deno.remove(share, { recursive: true });
    }
  });
});

Deno.test("a full disk stops the download at once with its reason, blames no holder and keeps what was written", async () => {
  const content = randomBytes(4 * MiB);
  const publish = { file: "a.bin", content };
  await withSeeders(
    { seeders: { alice: {}, bob: {} }, publish },
    async ({ alice, bob }, target) => {
      const { size, sha256 } = alice.published.get("a.bin")!;
      const ports = `${alice.server.addr.port},${bob.server.addr.port}`;
      // A file-size limit stands in for a full disk: past it, writes fail (EFBIG) instead of the
      // process being killed, because SIGXFSZ is ignored and stays ignored across exec.
      const downloader = new Program(
        "bench/transfer_pair.ts",
        ["get", target, "a.bin", String(size), sha256, ports],
        { shellPrelude: "trap '' XFSZ; ulimit -f 2048" },
      );
      try {
        const [line] = await downloader.stdout.waitFor(/(done|failed) .*/, 20_000);
        assert.match(line, /^failed cannot write into .*: File too large/);
        assert.doesNotMatch(line, /every holder failed/);
        assert.match(line, /kept; get it again to resume\)$/);
        // The first holder's bytes filled the limit; the second was never asked.
        assert.equal(bob.server.stats.uploadsStarted, 0);
        const part = resumablePartName("a.bin", sha256);
        assert.deepEqual(listDir(target), [part]);
        const kept = (await Deno.stat(join(target, part))).size;
        assert.ok(kept > 0 && kept <= 2048 * 1024 && kept < content.length, `${kept}`);
      } finally {
        await downloader.stop();
      }
    },
  );
});

Deno.test("a downloader process killed mid multi-source download leaves a note, and the next get fetches only the holes", async () => {
  const content = randomBytes(8 * MiB);
  const slow = { rateLimitBytesPerSecond: 2 * MiB };
  const publish = { file: "a.bin", content };
  await withSeeders({ seeders: { alice: slow, bob: slow }, publish }, async (seeders, target) => {
    const { size, sha256 } = seeders.alice.published.get("a.bin")!;
    const ports = `${seeders.alice.server.addr.port},${seeders.bob.server.addr.port}`;
    const downloader = new Program("bench/transfer_pair.ts", [
      "get",
      target,
      "a.bin",
      String(size),
      sha256,
      ports,
      `threshold=${MiB}`,
    ]);
    const part = join(target, resumablePartName("a.bin", sha256));
    const notePath = join(target, resumeNoteName(resumablePartName("a.bin", sha256)));
    let noted: ByteRange[] | undefined;
    try {
      // Wait for a note (rewritten about once a second) that shows both holders' ranges started.
      const deadline = Date.now() + 15_000;
      while ((noted?.length ?? 0) < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const text = await Deno.readTextFile(notePath).catch(() => undefined);
        const length = await Deno.stat(part).then((info) => info.size, () => 0);
        noted = text === undefined ? undefined : decodeResumeNote(text, size, length);
      }
      assert.ok(noted !== undefined && noted.length === 2, JSON.stringify(noted));
    } finally {
      await downloader.stop("SIGKILL");
    }
    const result = await downloadFromHolders({
      file: "a.bin",
      dir: target,
      holders: Object.values(seeders).map((seeder) => seeder.holder("a.bin")),
      parallel: 1,
    });
    // At least what the note said survived the kill, and only the rest was fetched again.
    assert.ok(result.resumedFrom >= coveredBytes(noted), `${result.resumedFrom}`);
    const fetched = result.sources.reduce((sum, source) => sum + source.bytes, 0);
    assert.equal(fetched, size - result.resumedFrom);
    assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
    assert.deepEqual(listDir(target), ["a.bin"]);
  });
});
