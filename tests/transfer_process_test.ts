import assert from "node:assert/strict";
import { join } from "node:path";
import { DownloadError } from "../lib/peer/download.ts";
import { downloadFromHolders } from "../lib/peer/multi_source.ts";
import { resumablePartName } from "../lib/peer/part_file.ts";
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
