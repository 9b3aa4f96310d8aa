import assert from "node:assert/strict";
import { fileNameProblem, isValidFileName } from "./file_name.ts";

Deno.test("file names of 1 to 255 UTF-8 bytes are valid", () => {
  for (
    const name of ["a", "report.final.pdf", "日本語.txt", "x".repeat(255), ".hidden", "...", "a,b"]
  ) {
    assert.ok(isValidFileName(name), name);
  }
});

Deno.test("file names breaking the rule are refused, never normalised", () => {
  const cases: [string, string][] = [
    ["", "empty"],
    ["x".repeat(256), "too long"],
    ["é".repeat(128), "too long"],
    ["a b", "whitespace or control character"],
    ["a\u0085", "whitespace or control character"],
    ["a\u00a0", "whitespace or control character"],
    ["a\u2028", "whitespace or control character"],
    ["a\u3000", "whitespace or control character"],
    ["a\u007f", "whitespace or control character"],
    ["a\u202eb", "bidi override or isolate"],
    ["\u202atxt.exe", "bidi override or isolate"],
    ["a\u202c", "bidi override or isolate"],
    ["a\u2066b", "bidi override or isolate"],
    ["a\u2069", "bidi override or isolate"],
    ["./a", "path separator"],
    ["/a", "path separator"],
    ["a/", "path separator"],
    ["a\\b", "path separator"],
    [".", "dot name"],
    ["..", "dot name"],
    ["\ud800", "not well-formed Unicode"],
  ];
  for (const [name, problem] of cases) assert.equal(fileNameProblem(name), problem, name);
});

Deno.test("bidi marks that do not reorder (U+200E, U+200F) stay allowed in names", () => {
  assert.equal(fileNameProblem("a\u200eb"), undefined);
  assert.equal(fileNameProblem("\u05d0\u200f.txt"), undefined);
});
