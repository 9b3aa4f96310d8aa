import assert from "node:assert/strict";
import { Authenticator } from "./authenticator.ts";
import { CredentialsReloader } from "./credentials_reload.ts";
import { parseCredentials } from "./credentials.ts";
import { DatagramRouter } from "./datagram_router.ts";
import { TrackerState } from "./state.ts";
import { MemoryStore } from "./store/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const from = (port: number) => ({ hostname: "127.0.0.1", port });

async function setup(text: string) {
  const dir = await Deno.makeTempDir({ prefix: "peersync-reload-" });
  const file = `${dir}/credentials.txt`;
  await Deno.writeTextFile(file, text);
  const store = new MemoryStore();
  const router = new DatagramRouter({
    credentials: parseCredentials(text, file),
    now: () => 0,
    state: new TrackerState({ now: () => 0, journal: store }),
  });
  const lines: string[] = [];
  const reloader = new CredentialsReloader({
    file,
    initial: parseCredentials(text, file),
    apply: (credentials) => router.replaceCredentials(credentials),
    logger: { log: (event) => lines.push(event.message) },
  });
  const ask = (port: number, request: string) =>
    decoder.decode(router.handle(encoder.encode(request), from(port)).reply);
  const cleanup = async () => {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  };
  return { file, store, router, reloader, lines, ask, cleanup };
}

Deno.test("a reload lets new users in, logs removed ones out and forgets their publications", async () => {
  const { file, store, reloader, lines, ask, cleanup } = await setup("alice a\nbob b\n");
  try {
    assert.equal(ask(1, "auth alice a"), "OK");
    assert.equal(ask(1, "pub notes.txt"), "File published successfully");
    assert.equal(ask(2, "auth carol c"), "ERR");
    await Deno.writeTextFile(file, "bob b\ncarol c\n");
    await reloader.reload("SIGHUP");
    assert.deepEqual(lines, [
      `Credentials reloaded (SIGHUP) from ${file}: 2 users; added carol; removed alice`,
      "User alice removed from the credentials: logged out, 1 publication withdrawn",
    ]);
    assert.equal(ask(2, "auth carol c"), "OK");
    assert.equal(ask(1, "lpf"), "ERR", "alice's session is gone");
    assert.equal(ask(3, "auth alice a"), "ERR");
    const kept: string[] = [];
    await store.loadAll((user, name) => kept.push(`${user}/${name}`));
    assert.deepEqual(kept, [], "alice's publication left the store");
  } finally {
    await cleanup();
  }
});

Deno.test("a changed plaintext password works at once after a reload, over v1 and v2", async () => {
  const { file, reloader, ask, cleanup } = await setup("alice old\n");
  try {
    await Deno.writeTextFile(file, "alice new\n");
    await reloader.reload("file changed");
    assert.equal(ask(1, "auth alice old"), "ERR");
    assert.equal(ask(1, "auth alice new"), "OK");
  } finally {
    await cleanup();
  }
  // v2 challenges use a verifier derived once from a plaintext password: it must be derived again.
  const plain = (password: string) => new Map([["alice", { kind: "plain" as const, password }]]);
  const authenticator = new Authenticator({ credentials: plain("old"), iterations: 4096 });
  const before = authenticator.challengeFor("alice").verifier;
  assert.deepEqual(authenticator.replaceCredentials(plain("new")), []);
  const after = authenticator.challengeFor("alice").verifier;
  assert.ok(before && after);
  assert.notDeepEqual(after.storedKey, before.storedKey);
  assert.deepEqual(authenticator.replaceCredentials(new Map()), ["alice"]);
  assert.equal(authenticator.challengeFor("alice").verifier, undefined);
});

Deno.test("a broken or missing file keeps the users loaded before, in one line", async () => {
  const { file, reloader, lines, ask, cleanup } = await setup("alice a\nbob b\n");
  try {
    await Deno.writeTextFile(file, "alice a\nbob\n");
    await reloader.reload("SIGHUP");
    await Deno.remove(file);
    await reloader.reload("file changed");
    assert.equal(lines.length, 2);
    assert.match(
      lines[0],
      /^Credentials not reloaded \(SIGHUP\): .*credentials\.txt:2: .*; keeping the 2 users loaded before$/,
    );
    assert.match(lines[1], /file not found; keeping the 2 users loaded before$/);
    assert.equal(ask(1, "auth bob b"), "OK");
  } finally {
    await cleanup();
  }
});

Deno.test("a file emptied (truncated by a save, the wrong file) keeps the users and their publications", async () => {
  const { file, store, reloader, lines, ask, cleanup } = await setup("alice a\nbob b\n");
  try {
    assert.equal(ask(1, "auth alice a"), "OK");
    assert.equal(ask(1, "pub notes.txt"), "File published successfully");
    await Deno.writeTextFile(file, "# users\n\n");
    await reloader.reload("file changed");
    assert.deepEqual(lines, [
      `Credentials not reloaded (file changed): ${file}: no users in it (only blank lines and ` +
      "comments); keeping the 2 users loaded before",
    ]);
    assert.equal(ask(1, "lpf"), "notes.txt");
    const kept: string[] = [];
    await store.loadAll((user, name) => kept.push(`${user}/${name}`));
    assert.deepEqual(kept, ["alice/notes.txt"]);
  } finally {
    await cleanup();
  }
});

Deno.test("reloads asked for during a reload run once more after it, not once each", async () => {
  const { reloader, lines, cleanup } = await setup("alice a\n");
  try {
    await Promise.all([
      reloader.reload("SIGHUP"),
      reloader.reload("file changed"),
      reloader.reload("file changed"),
    ]);
    assert.equal(lines.length, 2);
    assert.match(lines[0], /\(SIGHUP\).*no user added or removed$/);
    assert.match(lines[1], /\(file changed\)/);
  } finally {
    await cleanup();
  }
});
