import assert from "node:assert/strict";
import { UsageError } from "../../cli.ts";
import { oneShotCommand } from "./one_shot.ts";

Deno.test("one-shot commands parse as the prompt's do", () => {
  assert.deepEqual(oneShotCommand(["get", "report.pdf"]), { kind: "get", file: "report.pdf" });
  assert.deepEqual(oneShotCommand(["sch", "rep"]), { kind: "sch", text: "rep" });
  assert.deepEqual(oneShotCommand(["lap"]), { kind: "lap" });
});

Deno.test("a wrong one-shot command is a usage error without the prompt's command list", () => {
  for (
    const words of [["xit"], ["frob"], ["get"], ["lap", "x"], ["get", "a", "b"], ["get", "a b"], [
      "pub",
      "../x",
    ]]
  ) {
    assert.throws(() => oneShotCommand(words), (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.doesNotMatch(error.message, /Available commands/);
      return true;
    }, words.join(" "));
  }
});
