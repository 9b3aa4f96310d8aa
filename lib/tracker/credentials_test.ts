import assert from "node:assert/strict";
import { CredentialsError, loadCredentials, parseCredentials } from "./credentials.ts";

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
