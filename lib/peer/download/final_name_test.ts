import assert from "node:assert/strict";
import { join } from "node:path";
import { exists } from "../../util/mod.ts";
import { DownloadError } from "./errors.ts";
import { placeWithoutOverwriting, type PlacingCalls, placingClaimName } from "./final_name.ts";

/** A file system without hard links (vfat answers `link()` with EPERM); renames are real. */
function withoutHardLinks(
  beforeRename: () => Promise<void> = () => Promise.resolve(),
): PlacingCalls {
  return {
    link: () => Promise.reject(new Deno.errors.PermissionDenied("Operation not permitted")),
    rename: async (from, to) => {
      await beforeRename();
      await Deno.rename(from, to);
    },
  };
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("without hard links, nothing is under the final name until the whole file is", () =>
  withDir(async (dir) => {
    const temp = join(dir, ".peersync-x.part");
    const final = join(dir, "a.txt");
    await Deno.writeTextFile(temp, "the whole file");
    // What a crash just before the rename would leave behind.
    let finalBeforeRename: boolean | undefined;
    const calls = withoutHardLinks(async () => {
      finalBeforeRename = await exists(final);
    });
    await placeWithoutOverwriting(temp, final, { file: "a.txt", dir, calls });
    assert.deepEqual(finalBeforeRename, false);
    assert.deepEqual(await Deno.readTextFile(final), "the whole file");
    assert.deepEqual(await exists(join(dir, placingClaimName("a.txt"))), false);
  }));

Deno.test("without hard links, a file that appeared under the final name is kept", () =>
  withDir(async (dir) => {
    const temp = join(dir, ".peersync-x.part");
    const final = join(dir, "a.txt");
    await Deno.writeTextFile(temp, "downloaded");
    await Deno.writeTextFile(final, "mine");
    await assert.rejects(
      () => placeWithoutOverwriting(temp, final, { file: "a.txt", dir, calls: withoutHardLinks() }),
      (error) => error instanceof DownloadError && error.kind === "exists",
    );
    assert.deepEqual(await Deno.readTextFile(final), "mine");
    assert.deepEqual(await exists(join(dir, placingClaimName("a.txt"))), false);
  }));

Deno.test("without hard links, two downloads placing one name at once never overwrite each other", () =>
  withDir(async (dir) => {
    const final = join(dir, "a.txt");
    const temps = ["one", "two"].map((text) => ({
      text,
      path: join(dir, `.peersync-${text}.part`),
    }));
    for (const { text, path } of temps) await Deno.writeTextFile(path, text);
    const outcomes = await Promise.allSettled(
      temps.map(({ path }) =>
        placeWithoutOverwriting(path, final, { file: "a.txt", dir, calls: withoutHardLinks() })
      ),
    );
    const placed = outcomes.flatMap((outcome, at) =>
      outcome.status === "fulfilled" ? [temps[at].text] : []
    );
    assert.deepEqual(placed.length, 1);
    assert.deepEqual(await Deno.readTextFile(final), placed[0]);
    const reasons = outcomes.flatMap((outcome) =>
      outcome.status === "rejected" ? [outcome.reason] : []
    );
    assert.deepEqual(reasons.length, 1);
    assert.ok(reasons[0] instanceof DownloadError && reasons[0].kind === "exists");
  }));

Deno.test("without hard links, a claim left by a placement that died is taken over", () =>
  withDir(async (dir) => {
    const temp = join(dir, ".peersync-x.part");
    const final = join(dir, "a.txt");
    const claim = join(dir, placingClaimName("a.txt"));
    await Deno.writeTextFile(temp, "the whole file");
    await Deno.writeTextFile(claim, "");
    const longAgo = new Date(Date.now() - 60_000);
    await Deno.utime(claim, longAgo, longAgo);
    await placeWithoutOverwriting(temp, final, { file: "a.txt", dir, calls: withoutHardLinks() });
    assert.deepEqual(await Deno.readTextFile(final), "the whole file");
    assert.deepEqual(await exists(claim), false);
  }));

Deno.test("with hard links, an existing final name is refused and kept", () =>
  withDir(async (dir) => {
    const temp = join(dir, ".peersync-x.part");
    const final = join(dir, "a.txt");
    await Deno.writeTextFile(temp, "downloaded");
    await Deno.writeTextFile(final, "mine");
    await assert.rejects(
      () => placeWithoutOverwriting(temp, final, { file: "a.txt", dir }),
      DownloadError,
    );
    assert.deepEqual(await Deno.readTextFile(final), "mine");
  }));
