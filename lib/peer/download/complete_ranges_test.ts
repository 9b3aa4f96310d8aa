import assert from "node:assert/strict";
import { join } from "node:path";
import { CompleteRanges } from "./complete_ranges.ts";
import { PartFile } from "./part_file.ts";
import { decodeResumeNote, encodeResumeNote } from "./resume_note.ts";

async function withPart(
  bytes: number,
  note: string | undefined,
  run: (part: PartFile, notePath: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const path = join(dir, ".peersync-x.part");
  const notePath = join(dir, ".peersync-x.resume");
  await Deno.writeFile(path, new Uint8Array(bytes).fill(7));
  if (note !== undefined) await Deno.writeTextFile(notePath, note);
  const part = await PartFile.open(path, 100);
  try {
    await run(part, notePath);
  } finally {
    part.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("without a note, the part file's length is the complete prefix", async () => {
  await withPart(40, undefined, async (part, notePath) => {
    const complete = await CompleteRanges.load(part, notePath, 100);
    assert.equal(complete.resumedFrom, 40);
    assert.deepEqual(complete.holes(), [{ start: 40, end: 100 }]);
    assert.equal(part.hashedLength, 40);
  });
});

Deno.test("a note's ranges are what is complete; bytes outside them are not", async () => {
  const note = encodeResumeNote([{ start: 0, end: 10 }, { start: 50, end: 60 }], 100);
  await withPart(70, note, async (part, notePath) => {
    const complete = await CompleteRanges.load(part, notePath, 100);
    assert.equal(complete.resumedFrom, 20);
    assert.deepEqual(complete.holes(), [{ start: 10, end: 50 }, { start: 60, end: 100 }]);
  });
  await withPart(70, "not a note", async (part, notePath) => {
    assert.equal((await CompleteRanges.load(part, notePath, 100)).resumedFrom, 0);
  });
});

/**
 * A run over 100 bytes with two ranges, [0, 50) and [50, 100), that have written [0, 20) and
 * [50, 55), with its note kept up to date.
 */
async function twoRangesStarted(part: PartFile, notePath: string) {
  const complete = await CompleteRanges.load(part, notePath, 100);
  const first = { pos: 0, end: 50 };
  const second = { pos: 50, end: 100 };
  complete.track(first);
  complete.track(second);
  await complete.useNote(true);
  part.writeAt(0, new Uint8Array(20));
  first.pos = 20;
  part.writeAt(50, new Uint8Array(5));
  second.pos = 55;
  return { complete, first, second };
}

Deno.test("after a failure: a prefix is kept as the length, holes in a note, nothing removed", async () => {
  await withPart(0, undefined, async (part, notePath) => {
    const { complete } = await twoRangesStarted(part, notePath);
    assert.equal(await complete.keepAfterFailure(part), 25);
    const reloaded = await PartFile.open(part.path, 100);
    try {
      const again = await CompleteRanges.load(reloaded, notePath, 100);
      assert.deepEqual(again.holes(), [{ start: 20, end: 50 }, { start: 55, end: 100 }]);
    } finally {
      reloaded.close();
    }
  });
  await withPart(30, undefined, async (part, notePath) => {
    const complete = await CompleteRanges.load(part, notePath, 100);
    await complete.useNote(false);
    assert.equal(await complete.keepAfterFailure(part), 30);
    assert.equal((await Deno.stat(part.path)).size, 30);
    await assert.rejects(Deno.lstat(notePath), Deno.errors.NotFound);
  });
  await withPart(0, undefined, async (part, notePath) => {
    const complete = await CompleteRanges.load(part, notePath, 100);
    assert.equal(await complete.keepAfterFailure(part), 0);
    await assert.rejects(Deno.lstat(part.path), Deno.errors.NotFound);
  });
});

Deno.test("when the last note cannot be written (a full disk), the one written before still holds", async () => {
  await withPart(0, undefined, async (part, notePath) => {
    const { complete, first } = await twoRangesStarted(part, notePath);
    complete.writeNote();
    part.writeAt(20, new Uint8Array(10));
    first.pos = 30;
    // Something in the way of the next note's temporary file makes writing it fail.
    await Deno.mkdir(`${notePath}.tmp/blocked`, { recursive: true });
    assert.equal(await complete.keepAfterFailure(part), 25);
    assert.equal((await Deno.stat(part.path)).size, 55);
    assert.deepEqual(
      decodeResumeNote(await Deno.readTextFile(notePath), 100, 55),
      [{ start: 0, end: 20 }, { start: 50, end: 55 }],
    );
  });
});
