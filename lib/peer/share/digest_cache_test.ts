import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { DigestCache, DigestError, fileDigest } from "./digest_cache.ts";

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "peersync-digest-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a digest is computed once and re-used while size and mtime are unchanged", async () => {
  await withDir(async (dir) => {
    const content = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => i * 7);
    await Deno.writeFile(join(dir, "a.bin"), content);
    const cache = new DigestCache();
    const first = await fileDigest(dir, "a.bin", cache);
    assert.equal(first.size, content.length);
    assert.equal(first.sha256, createHash("sha256").update(content).digest("hex"));
    await fileDigest(dir, "a.bin", cache);
    assert.equal(cache.hashPasses, 1);
    // Same size, new content and mtime: hashed again.
    content[0] ^= 1;
    await Deno.writeFile(join(dir, "a.bin"), content);
    await Deno.utime(join(dir, "a.bin"), new Date(), new Date(Date.now() + 5000));
    const second = await fileDigest(dir, "a.bin", cache);
    assert.equal(cache.hashPasses, 2);
    assert.equal(second.sha256, createHash("sha256").update(content).digest("hex"));
  });
});

Deno.test("concurrent requests for one digest share a single pass", async () => {
  await withDir(async (dir) => {
    await Deno.writeFile(join(dir, "a.bin"), new Uint8Array(40 * 1024 * 1024));
    const cache = new DigestCache();
    const digests = await Promise.all([1, 2, 3].map(() => fileDigest(dir, "a.bin", cache)));
    assert.equal(cache.hashPasses, 1);
    assert.equal(new Set(digests.map((digest) => digest.sha256)).size, 1);
  });
});

Deno.test("only shareable files are hashed", async () => {
  await withDir(async (dir) => {
    const outside = await Deno.makeTempFile();
    try {
      await Deno.symlink(outside, join(dir, "link"));
      await Deno.mkdir(join(dir, "folder"));
      for (const name of ["link", "folder", "missing", "../x", ".."]) {
        await assert.rejects(fileDigest(dir, name), DigestError, name);
      }
    } finally {
      await Deno.remove(outside);
    }
  });
});

const STORE = ".peersync-digests.json";

Deno.test("a restarted cache takes digests from the share folder's cache file without reading the files", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "a.bin");
    const content = new Uint8Array(2 * 1024 * 1024).map((_, i) => i * 13);
    await Deno.writeFile(path, content);
    const first = await DigestCache.open(dir, { saveDelayMs: 20 });
    const computed = await fileDigest(dir, "a.bin", first);
    assert.equal(first.hashPasses, 1);
    assert.equal(computed.sha256, createHash("sha256").update(content).digest("hex"));
    // Written by itself shortly after the new digest (debounced), then flushed at the end.
    while (!(await exists(join(dir, STORE)))) await delay(10);
    await first.close();
    const stored = JSON.parse(await Deno.readTextFile(join(dir, STORE)));
    assert.equal(stored.entries.length, 1);
    assert.equal(stored.entries[0].name, "a.bin");
    assert.equal(stored.entries[0].sha256, computed.sha256);

    // Same size, other bytes, mtime put back: only a cache that does not read the file still
    // answers with the old digest. (Size, mtime and inode are the key; content is not checked.)
    const { mtime, atime } = await Deno.stat(path);
    const changed = content.map((byte) => byte ^ 0xff);
    await Deno.writeFile(path, changed);
    await Deno.utime(path, atime!, mtime!);
    const second = await DigestCache.open(dir);
    assert.equal((await fileDigest(dir, "a.bin", second)).sha256, computed.sha256);
    assert.equal(second.hashPasses, 0);

    // Another mtime: the entry no longer matches and the file is hashed again.
    await Deno.utime(path, atime!, new Date(mtime!.getTime() + 5000));
    const rehashed = await fileDigest(dir, "a.bin", second);
    assert.equal(second.hashPasses, 1);
    assert.equal(rehashed.sha256, createHash("sha256").update(changed).digest("hex"));
    await second.close();
    const third = await DigestCache.open(dir);
    assert.equal((await fileDigest(dir, "a.bin", third)).sha256, rehashed.sha256);
    assert.equal(third.hashPasses, 0);
    await third.close();
  });
});

Deno.test("a corrupt, hostile, oversized or symlinked cache file is ignored and replaced", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.bin"), "abc");
    const real = createHash("sha256").update("abc").digest("hex");
    const { size, mtime, ino } = await Deno.stat(join(dir, "a.bin"));
    const fake = "f".repeat(64);
    const entry = { name: "a.bin", size, mtimeMs: mtime!.getTime(), ino, sha256: fake };
    const store = (entries: unknown) => JSON.stringify({ version: 1, entries });
    const outside = await Deno.makeTempFile();
    try {
      await Deno.writeTextFile(outside, store([entry]));
      const cases: [string, () => Promise<void>, { maxFileBytes?: number }?][] = [
        ["not JSON", () => Deno.writeTextFile(join(dir, STORE), '{"version":1,"entries":[{')],
        ["not UTF-8", () => Deno.writeFile(join(dir, STORE), new Uint8Array([0x7b, 0xff, 0x7d]))],
        ["another version", () => Deno.writeTextFile(join(dir, STORE), '{"version":2}')],
        ["entries not a list", () => Deno.writeTextFile(join(dir, STORE), "[1,2,3]")],
        [
          "size as text",
          () => Deno.writeTextFile(join(dir, STORE), store([{ ...entry, size: "3" }])),
        ],
        [
          "short digest",
          () => Deno.writeTextFile(join(dir, STORE), store([{ ...entry, sha256: "f" }])),
        ],
        [
          "upper-case digest",
          () => Deno.writeTextFile(join(dir, STORE), store([{ ...entry, sha256: "F".repeat(64) }])),
        ],
        [
          "negative inode",
          () => Deno.writeTextFile(join(dir, STORE), store([{ ...entry, ino: -1 }])),
        ],
        [
          "name escaping the folder",
          () => Deno.writeTextFile(join(dir, STORE), store([{ ...entry, name: "./a.bin" }])),
        ],
        [
          "too large",
          () => Deno.writeTextFile(join(dir, STORE), store([entry]) + " ".repeat(2000)),
          { maxFileBytes: 1024 },
        ],
        ["a symlink", () => Deno.symlink(outside, join(dir, STORE))],
      ];
      for (const [what, plant, options] of cases) {
        await Deno.remove(join(dir, STORE)).catch(() => {});
        await plant();
        const cache = await DigestCache.open(dir, options);
        assert.equal((await fileDigest(dir, "a.bin", cache)).sha256, real, what);
        assert.equal(cache.hashPasses, 1, what);
        await cache.close();
        // Replaced by a regular file that holds the real digest.
        assert.ok((await Deno.lstat(join(dir, STORE))).isFile, what);
        const reopened = await DigestCache.open(dir);
        assert.equal((await fileDigest(dir, "a.bin", reopened)).sha256, real, what);
        assert.equal(reopened.hashPasses, 0, what);
        await reopened.close();
      }
      // The symlink's target was left alone.
      assert.equal(await Deno.readTextFile(outside), store([entry]));
    } finally {
      await Deno.remove(outside);
    }
  });
});

Deno.test("a cache file with more entries than the cap keeps only the newest", async () => {
  await withDir(async (dir) => {
    const entries = [];
    for (const name of ["a.bin", "b.bin", "c.bin"]) {
      await Deno.writeTextFile(join(dir, name), name);
      const { size, mtime, ino } = await Deno.stat(join(dir, name));
      entries.push({ name, size, mtimeMs: mtime!.getTime(), ino, sha256: "e".repeat(64) });
    }
    await Deno.writeTextFile(join(dir, STORE), JSON.stringify({ version: 1, entries }));
    const cache = await DigestCache.open(dir, { maxEntries: 2 });
    for (const name of ["b.bin", "c.bin"]) {
      assert.equal((await fileDigest(dir, name, cache)).sha256, "e".repeat(64));
    }
    assert.equal(cache.hashPasses, 0);
    assert.notEqual((await fileDigest(dir, "a.bin", cache)).sha256, "e".repeat(64));
    assert.equal(cache.hashPasses, 1);
    await cache.close();
  });
});

Deno.test("PeerSync's own files are never hashed or shared, not even through a symlink", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.bin"), "abc");
    const cache = await DigestCache.open(dir);
    await fileDigest(dir, "a.bin", cache);
    await cache.close();
    await Deno.symlink(join(dir, STORE), join(dir, "innocent.json"));
    await Deno.writeTextFile(join(dir, ".peersync-0123456789abcdef-0123456789abcdef.part"), "x");
    for (
      const name of [STORE, ".peersync-0123456789abcdef-0123456789abcdef.part", "innocent.json"]
    ) {
      await assert.rejects(fileDigest(dir, name), /PeerSync's own files/, name);
    }
  });
});

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("a temporary cache file a killed peer left is removed at the next open; a recent one stays", async () => {
  await withDir(async (dir) => {
    const stale = join(dir, ".peersync-digests-0123456789abcdef.tmp");
    const recent = join(dir, ".peersync-digests-fedcba9876543210.tmp");
    const mine = join(dir, "notes.peersync-digests-0123456789abcdef.tmp");
    for (const path of [stale, recent, mine]) await Deno.writeTextFile(path, '{"version":1,');
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const path of [stale, mine]) await Deno.utime(path, hourAgo, hourAgo);
    const cache = await DigestCache.open(dir);
    await cache.close();
    const left = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    assert.deepEqual(left, [
      ".peersync-digests-fedcba9876543210.tmp",
      "notes.peersync-digests-0123456789abcdef.tmp",
    ]);
  });
});
