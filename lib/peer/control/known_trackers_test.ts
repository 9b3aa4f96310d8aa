import assert from "node:assert/strict";
import { join } from "node:path";
import {
  defaultStateDir,
  formatKnownTrackers,
  KNOWN_TRACKERS_FILE,
  KnownTrackers,
  MAX_KNOWN_TRACKERS,
  parseKnownTrackers,
  trackerKey,
} from "./known_trackers.ts";

Deno.test("trackers.json round-trips, bounded to the newest entries", () => {
  const many = Array.from(
    { length: MAX_KNOWN_TRACKERS + 5 },
    (_, i) => `10.0.${i >> 8}.${i & 255}:9000`,
  );
  const parsed = parseKnownTrackers(formatKnownTrackers(many));
  assert.equal(parsed.length, MAX_KNOWN_TRACKERS);
  assert.equal(parsed.at(-1), many.at(-1));
  assert.equal(trackerKey("::1", 9000), "[::1]:9000");
});

Deno.test("a corrupt or foreign trackers.json is an empty record", () => {
  for (const text of ["", "{", "[]", '{"version":2,"v2":[]}', '{"version":1,"v2":"x"}', "null"]) {
    assert.deepEqual(parseKnownTrackers(text), [], text);
  }
  assert.deepEqual(parseKnownTrackers('{"version":1,"v2":["127.0.0.1:9000",5,"a b"]}'), [
    "127.0.0.1:9000",
  ]);
});

Deno.test("the record is saved atomically in a state folder created 0700, and read back", async () => {
  const base = await Deno.makeTempDir();
  try {
    const dir = join(base, "state", "peersync");
    const warnings: string[] = [];
    const known = await KnownTrackers.open(dir, (line) => warnings.push(line));
    await known.remember("127.0.0.1:9000");
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [KNOWN_TRACKERS_FILE]);
    const again = await KnownTrackers.open(dir, () => {});
    assert.ok(again.has("127.0.0.1:9000"));
    await Deno.writeTextFile(join(dir, KNOWN_TRACKERS_FILE), "garbage");
    assert.ok(!(await KnownTrackers.open(dir, () => {})).has("127.0.0.1:9000"));
    assert.deepEqual(warnings, []);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a state folder that cannot be created is said once; the record lives in memory", async () => {
  const base = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(base, "file"), "");
    const warnings: string[] = [];
    const known = await KnownTrackers.open(join(base, "file", "peersync"), (l) => warnings.push(l));
    await known.remember("127.0.0.1:1");
    await known.remember("127.0.0.1:2");
    assert.equal(warnings.length, 1);
    assert.ok(known.has("127.0.0.1:1") && known.has("127.0.0.1:2"));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("the default state folder follows XDG_STATE_HOME, then HOME", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(defaultStateDir(env({ XDG_STATE_HOME: "/x", HOME: "/h" })), "/x/peersync");
  assert.equal(defaultStateDir(env({ HOME: "/h" })), "/h/.local/state/peersync");
  assert.equal(defaultStateDir(env({})), undefined);
});

Deno.test("two peers on one state folder keep each other's trackers when they save", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A seed and a session started from the same folder, each learning another tracker.
    const seed = await KnownTrackers.open(dir, () => {});
    const session = await KnownTrackers.open(dir, () => {});
    await seed.remember("127.0.0.1:9000");
    await session.remember("127.0.0.1:9001");
    const next = await KnownTrackers.open(dir, () => {});
    assert.ok(next.has("127.0.0.1:9000"), "the seed's tracker was dropped");
    assert.ok(next.has("127.0.0.1:9001"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
