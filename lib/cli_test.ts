import assert from "node:assert/strict";
import {
  booleanOption,
  type CommandSpec,
  helpText,
  parseCommandLine,
  parsePortArgument,
  stringOption,
  stringOptions,
  UsageError,
} from "./cli.ts";

const spec: CommandSpec = {
  name: "demo",
  invocation: "deno task demo …",
  summary: "Does a demo.",
  positionals: [{ name: "port", description: "a port" }],
  options: {
    dir: {
      type: "string",
      value: "DIR",
      description: "a description long enough that it has to be wrapped onto a second line here",
    },
    host: { type: "string", value: "HOST", description: "where", default: "127.0.0.1" },
    verbose: { type: "boolean", short: "v", description: "say more" },
  },
};

Deno.test("options and positionals parse, with defaults", () => {
  const parsed = parseCommandLine(["-v", "--dir", "x", "5000"], spec);
  assert.equal(stringOption(parsed, "dir"), "x");
  assert.equal(stringOption(parsed, "host"), "127.0.0.1");
  assert.equal(booleanOption(parsed, "verbose"), true);
  assert.deepEqual(parsed.positionals, ["5000"]);
  assert.equal(stringOption(parseCommandLine([], spec), "dir"), undefined);
});

Deno.test("usage errors are one short line naming the long flag", () => {
  const messageOf = (args: string[]) => {
    try {
      parseCommandLine(args, spec);
    } catch (error) {
      assert.ok(error instanceof UsageError);
      return error.message;
    }
    assert.fail(`${args} parsed`);
  };
  assert.equal(messageOf(["--bogus"]), "unknown option --bogus");
  assert.equal(messageOf(["--dir"]), "option --dir needs a value");
  assert.equal(messageOf(["--verbose=yes"]), "option --verbose takes no value");
  for (const args of [["--bogus"], ["--dir"], ["-x"]]) assert.ok(!messageOf(args).includes("\n"));
});

Deno.test("help starts with the usage line and wraps descriptions at 80 columns", () => {
  const text = helpText(spec);
  assert.ok(text.startsWith("Usage: demo [options] <port>   (deno task demo …)\n\nDoes a demo.\n"));
  assert.match(text, /--host HOST {13}where \(default: 127\.0\.0\.1\)/);
  assert.match(text, /-v, --verbose/);
  for (const line of text.split("\n")) assert.ok(line.length <= 80, line);
  assert.match(text, /\n {30}\S/);
});

Deno.test("ports are 0-65535 in decimal", () => {
  assert.equal(parsePortArgument("0"), 0);
  assert.equal(parsePortArgument("65535"), 65535);
  for (const bad of ["65536", "-1", "0x10", "", "1e3"]) {
    assert.throws(() => parsePortArgument(bad), UsageError);
  }
});

Deno.test("a multiple option keeps every value in order, long and short alike", () => {
  const spec: CommandSpec = {
    name: "demo",
    summary: "",
    positionals: [],
    options: { tracker: { type: "string", short: "t", description: "", multiple: true } },
  };
  const parsed = parseCommandLine(["-t", "a:1", "--tracker=b:2", "--tracker", "c:3"], spec);
  assert.deepEqual(stringOptions(parsed, "tracker"), ["a:1", "b:2", "c:3"]);
  assert.equal(stringOption(parsed, "tracker"), "c:3");
  assert.deepEqual(stringOptions(parseCommandLine([], spec), "tracker"), []);
});
