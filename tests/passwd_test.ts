/**
 * `passwd.ts` as a user runs it: the password from a pipe or a hidden prompt, a verifier line on
 * standard output or set in a credentials file, and one-line refusals.
 */

import assert from "node:assert/strict";
import {
  authMessage,
  clientProof,
  deriveClientKeys,
  verifyClientProof,
} from "../lib/protocol/scram.ts";
import {
  checkPlaintextPassword,
  type Credential,
  parseCredentials,
} from "../lib/tracker/credentials.ts";
import { OutputWatcher, projectRoot } from "./support/programs.ts";

const encoder = new TextEncoder();

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs passwd.ts with `stdin` piped in (then closed) and returns what it did. */
async function passwd(
  args: readonly string[],
  options: { stdin?: string | Uint8Array; env?: Record<string, string> } = {},
): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${projectRoot}passwd.ts`, ...args],
    cwd: projectRoot,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
  }).spawn();
  const writer = child.stdin.getWriter();
  const input = typeof options.stdin === "string" ? encoder.encode(options.stdin) : options.stdin;
  // A program that refuses its arguments exits without reading: the pipe may already be closed.
  if (input !== undefined) await writer.write(input).catch(() => {});
  await writer.close().catch(() => {});
  const [status, stdout, stderr] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code: status.code, stdout, stderr };
}

async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "peersync-passwd-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The credential a single credentials line gives `user`. */
function credentialOf(text: string, user: string): Credential {
  const credential = parseCredentials(text, "output").get(user);
  assert.ok(credential, `no line for ${user} in ${JSON.stringify(text)}`);
  return credential;
}

/** Proves `credential` is a verifier that accepts a v2 login with `password` and no other. */
async function assertVerifierFor(credential: Credential, password: string): Promise<void> {
  assert.equal(credential.kind, "scram");
  if (credential.kind !== "scram") return;
  const { verifier } = credential;
  const message = authMessage({
    user: "alice",
    clientNonce: "client",
    nonce: "client+tracker",
    salt: verifier.salt,
    iterations: verifier.iterations,
  });
  for (const [tried, accepted] of [[password, true], [`${password}x`, false]] as const) {
    const keys = await deriveClientKeys(tried, verifier.salt, verifier.iterations);
    const proof = clientProof(keys.clientKey, keys.storedKey, message);
    assert.equal(verifyClientProof(verifier, message, proof), accepted, tried);
  }
  assert.ok(checkPlaintextPassword(credential, password));
}

Deno.test("passwd prints a verifier line for the first line of a piped stdin", async () => {
  const result = await passwd(["alice"], { stdin: "s3cret\nnot-this-one\n" });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "", "no prompt when stdin is not a terminal");
  assert.match(result.stdout, /^alice SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$\S{44}:\S{44}\n$/);
  await assertVerifierFor(credentialOf(result.stdout, "alice"), "s3cret");
  assert.ok(!result.stdout.includes("s3cret"));
});

Deno.test("passwd salts every verifier afresh and honours --iterations and CRLF", async () => {
  const [first, second] = await Promise.all([
    passwd(["alice"], { stdin: "pw\r\n" }),
    passwd(["--iterations", "5000", "alice"], { stdin: "pw" }),
  ]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^alice SCRAM-SHA-256\$5000:/);
  assert.notEqual(first.stdout.split("$")[2], second.stdout.split("$")[2]);
  await assertVerifierFor(credentialOf(first.stdout, "alice"), "pw");
  await assertVerifierFor(credentialOf(second.stdout, "alice"), "pw");
});

Deno.test("passwd --file replaces the user's line, keeping every other byte and the mode", async () => {
  await inTempDir(async (dir) => {
    const before = "# team\r\nbob bob-pw\r\n\r\nalice old-pw\r\n# trailing comment\r\ncarol c";
    await Deno.writeTextFile(`${dir}/users.txt`, before);
    await Deno.chmod(`${dir}/users.txt`, 0o640);
    // A relative --file is relative to where the user ran `deno task`.
    const result = await passwd(["--file", "users.txt", "alice"], {
      stdin: "new-pw\n",
      env: { INIT_CWD: dir },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `Replaced alice in ${dir}/users.txt; a tracker running on this file picks the change up by itself\n`,
    );
    const after = await Deno.readTextFile(`${dir}/users.txt`);
    const aliceLine = after.split("\r\n")[3];
    assert.equal(after, before.replace("alice old-pw", aliceLine));
    await assertVerifierFor(credentialOf(after, "alice"), "new-pw");
    assert.equal((await Deno.stat(`${dir}/users.txt`)).mode! & 0o777, 0o640);
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepEqual(names, ["users.txt"], "no temporary file left behind");
  });
});

Deno.test("passwd --file appends a new user, and creates a missing file owner-only", async () => {
  await inTempDir(async (dir) => {
    const file = `${dir}/users.txt`;
    await Deno.writeTextFile(file, "bob bob-pw");
    const appended = await passwd(["--file", file, "carol"], { stdin: "carol-pw\n" });
    assert.equal(appended.code, 0, appended.stderr);
    assert.equal(
      appended.stdout,
      `Added carol in ${file}; a tracker running on this file picks the change up by itself\n`,
    );
    const text = await Deno.readTextFile(file);
    assert.match(text, /^bob bob-pw\ncarol SCRAM-SHA-256\$[^\n]+\n$/);
    await assertVerifierFor(credentialOf(text, "carol"), "carol-pw");

    const created = await passwd(["--file", `${dir}/new.txt`, "dave"], { stdin: "dave-pw\n" });
    assert.equal(created.code, 0, created.stderr);
    await assertVerifierFor(
      credentialOf(await Deno.readTextFile(`${dir}/new.txt`), "dave"),
      "dave-pw",
    );
    assert.equal((await Deno.stat(`${dir}/new.txt`)).mode! & 0o777, 0o600);
  });
});

Deno.test("passwd --file refuses a file with a bad line and leaves it untouched", async () => {
  await inTempDir(async (dir) => {
    const file = `${dir}/users.txt`;
    for (const bad of ["alice pw\nbob\n", "alice SCRAM-SHA-256$4096:broken\n"]) {
      await Deno.writeTextFile(file, bad);
      const result = await passwd(["--file", file, "carol"], { stdin: "pw\n" });
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /^peersync-passwd: .*users\.txt:\d: [^\n]+\n$/);
      assert.equal(await Deno.readTextFile(file), bad);
    }
  });
});

Deno.test("passwd usage errors print one line and exit 2", async () => {
  const cases = [
    [],
    ["--bogus", "alice"],
    ["--file"],
    ["--iterations", "100", "alice"],
    ["--iterations", "2000000", "alice"],
    ["--iterations", "4096.0", "alice"],
    ["al ice"],
    ["#alice"],
    [""],
    ["x".repeat(256)],
  ];
  const results = await Promise.all(cases.map((args) => passwd(args, { stdin: "pw\n" })));
  results.forEach((result, index) => {
    assert.equal(result.code, 2, JSON.stringify(cases[index]));
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^peersync-passwd: [^\n]*\(see --help\)\n$/);
  });
});

Deno.test("passwd never takes the password from the command line", async () => {
  const result = await passwd(["alice", "pencil"], { stdin: "pencil\n" });
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /too many arguments: the password is read from a prompt or stdin/);
});

Deno.test("passwd refuses an empty or unusable password with exit 1", async () => {
  const cases: (string | Uint8Array)[] = [
    "",
    "\n",
    "\r\n",
    "two words\n",
    `${"x".repeat(256)}\n`,
    "x".repeat(100_000),
    new Uint8Array([0x70, 0xff, 0x0a]),
  ];
  const results = await Promise.all(cases.map((stdin) => passwd(["alice"], { stdin })));
  results.forEach((result, index) => {
    assert.equal(result.code, 1, String(cases[index]).slice(0, 40));
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^peersync-passwd: [^\n]+\n$/);
  });
});

Deno.test("passwd --help describes the command and exits 0", async () => {
  const result = await passwd(["--help"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Usage: peersync-passwd \[options\] <user>/);
  assert.match(result.stdout, /--file FILE/);
  assert.match(result.stdout, /--iterations N/);
});

// The hidden prompt needs a terminal: util-linux `script` runs passwd.ts on a pseudo-terminal.
const hasScript = (() => {
  try {
    return new Deno.Command("script", { args: ["--version"] }).outputSync().success;
  } catch {
    return false;
  }
})();

/** passwd.ts on a pseudo-terminal: each step waits for its prompt, then types its keys. */
async function passwdOnTerminal(steps: readonly [string, string][]): Promise<Run> {
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  const command = `${quote(Deno.execPath())} run -A ${quote(`${projectRoot}passwd.ts`)} alice`;
  const child = new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const terminal = new OutputWatcher(child.stdout);
  const stderr = new Response(child.stderr).text();
  const writer = child.stdin.getWriter();
  let from = 0;
  try {
    for (const [prompt, keys] of steps) {
      const match = await terminal.waitFor(prompt, 10_000, from);
      from += match.index + match[0].length;
      await writer.write(encoder.encode(keys));
    }
    const status = await child.status;
    await terminal.done;
    return { code: status.code, stdout: terminal.text, stderr: await stderr };
  } finally {
    await writer.close().catch(() => {});
    try {
      child.kill();
    } catch {
      // Already exited.
    }
    await child.status;
    await terminal.done;
    await stderr;
  }
}

Deno.test({
  name: "passwd on a terminal prompts twice without echo and prints the line",
  ignore: !hasScript,
  fn: async () => {
    const result = await passwdOnTerminal([
      ["Password: ", "penx\x7fcil\r"],
      ["Repeat password: ", "pencil\r"],
    ]);
    assert.equal(result.code, 0, result.stdout);
    assert.ok(!result.stdout.includes("pen"), `echoed: ${JSON.stringify(result.stdout)}`);
    const line = /alice SCRAM-SHA-256\S+/.exec(result.stdout)?.[0];
    assert.ok(line, result.stdout);
    await assertVerifierFor(credentialOf(line, "alice"), "pencil");
  },
});

Deno.test({
  name: "passwd on a terminal refuses different passwords with exit 1",
  ignore: !hasScript,
  fn: async () => {
    const result = await passwdOnTerminal([["Password: ", "one\r"], [
      "Repeat password: ",
      "two\r",
    ]]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /peersync-passwd: passwords do not match/);
    assert.doesNotMatch(result.stdout, /SCRAM/);
  },
});

Deno.test({
  name: "passwd on a terminal exits 130 on Ctrl-C",
  ignore: !hasScript,
  fn: async () => {
    const result = await passwdOnTerminal([["Password: ", "pen\x03"]]);
    assert.equal(result.code, 130);
    assert.doesNotMatch(result.stdout, /SCRAM|pen/);
  },
});
