import assert from "node:assert/strict";
import { ALL_COMMAND_NAMES, helpLines, parseLocalCommand } from "./local_commands.ts";
import { COMMAND_NAMES } from "./commands.ts";

Deno.test("help, jobs and cancel parse with their arguments; other lines are not theirs", () => {
  assert.deepEqual(parseLocalCommand("help"), { ok: true, command: { kind: "help" } });
  assert.deepEqual(parseLocalCommand(" help  get\r"), {
    ok: true,
    command: { kind: "help", topic: "get" },
  });
  assert.deepEqual(parseLocalCommand("jobs"), { ok: true, command: { kind: "jobs" } });
  assert.deepEqual(parseLocalCommand("cancel all"), {
    ok: true,
    command: { kind: "cancel", ref: "all" },
  });
  assert.equal(parseLocalCommand("get a.bin"), undefined);
  assert.equal(parseLocalCommand(""), undefined);
  assert.equal(parseLocalCommand("jobsx"), undefined);
});

Deno.test("help, jobs and cancel with the wrong arguments say what they take", () => {
  assert.deepEqual(parseLocalCommand("help get pub"), {
    ok: false,
    message: "help takes at most one command name",
  });
  assert.deepEqual(parseLocalCommand("jobs 1"), { ok: false, message: "jobs takes no argument" });
  for (const line of ["cancel", "cancel 1 2"]) {
    const parsed = parseLocalCommand(line);
    assert.ok(parsed !== undefined && !parsed.ok);
    assert.match(parsed.message, /^cancel needs one job/);
  }
});

Deno.test("help lists every command once, and explains each one alone", () => {
  const all = helpLines();
  assert.ok(all.ok);
  assert.equal(all.lines[0], "Commands:");
  for (const name of [...COMMAND_NAMES, "jobs", "cancel", "help"]) {
    assert.equal(ALL_COMMAND_NAMES.filter((word) => word === name).length, 1, name);
    assert.equal(all.lines.filter((line) => line.startsWith(`  ${name}`)).length, 1, name);
    const one = helpLines(name);
    assert.ok(one.ok);
    assert.equal(one.lines.length, 1);
    assert.ok(one.lines[0].startsWith(name), one.lines[0]);
  }
  assert.deepEqual(helpLines("toString"), {
    ok: false,
    lines: ['No command "toString". Type help for the list.'],
  });
});

Deno.test("help names the options each command takes, and what lpf and sch really list", () => {
  assert.match(helpLines("get").lines[0], /^get \[-v N\] FILE: .*-v N picks version N/);
  // `get -v` takes a digest prefix too (parseCommand), and lap leaves out the user asking.
  assert.match(helpLines("get").lines[0], /-v DIGEST the version whose SHA-256 starts with DIGEST/);
  assert.match(helpLines("lap").lines[0], /^lap: list the other users logged in now \(not you\)$/);
  assert.match(
    helpLines("sch").lines[0],
    /^sch \[-e\] \[-l\] TEXT: .*ignoring case on a v2 tracker \(-e, and always on v1: exact\)/,
  );
  assert.match(helpLines("lpf").lines[0], /^lpf: list the files you have published$/);
  assert.match(helpLines("pub").lines[0], /"my file\.txt"/);
  // What xit really does while downloads run: it waits, and a second one cancels them.
  assert.match(helpLines("xit").lines[0], /leave when they end \(xit again cancels them/);
});
