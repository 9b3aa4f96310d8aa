import assert from "node:assert/strict";
import { join } from "node:path";
import { downloadFromHolders } from "../lib/peer/multi_source.ts";
import { resumablePartName, resumeNoteName } from "../lib/peer/part_file.ts";
import { listDir, randomBytes, Seeder } from "./support/transfer_fixtures.ts";
import { sameBytes } from "./support/peers.ts";
import type { UploadServerOptions } from "../lib/peer/upload_server.ts";

const MiB = 1024 * 1024;

async function seeders(
  content: Uint8Array,
  options: Partial<UploadServerOptions>[],
): Promise<Seeder[]> {
  const started: Seeder[] = [];
  for (const [index, option] of options.entries()) {
    const seeder = await Seeder.start(["alice", "bob", "carol", "dave"][index], option);
    await seeder.publish("big.bin", content);
    started.push(seeder);
  }
  return started;
}

async function withTarget(run: (target: string) => Promise<void>): Promise<void> {
  const target = await Deno.makeTempDir({ prefix: "peersync-target-" });
  try {
    await run(target);
  } finally {
    await Deno.remove(target, { recursive: true });
  }
}

Deno.test("a large file comes in disjoint ranges from three holders and verifies", async () => {
  const content = randomBytes(12 * MiB + 5);
  const holders = await seeders(content, [{}, {}, {}]);
  try {
    await withTarget(async (target) => {
      const result = await downloadFromHolders({
        file: "big.bin",
        dir: target,
        holders: holders.map((seeder) => seeder.holder("big.bin")),
        multiSourceThresholdBytes: MiB,
      });
      assert.equal(result.verified, true);
      assert.deepEqual(result.fromHolders, ["alice", "bob", "carol"]);
      for (const seeder of holders) {
        assert.ok(seeder.server.stats.bytesSent > 0, `${seeder.user} served nothing`);
      }
      // (An idle holder may split a range, and its old holder overshoot the new end a little.)
      const served = holders.reduce((sum, seeder) => sum + seeder.server.stats.bytesSent, 0);
      assert.ok(served >= content.length && served < content.length + 2 * MiB, `${served}`);
      assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
      assert.deepEqual(listDir(target), ["big.bin"]);
    });
  } finally {
    await Promise.all(holders.map((seeder) => seeder.stop()));
  }
});

Deno.test("below the threshold, or with parallel 1, one holder serves the whole file", async () => {
  const content = randomBytes(3 * MiB);
  const holders = await seeders(content, [{}, {}]);
  try {
    await withTarget(async (target) => {
      await downloadFromHolders({
        file: "big.bin",
        dir: target,
        holders: holders.map((seeder) => seeder.holder("big.bin")),
        multiSourceThresholdBytes: 4 * MiB,
      });
      await Deno.remove(join(target, "big.bin"));
      await downloadFromHolders({
        file: "big.bin",
        dir: target,
        holders: holders.map((seeder) => seeder.holder("big.bin")),
        multiSourceThresholdBytes: MiB,
        parallel: 1,
      });
      assert.equal(holders[0].server.stats.bytesSent, 2 * content.length);
      assert.equal(holders[1].server.stats.bytesSent, 0);
    });
  } finally {
    await Promise.all(holders.map((seeder) => seeder.stop()));
  }
});

Deno.test("a holder that dies mid-range has the rest of its range fetched by others", async () => {
  const content = randomBytes(9 * MiB);
  // Carol is slow and then goes away; her range's remainder must move to alice or bob.
  const holders = await seeders(content, [{}, {}, { rateLimitBytesPerSecond: 2 * MiB }]);
  const carol = holders[2];
  try {
    await withTarget(async (target) => {
      let reached!: () => void;
      const halfway = new Promise<void>((resolve) => reached = resolve);
      const download = downloadFromHolders({
        file: "big.bin",
        dir: target,
        holders: holders.map((seeder) => seeder.holder("big.bin")),
        multiSourceThresholdBytes: MiB,
        stallTimeoutMs: 2000,
        onProgress: () => carol.server.stats.bytesSent >= MiB && reached(),
      });
      await halfway;
      await carol.server.close();
      const result = await download;
      assert.ok(carol.server.stats.bytesSent < 3 * MiB);
      assert.ok(result.fromHolders.includes("carol"));
      assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
      assert.deepEqual(listDir(target), ["big.bin"]);
    });
  } finally {
    await Promise.all(holders.map((seeder) => seeder.stop()));
  }
});

Deno.test("an idle holder takes half of a slow holder's range", async () => {
  const content = randomBytes(12 * MiB);
  const holders = await seeders(content, [{}, { rateLimitBytesPerSecond: 2 * MiB }]);
  try {
    await withTarget(async (target) => {
      const result = await downloadFromHolders({
        file: "big.bin",
        dir: target,
        holders: holders.map((seeder) => seeder.holder("big.bin")),
        multiSourceThresholdBytes: MiB,
      });
      // Without splitting, bob would send his whole half (6 MiB at 2 MiB/s, three seconds).
      assert.ok(holders[1].server.stats.bytesSent < 6 * MiB);
      // A split range's old holder may have sent a little past the new end (then hung up on).
      const served = holders[0].server.stats.bytesSent + holders[1].server.stats.bytesSent;
      assert.ok(served >= content.length && served < content.length + 2 * MiB, `${served}`);
      assert.ok(result.fromHolders.length === 2);
      assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
    });
  } finally {
    await Promise.all(holders.map((seeder) => seeder.stop()));
  }
});

Deno.test("a killed multi-source download resumes from its noted complete prefix, not its holes", async () => {
  const content = randomBytes(6 * MiB);
  const holders = await seeders(content, [{}, {}]);
  try {
    await withTarget(async (target) => {
      const digest = holders[0].published.get("big.bin")!.sha256;
      const part = resumablePartName("big.bin", digest);
      // As a kill would leave it: 1 MiB complete, a hole, then a later range's bytes.
      const left = new Uint8Array(4 * MiB);
      left.set(content.subarray(0, MiB));
      left.set(content.subarray(3 * MiB, 4 * MiB), 3 * MiB);
      await Deno.writeFile(join(target, part), left);
      await Deno.writeTextFile(join(target, resumeNoteName(part)), String(MiB));
      const result = await downloadFromHolders({
        file: "big.bin",
        dir: target,
        holders: holders.map((seeder) => seeder.holder("big.bin")),
        multiSourceThresholdBytes: MiB,
      });
      assert.equal(result.resumedFrom, MiB);
      assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
      assert.deepEqual(listDir(target), ["big.bin"]);
    });
  } finally {
    await Promise.all(holders.map((seeder) => seeder.stop()));
  }
});
