import assert from "node:assert/strict";
import { join } from "node:path";
import {
  IDENTITY_CERT_FILE,
  IDENTITY_KEY_FILE,
  IdentityError,
  loadIdentity,
} from "./identity_store.ts";
import { evalWithFileSizeLimit } from "../../../tests/support/file_size_limit.ts";

Deno.test("a first start makes a private identity, and the next start reads the same one", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = join(root, "state");
    const notes: string[] = [];
    const made = await loadIdentity(dir, (line) => notes.push(line));
    assert.match(made.fingerprint, /^[0-9a-f]{64}$/);
    assert.match(notes.join("\n"), /made a new TLS identity/);
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(join(dir, IDENTITY_KEY_FILE))).mode! & 0o777, 0o600);
    const again = await loadIdentity(dir, (line) => notes.push(line));
    assert.equal(again.fingerprint, made.fingerprint);
    assert.equal(again.keyPem, made.keyPem);
    assert.equal(notes.length, 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a corrupt, mismatched or incomplete identity is refused with one line, not replaced", async () => {
  const root = await Deno.makeTempDir();
  try {
    const a = join(root, "a");
    const b = join(root, "b");
    await loadIdentity(a, () => {});
    await loadIdentity(b, () => {});
    const keyPath = join(a, IDENTITY_KEY_FILE);
    const goodKey = await Deno.readTextFile(keyPath);

    await Deno.writeTextFile(keyPath, "garbage");
    await assert.rejects(loadIdentity(a, () => {}), (error: Error) => {
      assert.ok(error instanceof IdentityError);
      assert.match(error.message, /private key is unreadable.*delete identity_key\.pem/);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
    assert.equal(await Deno.readTextFile(keyPath), "garbage");

    await Deno.writeTextFile(keyPath, await Deno.readTextFile(join(b, IDENTITY_KEY_FILE)));
    await assert.rejects(loadIdentity(a, () => {}), /not for the private key/);

    await Deno.writeTextFile(keyPath, goodKey);
    await Deno.writeTextFile(join(a, IDENTITY_CERT_FILE), "-----BEGIN CERTIFICATE-----\nAA==\n");
    await assert.rejects(loadIdentity(a, () => {}), /certificate is unreadable/);

    await Deno.remove(join(a, IDENTITY_CERT_FILE));
    await assert.rejects(loadIdentity(a, () => {}), /incomplete/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("peers started at once on a new state folder make one identity and all use it", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = join(root, "state");
    const notes: string[] = [];
    const loaded = await Promise.all(
      Array.from({ length: 4 }, () => loadIdentity(dir, (line) => notes.push(line))),
    );
    assert.equal(new Set(loaded.map((identity) => identity.fingerprint)).size, 1);
    assert.equal(notes.length, 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name: "an identity that cannot be written whole (a full disk) leaves no half file behind",
  ignore: Deno.build.os === "windows",
  async fn() {
    const root = await Deno.makeTempDir();
    try {
      const dir = join(root, "state");
      // A file-size limit of 512 bytes fails the certificate's write part-way, as a full disk
      // would; SIGXFSZ ignored turns the kill into an error.
      const script = `import { loadIdentity } from "${new URL(
        "./identity_store.ts",
        import.meta.url,
      )}"; await loadIdentity(${
        JSON.stringify(dir)
      }, () => {}).catch((e) => console.log(e.message));`;
      const printed = await evalWithFileSizeLimit(script, 1);
      assert.match(printed, /cannot store a TLS identity/);
      const left = [...Deno.readDirSync(dir)].map((entry) => entry.name).filter((name) =>
        name !== "identity.lock"
      );
      assert.deepEqual(left, []);
      // Space again: the next start makes a pair.
      assert.match((await loadIdentity(dir, () => {})).fingerprint, /^[0-9a-f]{64}$/);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "a private key other users can read is refused, as ssh does, with how to fix it",
  ignore: Deno.build.os === "windows",
  async fn() {
    const root = await Deno.makeTempDir();
    try {
      const made = await loadIdentity(root, () => {});
      const keyPath = join(root, IDENTITY_KEY_FILE);
      await Deno.chmod(keyPath, 0o644);
      await assert.rejects(loadIdentity(root, () => {}), (error: Error) => {
        assert.ok(error instanceof IdentityError);
        assert.match(error.message, /is open to other users \(mode 0644\): run chmod 600 /);
        assert.ok(!error.message.includes("\n"));
        return true;
      });
      await Deno.chmod(keyPath, 0o600);
      assert.equal((await loadIdentity(root, () => {})).fingerprint, made.fingerprint);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "a FIFO under the key's name is refused at once instead of blocking the start",
  ignore: Deno.build.os === "windows",
  async fn() {
    const root = await Deno.makeTempDir();
    try {
      await loadIdentity(root, () => {});
      const keyPath = join(root, IDENTITY_KEY_FILE);
      await Deno.remove(keyPath);
      const made = await new Deno.Command("mkfifo", { args: [keyPath] }).output();
      assert.ok(made.success);
      await assert.rejects(loadIdentity(root, () => {}), /is not a regular file/);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
