import assert from "node:assert/strict";
import type { Holder } from "../../protocol/mod.ts";
import { formatCommandProblem, parseCommand } from "./commands.ts";
import { formatReply } from "./reply_lines.ts";
import { chooseVersion, foundLines, holderVersions } from "./versions.ts";

const holder = (user: string, sha?: string, size = 10): Holder =>
  sha === undefined
    ? { user, host: "127.0.0.1", port: 1 }
    : { user, host: "127.0.0.1", port: 1, size, sha256: sha.repeat(64) };

Deno.test("names with spaces are typed quoted or escaped, and the v2 rule applies", () => {
  for (const line of [`pub "my report.pdf"`, "pub 'my report.pdf'", "pub my\\ report.pdf"]) {
    assert.deepEqual(parseCommand(line), {
      ok: true,
      command: { kind: "pub", file: "my report.pdf" },
    });
  }
  assert.deepEqual(parseCommand("pub my report.pdf"), {
    ok: false,
    problem: { kind: "extraArgument", command: "pub" },
  });
  assert.match(
    formatCommandProblem({ kind: "extraArgument", command: "pub" }),
    /quote a name with spaces/,
  );
  const unclosed = parseCommand(`get "my report.pdf`);
  assert.ok(!unclosed.ok);
  assert.match(formatCommandProblem(unclosed.problem), /unclosed quote/);
  const tab = parseCommand(`get "a\tb"`);
  assert.ok(!tab.ok && tab.problem.kind === "invalidFileName");
});

Deno.test("sch takes -e and -l before its text; a lone -e is a text", () => {
  assert.deepEqual(parseCommand("sch -e Report"), {
    ok: true,
    command: { kind: "sch", text: "Report", exact: true },
  });
  assert.deepEqual(parseCommand(`sch -l -e "my rep"`), {
    ok: true,
    command: { kind: "sch", text: "my rep", exact: true, long: true },
  });
  assert.deepEqual(parseCommand("sch -e"), { ok: true, command: { kind: "sch", text: "-e" } });
});

Deno.test("get -v takes a version number or a digest prefix", () => {
  assert.deepEqual(parseCommand("get -v 2 report.pdf"), {
    ok: true,
    command: { kind: "get", file: "report.pdf", version: { kind: "number", number: 2 } },
  });
  assert.deepEqual(parseCommand(`get -v 0123abcd "my report.pdf"`), {
    ok: true,
    command: {
      kind: "get",
      file: "my report.pdf",
      version: { kind: "digest", prefix: "0123abcd" },
    },
  });
  const bad = parseCommand("get -v x report.pdf");
  assert.ok(!bad.ok && bad.problem.kind === "invalidVersion");
  assert.deepEqual(parseCommand("get -v"), { ok: true, command: { kind: "get", file: "-v" } });
});

Deno.test("versions are numbered most holders first, then by digest, v1 last; -v picks one", () => {
  const versions = holderVersions([
    holder("a", "b"),
    holder("b", "c", 20),
    holder("c", "c", 20),
    holder("d"),
    holder("e", "a"),
  ]);
  assert.deepEqual(versions.map((v) => [v.sha256?.[0], v.holders.length]), [
    ["c", 2],
    ["a", 1],
    ["b", 1],
    [undefined, 1],
  ]);
  const second = chooseVersion(versions, { kind: "number", number: 2 });
  assert.ok(second.ok && second.version.holders[0].user === "e");
  const byDigest = chooseVersion(versions, { kind: "digest", prefix: "bbbb" });
  assert.ok(byDigest.ok && byDigest.version.holders[0].user === "a");
  assert.deepEqual(chooseVersion(versions, { kind: "number", number: 5 }), {
    ok: false,
    reason: "there is no version 5",
  });
  assert.equal(chooseVersion(versions, { kind: "digest", prefix: "dddd" }).ok, false);
});

Deno.test("found names print with size and holders, several versions as numbered lines", () => {
  assert.deepEqual(
    foundLines({
      name: "report.pdf",
      versions: [{ size: 1258291, digestPrefix: "0123456789abcdef", holders: 3 }],
    }),
    ["report.pdf  1.2 MiB  3 holders"],
  );
  assert.deepEqual(
    foundLines({
      name: "my report.pdf",
      versions: [
        { size: 20, digestPrefix: "c".repeat(16), holders: 2 },
        { size: 10, digestPrefix: "b".repeat(16), holders: 1 },
        { holders: 1 },
      ],
    }),
    [
      `"my report.pdf"  3 versions:`,
      `  1) 20 B  sha256 ${"c".repeat(16)}  2 holders`,
      `  2) 10 B  sha256 ${"b".repeat(16)}  1 holder`,
      "  3) size unknown (v1)  1 holder",
    ],
  );
  assert.deepEqual(
    formatReply("lpf", { kind: "publishedFiles", list: { names: ["a b", "c"], omitted: 0 } }),
    ["2 files published:", `"a b"`, "c"],
  );
});
