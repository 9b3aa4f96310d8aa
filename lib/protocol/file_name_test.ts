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
