import assert from "node:assert/strict";
import { join } from "node:path";
import { NotOwnFileError, openOwnFile, readOwnText, replaceOwnTextSync } from "./own_file.ts";

async function inTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("an own file is created, reopened with its bytes, and emptied on request", async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, ".peersync-x.part");
    (await openOwnFile(path)).close();
    await Deno.writeTextFile(path, "kept");
    {
      using file = await openOwnFile(path);
      assert.equal((await file.stat()).size, 4);
    }
    (await openOwnFile(path, { truncate: true })).close();
    assert.equal((await Deno.stat(path)).size, 0);
  });
});

Deno.test("a directory under an own file's name is refused", async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, ".peersync-x.part");
    await Deno.mkdir(path);
    await assert.rejects(openOwnFile(path), NotOwnFileError);
  });
});

Deno.test("text is read only from a regular file within the size bound", async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, "note");
    assert.equal(await readOwnText(path, 100), undefined);
    replaceOwnTextSync(path, "hello");
    assert.equal(await readOwnText(path, 100), "hello");
    assert.equal(await readOwnText(path, 4), undefined);
    // Replacing leaves no temporary file behind, and replaces a planted link, not its target.
    await Deno.remove(path);
    await Deno.writeTextFile(join(dir, "target"), "theirs");
    await Deno.symlink(join(dir, "target"), path);
    assert.equal(await readOwnText(path, 100), undefined);
    replaceOwnTextSync(path, "ours");
    assert.equal(await Deno.readTextFile(join(dir, "target")), "theirs");
    assert.equal(await readOwnText(path, 100), "ours");
    assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name).sort(), [
      "note",
      "target",
    ]);
  });
});
