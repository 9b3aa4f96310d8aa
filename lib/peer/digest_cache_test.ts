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
