import assert from "node:assert/strict";
import { clusterColumns, clusters, columns, fitColumns } from "./text_columns.ts";

Deno.test("text columns: CJK, fullwidth and emoji take two columns, combining marks none", () => {
  assert.equal(columns("日本語"), 6);
  assert.equal(columns("ＡＢ"), 4);
  assert.equal(columns("한국어"), 6);
  assert.equal(columns("e\u0301"), 1);
  assert.equal(columns("👍🏽"), 2);
  assert.equal(columns("🇯🇵"), 2);
  assert.equal(columns("👨‍👩‍👧"), 2);
  assert.equal(columns("❤️"), 2);
  assert.equal(columns("©"), 1);
  assert.equal(columns("report.pdf"), 10);
  assert.equal(clusterColumns("\u200b"), 0);
});

Deno.test("text columns: clusters keep an accent, a flag and a ZWJ family whole", () => {
  assert.deepEqual(clusters("ae\u0301🇯🇵👨‍👩‍👧"), ["a", "e\u0301", "🇯🇵", "👨‍👩‍👧"]);
});

Deno.test("text columns: fitColumns never lets a wide character straddle the edge", () => {
  assert.equal(fitColumns("a日本", 2), "a");
  assert.equal(fitColumns("a日本", 3), "a日");
  assert.equal(fitColumns("e\u0301e\u0301", 1), "e\u0301");
  assert.equal(fitColumns("", 3), "");
});
