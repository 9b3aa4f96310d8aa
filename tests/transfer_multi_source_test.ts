import assert from "node:assert/strict";
import { join } from "node:path";
import {
  coveredBytes,
  decodeResumeNote,
  DownloadError,
  downloadFromHolders,
  type DownloadFromHoldersOptions,
  encodeResumeNote,
  resumablePartName,
  resumeNoteName,
} from "../lib/peer/download/mod.ts";
import {
  downloadWithCut,
  listDir,
  MiB,
  randomBytes,
  type Seeder,
  sha256,
  withSeeders,
} from "./support/transfer_fixtures.ts";
import { sameBytes } from "./support/peers.ts";

/** Downloading big.bin into `target` from every seeder, in ranges as soon as it is 1 MiB. */
function bigFileFrom(seeders: Record<string, Seeder>, target: string): DownloadFromHoldersOptions {
  return {
    file: "big.bin",
    dir: target,
    holders: Object.values(seeders).map((seeder) => seeder.holder("big.bin")),
    multiSourceThresholdBytes: MiB,
  };
}

Deno.test("a large file comes in disjoint ranges from three holders and verifies", async () => {
  const content = randomBytes(12 * MiB + 5);
  const publish = { file: "big.bin", content };
  await withSeeders(
    { seeders: { alice: {}, bob: {}, carol: {} }, publish },
    async (seeders, target) => {
      const result = await downloadFromHolders(bigFileFrom(seeders, target));
      assert.equal(result.verified, true);
      assert.deepEqual(result.fromHolders, ["alice", "bob", "carol"]);
      for (const seeder of Object.values(seeders)) {
        assert.ok(seeder.server.stats.bytesSent > 0, `${seeder.user} served nothing`);
      }
      // Disjoint: every byte was accepted from exactly one holder.
      const accepted = result.sources.reduce((sum, source) => sum + source.bytes, 0);
      assert.equal(accepted, content.length);
      // An idle holder may split a range in flight; the old holder has then already written up to
      // two 1 MiB chunks past the new end into socket buffers. Only a range with 4 MiB left is
      // split, i.e. one of the three untouched 4 MiB ranges other than the idle holder's own, so
      // there are at most two splits.
      const served = Object.values(seeders).reduce(
        (sum, seeder) => sum + seeder.server.stats.bytesSent,
        0,
      );
      assert.ok(served >= content.length && served <= content.length + 4 * MiB, `${served}`);
      assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
      assert.deepEqual(listDir(target), ["big.bin"]);
    },
  );
});

Deno.test("below the threshold, or with parallel 1, one holder serves the whole file", async () => {
  const content = randomBytes(3 * MiB);
  const publish = { file: "big.bin", content };
  await withSeeders({ seeders: { alice: {}, bob: {} }, publish }, async (seeders, target) => {
    await downloadFromHolders({
      ...bigFileFrom(seeders, target),
      multiSourceThresholdBytes: 4 * MiB,
    });
    await Deno.remove(join(target, "big.bin"));
    await downloadFromHolders({ ...bigFileFrom(seeders, target), parallel: 1 });
    assert.equal(seeders.alice.server.stats.bytesSent, 2 * content.length);
    assert.equal(seeders.bob.server.stats.bytesSent, 0);
  });
});

Deno.test("a holder that dies mid-range has the rest of its range fetched by others", async () => {
  const content = randomBytes(9 * MiB);
  // Carol is slow and then goes away; her range's remainder must move to alice or bob.
  const carolSlow = { alice: {}, bob: {}, carol: { rateLimitBytesPerSecond: 2 * MiB } };
  const publish = { file: "big.bin", content };
  await withSeeders({ seeders: carolSlow, publish }, async (seeders, target) => {
    const { carol } = seeders;
    const result = await downloadWithCut(
      { ...bigFileFrom(seeders, target), stallTimeoutMs: 2000 },
      { when: () => carol.server.stats.bytesSent >= MiB, by: () => carol.server.close() },
    );
    assert.ok(carol.server.stats.bytesSent < 3 * MiB);
    assert.ok(result.fromHolders.includes("carol"));
    assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
    assert.deepEqual(listDir(target), ["big.bin"]);
  });
});

Deno.test("an idle holder takes half of a slow holder's range", async () => {
  const content = randomBytes(12 * MiB);
  const bobSlow = { alice: {}, bob: { rateLimitBytesPerSecond: 2 * MiB } };
  const publish = { file: "big.bin", content };
  await withSeeders({ seeders: bobSlow, publish }, async (seeders, target) => {
    const { alice, bob } = seeders;
    const result = await downloadFromHolders(bigFileFrom(seeders, target));
    // Without splitting, bob would send his whole half (6 MiB at 2 MiB/s, three seconds).
    assert.ok(bob.server.stats.bytesSent < 6 * MiB);
    // A split range's old holder may have sent a little past the new end (then hung up on).
    const served = alice.server.stats.bytesSent + bob.server.stats.bytesSent;
    assert.ok(served >= content.length && served < content.length + 2 * MiB, `${served}`);
    assert.ok(result.fromHolders.length === 2);
    assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
  });
});

/**
 * Leaves in `target` what a killed download of `content` would: a part file 4 MiB long holding
 * `content` only in `ranges` (zeros elsewhere), and `note` beside it.
 */
async function leavePart(
  target: string,
  content: Uint8Array,
  ranges: readonly { start: number; end: number }[],
  note: string,
): Promise<void> {
  const part = resumablePartName("big.bin", sha256(content));
  const left = new Uint8Array(4 * MiB);
  for (const { start, end } of ranges) left.set(content.subarray(start, end), start);
  await Deno.writeFile(join(target, part), left);
  await Deno.writeTextFile(join(target, resumeNoteName(part)), note);
}

/** Downloads with `parallel`, checks bytes resumed and the result, and returns bytes served. */
async function resumeAndCheck(
  seeders: Record<string, Seeder>,
  target: string,
  content: Uint8Array,
  parallel: number,
  resumedFrom: number,
): Promise<number> {
  const result = await downloadFromHolders({ ...bigFileFrom(seeders, target), parallel });
  assert.equal(result.resumedFrom, resumedFrom);
  assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
  assert.deepEqual(listDir(target), ["big.bin"]);
  return Object.values(seeders).reduce((sum, seeder) => sum + seeder.server.stats.bytesSent, 0);
}

Deno.test("a killed multi-source download resumes only its holes, from the ranges its note keeps", async () => {
  const content = randomBytes(6 * MiB);
  const publish = { file: "big.bin", content };
  await withSeeders({ seeders: { alice: {}, bob: {} }, publish }, async (seeders, target) => {
    // As a kill would leave it: 1 MiB complete, a hole, then a later range's bytes.
    const done = [{ start: 0, end: MiB }, { start: 3 * MiB, end: 4 * MiB }];
    await leavePart(target, content, done, encodeResumeNote(done, content.length));
    const served = await resumeAndCheck(seeders, target, content, 1, 2 * MiB);
    // Only the two holes were asked for: [1 MiB, 3 MiB) and [4 MiB, 6 MiB).
    assert.equal(served, 4 * MiB);
  });
});

Deno.test("a note from an older peer (a bare prefix length) resumes from that prefix", async () => {
  const content = randomBytes(6 * MiB);
  const publish = { file: "big.bin", content };
  await withSeeders({ seeders: { alice: {}, bob: {} }, publish }, async (seeders, target) => {
    await leavePart(target, content, [{ start: 0, end: MiB }], String(MiB));
    const served = await resumeAndCheck(seeders, target, content, 1, MiB);
    assert.equal(served, 5 * MiB);
  });
});

Deno.test("a cancelled multi-source download keeps every finished range, and the next get fetches only the rest", async () => {
  const content = randomBytes(8 * MiB);
  // Slow enough to cancel mid-way, with both holders' ranges partly done.
  const slow = { rateLimitBytesPerSecond: 4 * MiB };
  const publish = { file: "big.bin", content };
  await withSeeders({ seeders: { alice: slow, bob: slow }, publish }, async (seeders, target) => {
    const controller = new AbortController();
    const outcome = await downloadWithCut(
      { ...bigFileFrom(seeders, target), signal: controller.signal },
      { when: ({ received }) => received >= 3 * MiB, by: () => controller.abort() },
    ).then(() => "completed", (error: unknown) => error);
    assert.ok(outcome instanceof DownloadError, String(outcome));
    const digest = sha256(content);
    const part = resumablePartName("big.bin", digest);
    const noteText = await Deno.readTextFile(join(target, resumeNoteName(part)));
    const kept = decodeResumeNote(
      noteText,
      content.length,
      (await Deno.stat(join(target, part))).size,
    );
    assert.ok(kept !== undefined && kept.length === 2, noteText);
    // One range from each holder's half: the second starts where bob's half did, past a hole.
    assert.equal(kept[0].start, 0);
    assert.equal(kept[1].start, 4 * MiB);
    const keptBytes = coveredBytes(kept);
    assert.match(outcome.message, /kept; get it again to resume\)$/);
    const result = await downloadFromHolders({ ...bigFileFrom(seeders, target), parallel: 1 });
    assert.equal(result.resumedFrom, keptBytes);
    // Exactly the holes, once each: before ranges were kept, bob's finished bytes came again.
    const fetched = result.sources.reduce((sum, source) => sum + source.bytes, 0);
    assert.equal(fetched, content.length - keptBytes);
    assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
    assert.deepEqual(listDir(target), ["big.bin"]);
  });
});
