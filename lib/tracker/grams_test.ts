import assert from "node:assert/strict";
import {
  coveringOffsets,
  foldCaseNfc,
  forEachShortGram,
  forEachTrigram,
  lineUp,
  positionBit,
  SHORT_KEY_LENGTH,
  shortGramCode,
  shortGramsOfTrigram,
  trigramCode,
  trigramText,
} from "./grams.ts";
import { SeededRandom } from "./test_random.ts";

function trigramMasks(key: string): Map<number, number> {
  const masks = new Map<number, number>();
  forEachTrigram(key, (code, mask) => {
    assert.ok(!masks.has(code), "each trigram once");
    masks.set(code, mask);
  });
  return masks;
}

Deno.test("each distinct trigram comes once, with a bit per position it starts at", () => {
  const masks = trigramMasks("abcabcab");
  assert.deepEqual(
    [...masks].map(([code, mask]) => [trigramText(code), mask]).sort(),
    [["abc", 0b1001], ["bca", 0b10010], ["cab", 0b100100]],
  );
  assert.equal(trigramMasks("ab").size, 0);
});

Deno.test("a long key keeps its head, its tail and one bit for the middle", () => {
  assert.equal(positionBit(SHORT_KEY_LENGTH, 30), 30);
  assert.equal(positionBit(40, 15), 15);
  assert.equal(positionBit(40, 16), 31); // 21 from the end: the middle
  assert.equal(positionBit(40, 37), 16); // the last trigram
  assert.equal(positionBit(40, 23), 30); // 14 from the end
});

Deno.test("lineUp never says match for a key without the query, nor none for one with it", () => {
  const random = new SeededRandom(77);
  const alphabet = ["a", "b", "ab", "ba", "c"];
  let decided = 0;
  let read = 0;
  for (let round = 0; round < 20_000; round++) {
    const key = random.text(alphabet, 1 + random.below(60));
    const start = random.below(key.length);
    const query = random.below(2) === 0
      ? key.slice(start, start + 3 + random.below(20))
      : random.text(alphabet, 2 + random.below(6));
    if (query.length < 4) continue;
    const masks = trigramMasks(key);
    const perOffset: number[] = [];
    for (let j = 0; j + 3 <= query.length; j++) {
      perOffset.push(masks.get(trigramCode(query, j)) ?? 0);
    }
    if (perOffset.includes(0)) continue; // not a candidate: some trigram is missing
    const all = perOffset.map((_, j) => j);
    const verdict = lineUp(perOffset, all, key.length, query.length);
    // A covering subset of the offsets decides the same way or asks for a read.
    const cover = coveringOffsets(query.length, random.below(perOffset.length));
    const subset = lineUp(cover.map((j) => perOffset[j]), cover, key.length, query.length);
    const contains = key.includes(query);
    if (subset === "match") assert.ok(contains, `${key} has no ${query} (subset)`);
    if (subset === "none") assert.ok(!contains, `${key} has ${query} (subset)`);
    if (verdict === "match") assert.ok(contains, `${key} has no ${query}`);
    if (verdict === "none") assert.ok(!contains, `${key} has ${query}`);
    if (verdict === "read") {
      assert.ok(key.length > SHORT_KEY_LENGTH);
      read++;
    } else decided++;
  }
  // Both outcomes happened: the masks decide short keys and the ends of long ones, not all.
  assert.ok(decided > 1000 && read > 1000, `${decided} decided, ${read} read`);
});

Deno.test("the end of a long name is matched from its masks", () => {
  const key = `${"x".repeat(50)}.1080p.x265.mkv`;
  const masks = trigramMasks(key);
  const verdict = (query: string) => {
    const offsets = coveringOffsets(query.length, 0);
    const of = offsets.map((j) => masks.get(trigramCode(query, j)) ?? 0);
    return lineUp(of, offsets, key.length, query.length);
  };
  assert.equal(verdict("x265.mkv"), "match");
  assert.equal(verdict("xxxx.1080"), "read");
  assert.equal(verdict("xxxxx"), "match"); // at the start
});

Deno.test("short grams are the distinct units and bigrams, with codes apart from each other", () => {
  const codes: number[] = [];
  forEachShortGram("abab", (code) => codes.push(code));
  assert.deepEqual(
    codes.sort((a, b) => a - b),
    ["a", "b", "ab", "ba"].map(shortGramCode).sort((a, b) => a - b),
  );
  assert.deepEqual(
    shortGramsOfTrigram(trigramCode("aab", 0)).sort((a, b) => a - b),
    ["a", "b", "aa", "ab"].map(shortGramCode).sort((a, b) => a - b),
  );
  assert.notEqual(shortGramCode("\u0001\u0000"), shortGramCode("\u0000"));
});

Deno.test("folding makes case and composition meet", () => {
  assert.equal(foldCaseNfc("Résumé"), foldCaseNfc("RE\u0301SUME\u0301"));
  assert.equal(foldCaseNfc("STRASSE"), foldCaseNfc("straße"));
});

Deno.test("a query longer than a short key never lines up, though the key has its trigrams", () => {
  const key = "abc".repeat(11); // 33 units: abc, bca and cab at every position
  const query = "abc".repeat(14); // 42 units, 40 trigram offsets: shifts past 31 would wrap
  const masks = trigramMasks(key);
  const all = Array.from({ length: query.length - 2 }, (_, j) => j);
  const masksOf = (offsets: number[]) => offsets.map((j) => masks.get(trigramCode(query, j))!);
  assert.equal(lineUp(masksOf(all), all, key.length, query.length), "none");
  const cover = coveringOffsets(query.length, 5); // offsets past 31 would wrap without the check
  assert.equal(lineUp(masksOf(cover), cover, key.length, query.length), "none");
  // Every offset of "a"×40 in "a"×33 has the same mask: wrapped shifts would line up.
  const a33 = trigramMasks("a".repeat(33)).get(trigramCode("aaa", 0))!;
  const a40 = coveringOffsets(40, 0);
  assert.equal(lineUp(a40.map(() => a33), a40, 33, 40), "none");
  const fits = all.slice(0, 31); // "abc…" of 33 units fits
  assert.equal(lineUp(masksOf(fits), fits, key.length, 33), "match");
});

Deno.test("covering offsets include the first, every third, the last and the rarest", () => {
  assert.deepEqual(coveringOffsets(3, 0), [0]);
  assert.deepEqual(coveringOffsets(10, 4), [0, 3, 4, 6, 7]);
  for (let length = 3; length < 40; length++) {
    for (let rarest = 0; rarest <= length - 3; rarest++) {
      const offsets = coveringOffsets(length, rarest);
      for (let unit = 0; unit < length; unit++) {
        assert.ok(offsets.some((offset) => offset <= unit && unit < offset + 3), `${length}`);
      }
    }
  }
});
