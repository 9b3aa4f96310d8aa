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
    const words of [
      ["xit"],
      ["frob"],
      ["get"],
      ["lap", "x"],
      ["get", "a", "b"],
      ["get", "a\tb\nc"],
      [
        "pub",
        "../x",
      ],
    ]
  ) {
    assert.throws(() => oneShotCommand(words), (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.doesNotMatch(error.message, /Available commands|Type help/);
      return true;
    }, words.join(" "));
  }
});

Deno.test("a one-shot argument with spaces, quotes or backslashes stays one name", () => {
  assert.deepEqual(oneShotCommand(["get", "my report.pdf"]), {
    kind: "get",
    file: "my report.pdf",
  });
  assert.deepEqual(oneShotCommand(["pub", 'say "hi" now.txt']), {
    kind: "pub",
    file: 'say "hi" now.txt',
  });
  assert.deepEqual(oneShotCommand(["unp", "it's mine.txt"]), {
    kind: "unp",
    file: "it's mine.txt",
  });
  assert.deepEqual(oneShotCommand(["sch", "-e", "my rep"]), {
    kind: "sch",
    text: "my rep",
    exact: true,
  });
  assert.deepEqual(oneShotCommand(["get", "-v", "2", "song one.ogg"]), {
    kind: "get",
    file: "song one.ogg",
    version: { kind: "number", number: 2 },
  });
  // Still one argument: two names are two words, as at the prompt.
  assert.throws(() => oneShotCommand(["get", "a b", "c"]), UsageError);
});
