/**
 * Holders whose bytes are wrong without breaking the protocol — a published file changed in
 * place with its size and mtime kept, or a corrupt part file left by an earlier run: the final
 * check fails, and the download finds out whose bytes to trust instead of giving up.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { DownloadError, downloadFromHolders, resumablePartName } from "../lib/peer/download/mod.ts";
import {
  listDir,
  MiB,
  randomBytes,
  type Seeder,
  withSeeders,
} from "./support/transfer_fixtures.ts";
import { sameBytes } from "./support/peers.ts";

/**
 * Flips one byte of `seeder`'s published `file` in place and puts its mtime back, so the uploader
 * still serves it as published (what an editor keeping mtimes, or bit rot, does).
 */
async function corruptInPlace(seeder: Seeder, file: string, at: number): Promise<void> {
  const path = join(seeder.dir, file);
  const { mtime } = await Deno.stat(path);
  const bytes = await Deno.readFile(path);
  bytes[at] ^= 0xff;
  await Deno.writeFile(path, bytes);
  await Deno.utime(path, mtime!, mtime!);
}

Deno.test("a holder serving a file changed in place is found out, and the honest holder supplies the file", async () => {
  const content = randomBytes(300_000);
  const publish = { file: "a.bin", content };
  await withSeeders({ seeders: { mallory: {}, bob: {} }, publish }, async (seeders, target) => {
    await corruptInPlace(seeders.mallory, "a.bin", 1234);
    const notices: string[] = [];
    const result = await downloadFromHolders({
      file: "a.bin",
      dir: target,
      holders: [seeders.mallory.holder("a.bin"), seeders.bob.holder("a.bin")],
      onNotice: (line) => notices.push(line),
    });
    assert.deepEqual(result.fromHolders, ["bob"]);
    assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
    assert.deepEqual(listDir(target), ["a.bin"]);
    assert.ok(notices.some((line) => /mallory.*does not match/.test(line)), notices.join("\n"));
  });
});

Deno.test("one of two multi-source holders wrong about one range: each is then tried alone and the file verifies", async () => {
  const content = randomBytes(6 * MiB);
  const publish = { file: "a.bin", content };
  await withSeeders({ seeders: { mallory: {}, bob: {} }, publish }, async (seeders, target) => {
    // Past the middle: in mallory's range whichever of the two halves she is given.
    await corruptInPlace(seeders.mallory, "a.bin", 5 * MiB);
    await corruptInPlace(seeders.mallory, "a.bin", MiB);
    const result = await downloadFromHolders({
      file: "a.bin",
      dir: target,
      holders: [seeders.mallory.holder("a.bin"), seeders.bob.holder("a.bin")],
      multiSourceThresholdBytes: MiB,
    });
    assert.deepEqual(result.fromHolders, ["bob"]);
    assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
    assert.deepEqual(listDir(target), ["a.bin"]);
  });
});

Deno.test("a corrupt part file left by an earlier run is thrown away and the file fetched again whole", async () => {
  const content = randomBytes(500_000);
  const publish = { file: "a.bin", content };
  await withSeeders({ seeders: { bob: {} }, publish }, async ({ bob }, target) => {
    const part = join(target, resumablePartName("a.bin", bob.published.get("a.bin")!.sha256));
    const corrupt = content.slice(0, 200_000);
    corrupt[7] ^= 0xff;
    await Deno.writeFile(part, corrupt);
    const result = await downloadFromHolders({
      file: "a.bin",
      dir: target,
      holders: [bob.holder("a.bin")],
    });
    assert.equal(result.resumedFrom, 0);
    assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
    assert.deepEqual(listDir(target), ["a.bin"]);
  });
});

Deno.test("when the only holder's bytes are wrong, the download fails saying so and leaves nothing", async () => {
  const content = randomBytes(300_000);
  const publish = { file: "a.bin", content };
  await withSeeders({ seeders: { mallory: {} }, publish }, async ({ mallory }, target) => {
    await corruptInPlace(mallory, "a.bin", 10);
    await assert.rejects(
      downloadFromHolders({ file: "a.bin", dir: target, holders: [mallory.holder("a.bin")] }),
      (error: unknown) =>
        error instanceof DownloadError && error.kind === "mismatch" &&
        /does not match/.test(error.message),
    );
    assert.deepEqual(listDir(target), []);
  });
});
