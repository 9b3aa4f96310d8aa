/**
 * A download's own working files (part file, resume note) sit in the share folder under
 * `.peersync-…` names. Whatever is planted under those names — a symlink out of the folder, a hard
 * link to a file elsewhere, a FIFO — is never written through, truncated, or waited on.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DownloadError,
  downloadFile,
  downloadFromHolders,
  partFileName,
  resumablePartName,
  resumeNoteName,
} from "../lib/peer/download/mod.ts";
import { sameBytes } from "./support/peers.ts";
import {
  downloadWithCut,
  listDir,
  MiB,
  randomBytes,
  sha256,
  withSeeders,
  withTarget,
} from "./support/transfer_fixtures.ts";

/** Runs `run` with a folder outside the share folder holding `victim.txt`, then checks it. */
async function withVictim(run: (victim: string) => Promise<void>): Promise<void> {
  const outside = await Deno.makeTempDir({ prefix: "peersync-outside-" });
  const victim = join(outside, "victim.txt");
  const original = new TextEncoder().encode("a file of the user's, outside the share folder\n");
  await Deno.writeFile(victim, original);
  try {
    await run(victim);
    assert.ok(sameBytes(await Deno.readFile(victim), original), "the outside file was changed");
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
}

async function failureOf(download: Promise<unknown>): Promise<DownloadError> {
  const outcome = await download.then(() => undefined, (error: unknown) => error);
  assert.ok(outcome instanceof DownloadError, `expected a DownloadError, got ${outcome}`);
  return outcome;
}

for (const kind of ["symlink", "hard link"] as const) {
  Deno.test(`a ${kind} planted as the v2 part file is refused, and what it leads to is untouched`, async () => {
    const content = randomBytes(64 * 1024);
    const publish = { file: "a.bin", content };
    await withSeeders({ seeders: { alice: {} }, publish }, async ({ alice }, target) => {
      await withVictim(async (victim) => {
        const part = join(target, resumablePartName("a.bin", sha256(content)));
        if (kind === "symlink") await Deno.symlink(victim, part);
        else await Deno.link(victim, part);
        const error = await failureOf(
          downloadFromHolders({ file: "a.bin", dir: target, holders: [alice.holder("a.bin")] }),
        );
        assert.match(error.message, /not a file PeerSync left there; remove it and try again/);
        assert.match(error.message, kind === "symlink" ? /symbolic link/ : /hard link/);
        // Nothing was asked of the holder, and the planted name is still there as it was.
        assert.equal(alice.server.stats.bytesSent, 0);
        assert.ok((await Deno.lstat(part)).isSymlink === (kind === "symlink"));
        await assert.rejects(Deno.stat(join(target, "a.bin")), Deno.errors.NotFound);
      });
    });
  });
}

Deno.test("a symlink planted as the v1 temporary file is never truncated through", async () => {
  await withTarget(async (target) => {
    await withVictim(async (victim) => {
      // A v1 uploader: the bare file name in, the bytes out.
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const serving = (async () => {
        const conn = await listener.accept();
        await conn.read(new Uint8Array(300));
        await conn.write(new TextEncoder().encode("v1 bytes"));
        conn.close();
      })();
      await Deno.symlink(victim, join(target, partFileName("b.txt")));
      const error = await failureOf(downloadFile({
        host: "127.0.0.1",
        port: (listener.addr as Deno.NetAddr).port,
        file: "b.txt",
        dir: target,
      }));
      assert.match(error.message, /symbolic link, not a file PeerSync left there/);
      listener.close();
      await serving;
      await assert.rejects(Deno.stat(join(target, "b.txt")), Deno.errors.NotFound);
    });
  });
});

Deno.test("a resume note planted as a symlink or a FIFO is neither followed nor waited on", async () => {
  const content = randomBytes(4 * MiB);
  const publish = { file: "big.bin", content };
  await withSeeders({ seeders: { alice: {}, bob: {} }, publish }, async (seeders, target) => {
    await withVictim(async (victim) => {
      const note = join(target, resumeNoteName(resumablePartName("big.bin", sha256(content))));
      const holders = Object.values(seeders).map((seeder) => seeder.holder("big.bin"));
      // A symlink to the user's file: not read as a note, and replaced rather than written through.
      // Nor is the part file beside it then taken as a complete prefix: its bytes are wrong.
      await Deno.symlink(victim, note);
      await Deno.writeFile(
        join(target, resumablePartName("big.bin", sha256(content))),
        new Uint8Array(MiB),
      );
      const downloadsWhole = async () => {
        const options = { file: "big.bin", dir: target, holders, multiSourceThresholdBytes: MiB };
        assert.equal((await downloadFromHolders(options)).resumedFrom, 0);
        assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
      };
      await downloadsWhole();
      await Deno.remove(join(target, "big.bin"));
      // A FIFO would block a plain read forever.
      const mkfifo = await new Deno.Command("mkfifo", { args: [note] }).output();
      assert.ok(mkfifo.success);
      await downloadsWhole();
    });
  });
});

Deno.test("a part file another download is writing (its lock held) is left to it", async () => {
  const content = randomBytes(64 * 1024);
  const publish = { file: "a.bin", content };
  await withSeeders({ seeders: { alice: {} }, publish }, async ({ alice }, target) => {
    const part = join(target, resumablePartName("a.bin", sha256(content)));
    const theirs = content.slice(0, 1000);
    await Deno.writeFile(part, theirs);
    // Another peer process sharing this folder: it holds the part file's lock while it writes.
    const other = await Deno.open(part, { read: true, write: true });
    try {
      await other.lock(true);
      const error = await failureOf(
        downloadFromHolders({ file: "a.bin", dir: target, holders: [alice.holder("a.bin")] }),
      );
      assert.match(error.message, /is being written by another download/);
      assert.ok(sameBytes(await Deno.readFile(part), theirs));
      assert.equal(alice.server.stats.bytesSent, 0);
    } finally {
      other.close();
    }
    // Once it lets go, the download resumes from what it left.
    const result = await downloadFromHolders({
      file: "a.bin",
      dir: target,
      holders: [alice.holder("a.bin")],
    });
    assert.equal(result.resumedFrom, theirs.length);
    assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
  });
});

Deno.test("a file the user puts under the download's name while it runs is never overwritten", async () => {
  const content = randomBytes(2 * MiB);
  const seeders = { alice: { rateLimitBytesPerSecond: 4 * MiB } };
  await withSeeders({ seeders, publish: { file: "a.bin", content } }, async ({ alice }, target) => {
    const mine = new TextEncoder().encode("the user's own a.bin\n");
    const failure = await failureOf(downloadWithCut(
      { file: "a.bin", dir: target, holders: [alice.holder("a.bin")] },
      {
        when: ({ received }) => received >= MiB / 2,
        by: () => Deno.writeFile(join(target, "a.bin"), mine),
      },
    ));
    assert.equal(failure.kind, "exists");
    assert.match(failure.message, /^a\.bin appeared in .* meanwhile; not overwriting$/);
    assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), mine));
    assert.deepEqual(listDir(target), ["a.bin"]);
  });
});
