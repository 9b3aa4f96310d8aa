import assert from "node:assert/strict";
import {
  checkPlaintextPassword,
  CredentialsError,
  isStorableUserName,
  loadCredentials,
  parseCredentials,
  setCredentialLine,
  verifierFor,
} from "./credentials.ts";
import {
  authMessage,
  clientProof,
  deriveClientKeys,
  deriveVerifier,
  formatVerifier,
  secretSalt,
  verifyClientProof,
} from "../protocol/scram.ts";

Deno.test("credentials parse user/password lines, skipping blanks and comments", () => {
  const users = parseCredentials("# users\nalice pw1\r\n\nbob pw2\n", "c.txt");
  assert.deepEqual([...users.keys()], ["alice", "bob"]);
  assert.equal(users.get("alice")?.password, "pw1");
});

Deno.test("a bad credentials line is reported with file name and line number", () => {
  const cases = ["alice pw\nbob\n", "alice pw\nbob pw extra", "alice pw\nalice other", "a  b"];
  const lines = [2, 2, 2, 1];
  cases.forEach((text, index) => {
    assert.throws(
      () => parseCredentials(text, "users.txt"),
      (error: unknown) =>
        error instanceof CredentialsError && error.line === lines[index] &&
        error.message.startsWith(`users.txt:${lines[index]}: `),
    );
  });
});

Deno.test("a user name with a comma is refused: v2 holder lists separate fields with commas", () => {
  assert.throws(
    () => parseCredentials("alice pw\nmal,lory pw\n", "users.txt"),
    (error: unknown) =>
      error instanceof CredentialsError && error.line === 2 && /comma/.test(error.message),
  );
  assert.equal(isStorableUserName("mal,lory"), false);
  assert.equal(isStorableUserName("mallory"), true);
});

Deno.test("a missing or non-UTF-8 credentials file is a CredentialsError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      loadCredentials(`${dir}/missing.txt`),
      (error: unknown) => error instanceof CredentialsError && /not found/.test(error.message),
    );
    await Deno.writeFile(`${dir}/bad.txt`, new Uint8Array([0x61, 0x20, 0xff]));
    await assert.rejects(
      loadCredentials(`${dir}/bad.txt`),
      (error: unknown) => error instanceof CredentialsError && /UTF-8/.test(error.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const PENCIL_VERIFIER = "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$" +
  "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

Deno.test("a verifier line gives a scram credential next to plaintext ones", async () => {
  const users = parseCredentials(`alice pw1\nuser ${PENCIL_VERIFIER}\r\n`, "c.txt");
  const alice = users.get("alice");
  const user = users.get("user");
  assert.equal(alice?.kind, "plain");
  assert.ok(user?.kind === "scram");
  assert.equal(user.verifier.iterations, 4096);
  assert.equal(formatVerifier(user.verifier), PENCIL_VERIFIER);
  assert.deepEqual(user.verifier, await deriveVerifier("pencil", user.verifier.salt, 4096));
});

Deno.test("a bad verifier line is a CredentialsError naming its line", () => {
  const bad = [
    PENCIL_VERIFIER.replace("4096", "100"),
    PENCIL_VERIFIER.replace("4096", "99999999"),
    PENCIL_VERIFIER.slice(0, -1),
    PENCIL_VERIFIER.replace(":wfP", ":!fP"),
    "SCRAM-SHA-256$",
    `${PENCIL_VERIFIER}:extra`,
  ];
  for (const verifier of bad) {
    assert.throws(
      () => parseCredentials(`# users\nalice pw\nbob ${verifier}\n`, "users.txt"),
      (error: unknown) =>
        error instanceof CredentialsError && error.line === 3 &&
        /^users\.txt:3: invalid SCRAM-SHA-256 verifier/.test(error.message),
      verifier,
    );
  }
  assert.throws(
    () => parseCredentials(`bob ${PENCIL_VERIFIER}\nbob pw\n`, "users.txt"),
    (error: unknown) => error instanceof CredentialsError && error.line === 2,
  );
});

Deno.test("a plaintext password is checked against plain and scram credentials alike", () => {
  const users = parseCredentials(`alice pencil\nuser ${PENCIL_VERIFIER}\n`, "c.txt");
  for (const name of ["alice", "user"]) {
    const credential = users.get(name)!;
    assert.ok(checkPlaintextPassword(credential, "pencil"), name);
    for (const wrong of ["pencil2", "penci", "Pencil", "x".repeat(255)]) {
      assert.ok(!checkPlaintextPassword(credential, wrong), `${name} ${wrong}`);
    }
  }
});

Deno.test("verifierFor gives a v2 verifier that accepts the user's proof, plain or scram", async () => {
  const secret = new Uint8Array(32).fill(1);
  const users = parseCredentials(`alice pencil\nuser ${PENCIL_VERIFIER}\n`, "c.txt");
  for (const [user, credential] of users) {
    const verifier = await verifierFor({ user, credential, secret });
    const keys = await deriveClientKeys("pencil", verifier.salt, verifier.iterations);
    const message = authMessage({
      user,
      clientNonce: "abc",
      nonce: "abcdef",
      salt: verifier.salt,
      iterations: verifier.iterations,
    });
    assert.ok(
      verifyClientProof(verifier, message, clientProof(keys.clientKey, keys.storedKey, message)),
    );
    const wrong = await deriveClientKeys("pencil2", verifier.salt, verifier.iterations);
    assert.ok(
      !verifyClientProof(verifier, message, clientProof(wrong.clientKey, wrong.storedKey, message)),
    );
  }
  const alice = users.get("alice")!;
  const first = await verifierFor({ user: "alice", credential: alice, secret });
  assert.deepEqual(first.salt, secretSalt(secret, "alice"), "salt looks like an unknown user's");
  assert.deepEqual(await verifierFor({ user: "alice", credential: alice, secret }), first);
  const other = await verifierFor({ user: "alice", credential: alice, secret: new Uint8Array(32) });
  assert.notDeepEqual(other.salt, first.salt);
  assert.equal(
    (await verifierFor({ user: "a", credential: alice, secret, iterations: 5000 })).iterations,
    5000,
  );
});

Deno.test("setCredentialLine replaces or appends one line and keeps every other byte", () => {
  const text = "# users\r\nalice old\r\n\r\n# bob below\r\nbob pw\r\n";
  assert.equal(
    setCredentialLine({ text, file: "c.txt", user: "alice", secret: "new" }),
    "# users\r\nalice new\r\n\r\n# bob below\r\nbob pw\r\n",
  );
  assert.equal(
    setCredentialLine({ text, file: "c.txt", user: "carol", secret: PENCIL_VERIFIER }),
    `${text}carol ${PENCIL_VERIFIER}\r\n`,
  );
  assert.equal(
    setCredentialLine({ text: "#alice x\nalice y", file: "c.txt", user: "alice", secret: "z" }),
    "#alice x\nalice z",
  );
  assert.equal(
    setCredentialLine({ text: "bob pw", file: "c.txt", user: "carol", secret: "x" }),
    "bob pw\ncarol x\n",
  );
  assert.equal(
    setCredentialLine({ text: "", file: "c.txt", user: "carol", secret: "x" }),
    "carol x\n",
  );
});

Deno.test("setCredentialLine refuses a broken file, a broken secret and an unstorable user", () => {
  assert.throws(
    () => setCredentialLine({ text: "alice pw\nbob\n", file: "c.txt", user: "carol", secret: "x" }),
    (error: unknown) => error instanceof CredentialsError && error.line === 2,
  );
  assert.throws(
    () => setCredentialLine({ text: "", file: "c.txt", user: "carol", secret: "SCRAM-SHA-256$x" }),
    CredentialsError,
  );
  for (const user of ["#carol", "car ol", ""]) {
    assert.throws(
      () => setCredentialLine({ text: "", file: "c.txt", user, secret: "x" }),
      RangeError,
    );
    assert.ok(!isStorableUserName(user));
  }
});

Deno.test("a credentials file starting with a UTF-8 byte-order mark keeps its first user", async () => {
  const text = "\uFEFFalice alice-pw\nbob bob-pw\n";
  const users = parseCredentials(text, "c");
  assert.deepEqual(users.get("alice"), { kind: "plain", password: "alice-pw" });
  assert.equal(users.size, 2);
  assert.equal(
    setCredentialLine({ text, file: "c", user: "alice", secret: "new" }),
    "\uFEFFalice new\nbob bob-pw\n",
  );
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(
      `${dir}/credentials.txt`,
      new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("alice pw\n")]),
    );
    assert.deepEqual((await loadCredentials(`${dir}/credentials.txt`)).get("alice"), {
      kind: "plain",
      password: "pw",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
