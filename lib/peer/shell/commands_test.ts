import assert from "node:assert/strict";
import {
  AVAILABLE_COMMANDS,
  describeCommandProblem,
  formatCommandProblem,
  parseCommand,
} from "./commands.ts";
import {
  formatDownloadCancelled,
  formatDownloaded,
  formatDownloadFailed,
  formatReply,
} from "./reply_lines.ts";

Deno.test("welcome line lists the commands word for word", () => {
  assert.equal(AVAILABLE_COMMANDS, "Available commands are: get, lap, lpf, pub, sch, unp, xit.");
});

Deno.test("parseCommand reads each command with its argument", () => {
  assert.deepEqual(parseCommand("lap"), { ok: true, command: { kind: "lap" } });
  assert.deepEqual(parseCommand("lpf"), { ok: true, command: { kind: "lpf" } });
  assert.deepEqual(parseCommand("xit"), { ok: true, command: { kind: "xit" } });
  assert.deepEqual(parseCommand("pub a.txt"), {
    ok: true,
    command: { kind: "pub", file: "a.txt" },
  });
  assert.deepEqual(parseCommand("unp a.txt"), {
    ok: true,
    command: { kind: "unp", file: "a.txt" },
  });
  assert.deepEqual(parseCommand("get a.txt"), {
    ok: true,
    command: { kind: "get", file: "a.txt" },
  });
  assert.deepEqual(parseCommand("sch port"), { ok: true, command: { kind: "sch", text: "port" } });
});

Deno.test("parseCommand tolerates surrounding blanks and a carriage return", () => {
  assert.deepEqual(parseCommand("  get \t a.txt  \r"), {
    ok: true,
    command: { kind: "get", file: "a.txt" },
  });
});

Deno.test("an empty or blank line is the empty command", () => {
  assert.deepEqual(parseCommand(""), { ok: true, command: { kind: "empty" } });
  assert.deepEqual(parseCommand("   \t"), { ok: true, command: { kind: "empty" } });
});

Deno.test("an unknown word is refused in one short line that points to help, not the whole list", () => {
  const parsed = parseCommand("foo bar");
  assert.deepEqual(parsed, { ok: false, problem: { kind: "unknownCommand", word: "foo" } });
  assert.equal(
    formatCommandProblem({ kind: "unknownCommand", word: "foo" }),
    'Unknown command "foo". Type help for the list of commands.',
  );
});

Deno.test("commands are case-sensitive", () => {
  assert.equal(parseCommand("LAP").ok, false);
});

Deno.test("a missing argument is named", () => {
  assert.deepEqual(parseCommand("pub"), {
    ok: false,
    problem: { kind: "missingArgument", command: "pub" },
  });
  assert.equal(
    formatCommandProblem({ kind: "missingArgument", command: "pub" }),
    "pub needs a file name. Type help pub for its usage.",
  );
  assert.equal(
    formatCommandProblem({ kind: "missingArgument", command: "sch" }),
    "sch needs a search text. Type help sch for its usage.",
  );
  // A version without a name lacks the name; it does not have one too many.
  for (const line of ["get -v 2", "get -v abcd"]) {
    assert.deepEqual(parseCommand(line), {
      ok: false,
      problem: { kind: "missingArgument", command: "get" },
    }, line);
  }
});

Deno.test("an extra argument is refused", () => {
  assert.deepEqual(parseCommand("lap now"), {
    ok: false,
    problem: { kind: "extraArgument", command: "lap" },
  });
  assert.deepEqual(parseCommand("get a b"), {
    ok: false,
    problem: { kind: "extraArgument", command: "get" },
  });
  assert.equal(
    formatCommandProblem({ kind: "extraArgument", command: "xit" }),
    "xit takes no argument. Type help xit for its usage.",
  );
});

Deno.test("an unknown option names itself and the command's usage in one line", () => {
  assert.deepEqual(parseCommand("sch -x foo"), {
    ok: false,
    problem: { kind: "unknownOption", command: "sch", option: "-x" },
  });
  assert.deepEqual(parseCommand("sch -e --exact foo"), {
    ok: false,
    problem: { kind: "unknownOption", command: "sch", option: "--exact" },
  });
  assert.deepEqual(parseCommand("pub -f a.txt"), {
    ok: false,
    problem: { kind: "unknownOption", command: "pub", option: "-f" },
  });
  assert.equal(
    formatCommandProblem({ kind: "unknownOption", command: "sch", option: "-x" }),
    "unknown option -x for sch; usage: sch [-e] [-l] TEXT",
  );
  assert.equal(
    formatCommandProblem({ kind: "unknownOption", command: "get", option: "-z" }),
    "unknown option -z for get; usage: get [-v N] FILE",
  );
  // A dash word alone is what to search for or a name, as before.
  const alone = parseCommand("sch -x");
  assert.ok(alone.ok && alone.command.kind === "sch" && alone.command.text === "-x");
  const name = parseCommand("get -");
  assert.ok(name.ok && name.command.kind === "get" && name.command.file === "-");
});

Deno.test("an invalid file name is refused with the reason", () => {
  for (
    const [name, reason] of [
      ["..", "dot name"],
      ["a/b", "path separator"],
      ["a\\b", "path separator"],
      ["a\u00a0b", "whitespace or control character"],
      ["a\u0085b", "whitespace or control character"],
      ["x".repeat(256), "too long"],
    ] as const
  ) {
    const parsed = parseCommand(`pub ${name}`);
    assert.deepEqual(parsed, {
      ok: false,
      problem: { kind: "invalidFileName", command: "pub", file: name, problem: reason },
    });
  }
  assert.equal(
    formatCommandProblem({
      kind: "invalidFileName",
      command: "get",
      file: "a/b",
      problem: "path separator",
    }),
    'Invalid file name "a/b": path separator',
  );
});

Deno.test("a search text with a control character is refused", () => {
  const parsed = parseCommand("sch a\u0001b");
  assert.equal(parsed.ok, false);
  assert.equal(!parsed.ok && parsed.problem.kind, "invalidSearchText");
});

const list = (names: string[], omitted = 0) => ({ names, omitted });

Deno.test("lap prints no peers, one peer, or a count then names", () => {
  assert.deepEqual(formatReply("lap", { kind: "peers", list: list([]) }), ["No active peers"]);
  assert.deepEqual(formatReply("lap", { kind: "peers", list: list(["bob"]) }), [
    "1 active peer:",
    "bob",
  ]);
  assert.deepEqual(formatReply("lap", { kind: "peers", list: list(["bob", "carol"]) }), [
    "2 active peers:",
    "bob",
    "carol",
  ]);
});

Deno.test("lpf prints 'No files published', not the wire's 'No published files'", () => {
  assert.deepEqual(formatReply("lpf", { kind: "publishedFiles", list: list([]) }), [
    "No files published",
  ]);
  assert.deepEqual(formatReply("lpf", { kind: "publishedFiles", list: list(["a"]) }), [
    "1 file published:",
    "a",
  ]);
  assert.deepEqual(formatReply("lpf", { kind: "publishedFiles", list: list(["a", "b", "c"]) }), [
    "3 files published:",
    "a",
    "b",
    "c",
  ]);
});

Deno.test("sch prints no files found, one file, or a count then names", () => {
  assert.deepEqual(formatReply("sch", { kind: "found", list: list([]) }), ["No files found"]);
  assert.deepEqual(formatReply("sch", { kind: "found", list: list(["a"]) }), [
    "1 file found:",
    "a",
  ]);
  assert.deepEqual(formatReply("sch", { kind: "found", list: list(["a", "b"]) }), [
    "2 files found:",
    "a",
    "b",
  ]);
});

Deno.test("a shortened list counts every name and ends with the omitted count", () => {
  assert.deepEqual(formatReply("sch", { kind: "found", list: list(["a", "b"], 40) }), [
    "42 files found:",
    "a",
    "b",
    "\u2026and 40 more",
  ]);
  assert.deepEqual(formatReply("lap", { kind: "peers", list: list([], 1) }), [
    "1 active peer:",
    "\u2026and 1 more",
  ]);
});

Deno.test("pub, unp and get replies print the v1 texts", () => {
  assert.deepEqual(formatReply("pub", { kind: "published" }), ["File published successfully"]);
  assert.deepEqual(formatReply("unp", { kind: "unpublished" }), ["File unpublished successfully"]);
  assert.deepEqual(formatReply("unp", { kind: "unpublishFailed" }), ["File unpublication failed"]);
  assert.deepEqual(formatReply("get", { kind: "fileNotFound" }), ["File not found"]);
  assert.deepEqual(formatReply("get", { kind: "noActiveHolder" }), [
    "No active peer has this file",
  ]);
});

Deno.test("a refusal from the tracker prints one clear line", () => {
  assert.deepEqual(formatReply("lap", { kind: "error" }), ["The tracker refused the request"]);
});

Deno.test("download outcomes print the file name", () => {
  assert.equal(formatDownloaded("a.txt"), "a.txt downloaded successfully");
  assert.equal(
    formatDownloadFailed("a.txt", "connection refused by 127.0.0.1:9"),
    "Download of a.txt failed: connection refused by 127.0.0.1:9",
  );
});

Deno.test("no usage mistake repeats the command list; a one-shot gets the sentence alone", () => {
  const problems = [
    { kind: "unknownCommand", word: "lsp" },
    { kind: "missingArgument", command: "get" },
    { kind: "extraArgument", command: "unp" },
    { kind: "badQuoting", problem: "unclosed quote" },
  ] as const;
  for (const problem of problems) {
    assert.doesNotMatch(formatCommandProblem(problem), /Available commands|get, lap/);
    assert.ok(formatCommandProblem(problem).startsWith(describeCommandProblem(problem)));
    assert.doesNotMatch(describeCommandProblem(problem), /help/);
  }
});

Deno.test("a cancelled download says how to resume it in words that can be typed back", () => {
  assert.equal(
    formatDownloadCancelled("a.bin"),
    "Download of a.bin cancelled; what arrived is kept: get a.bin resumes it",
  );
  assert.equal(
    formatDownloadCancelled("my report.pdf"),
    'Download of "my report.pdf" cancelled; what arrived is kept: get "my report.pdf" resumes it',
  );
  const parsed = parseCommand('get "my report.pdf"');
  assert.deepEqual(parsed, { ok: true, command: { kind: "get", file: "my report.pdf" } });
});
