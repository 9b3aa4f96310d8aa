import assert from "node:assert/strict";
import { join } from "node:path";
import { DigestCache, fileDigest } from "../lib/peer/share/mod.ts";
import {
  DownloadError,
  downloadFromHolders,
  resumablePartName,
  resumeNoteName,
  type TransferProgress,
} from "../lib/peer/download/mod.ts";
import {
  listDir,
  MiB,
  randomBytes,
  rawExchange,
  readRequestLine,
  sha256,
  StandIn,
  withSeeders,
  withTarget,
} from "./support/transfer_fixtures.ts";
import { sameBytes } from "./support/peers.ts";

const decoder = new TextDecoder();
/** One seeder, alice, publishing nothing until the test does. */
const alone = { seeders: { alice: {} } };

Deno.test("v2 transfers of 0 B, 1 B, 1023–1025 B and 20 MB arrive byte for byte, verified", async () => {
  await withSeeders(alone, async ({ alice }, target) => {
    for (const size of [0, 1, 1023, 1024, 1025, 20_000_003]) {
      const name = `file-${size}.bin`;
      const content = randomBytes(size);
      await alice.publish(name, content);
      const progress: TransferProgress[] = [];
      const result = await downloadFromHolders({
        file: name,
        dir: target,
        holders: [alice.holder(name)],
        onProgress: (update) => progress.push(update),
      });
      assert.equal(result.bytes, size);
      assert.equal(result.verified, true);
      assert.equal(result.resumedFrom, 0);
      assert.deepEqual(result.fromHolders, ["alice"]);
      assert.ok(sameBytes(await Deno.readFile(join(target, name)), content), name);
      assert.deepEqual(progress.at(-1), {
        received: size,
        total: size,
        bytesPerSecond: progress.at(-1)!.bytesPerSecond,
      });
    }
    // Nothing but the files themselves: no part file or resume note is left behind.
    assert.ok(listDir(target).every((name) => name.startsWith("file-")));
  });
});

Deno.test("verifying on a worker thread gives the same verdicts", async () => {
  await withSeeders(alone, async ({ alice }, target) => {
    const content = randomBytes(17 * MiB);
    await alice.publish("a.bin", content);
    const result = await downloadFromHolders({
      file: "a.bin",
      dir: target,
      holders: [alice.holder("a.bin")],
      hashOnWorker: true,
    });
    assert.equal(result.verified, true);
    assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
    await Deno.remove(join(target, "a.bin"));
    // The holder now claims another digest for the same bytes: the check must fail.
    const wrong = { ...alice.holder("a.bin"), sha256: "0".repeat(64) };
    alice.published.set("a.bin", { ...alice.published.get("a.bin")!, sha256: wrong.sha256 });
    await assert.rejects(
      downloadFromHolders({ file: "a.bin", dir: target, holders: [wrong], hashOnWorker: true }),
      (error: unknown) => error instanceof DownloadError && /does not match/.test(error.message),
    );
    assert.deepEqual(listDir(target), []);
  });
});

Deno.test("a v2 range request gets the status line, then exactly the range", async () => {
  await withSeeders(alone, async ({ alice }) => {
    const content = new TextEncoder().encode("0123456789abcdef");
    const { sha256: digest } = await alice.publish("a.txt", content);
    const port = alice.server.addr.port;
    assert.equal(
      decoder.decode(await rawExchange(port, `PS2 GET a.txt 10 4 ${digest}\n`)),
      `PS2 OK 16 ${digest}\nabcd`,
    );
    assert.equal(
      decoder.decode(await rawExchange(port, `PS2 GET a.txt 12 - ${digest}\n`)),
      `PS2 OK 16 ${digest}\ncdef`,
    );
    assert.equal(
      decoder.decode(await rawExchange(port, `PS2 GET a.txt 16 - ${digest}\n`)),
      `PS2 OK 16 ${digest}\n`,
    );
    assert.match(
      decoder.decode(await rawExchange(port, `PS2 GET a.txt 12 5 ${digest}\n`)),
      /^PS2 ERR range [^\n]*\n$/,
    );
    // v1 is served exactly as before by the same uploader.
    assert.equal(decoder.decode(await rawExchange(port, "a.txt")), "0123456789abcdef");
  });
});

Deno.test("a file changed on disk after publishing is refused with `changed`", async () => {
  await withSeeders(alone, async ({ alice }, target) => {
    const { sha256: digest } = await alice.publish("a.txt", new TextEncoder().encode("one"));
    const holder = alice.holder("a.txt");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await Deno.writeTextFile(join(alice.dir, "a.txt"), "two, longer");
    const reply = decoder.decode(
      await rawExchange(alice.server.addr.port, `PS2 GET a.txt 0 - ${digest}\n`),
    );
    assert.match(reply, /^PS2 ERR changed [^\n]+\n$/);
    await assert.rejects(
      downloadFromHolders({ file: "a.txt", dir: target, holders: [holder] }),
      (error: unknown) => error instanceof DownloadError && /changed/.test(error.message),
    );
    assert.deepEqual(listDir(target), []);
  });
});

Deno.test("the uploader hashes a published file once, not once per request", async () => {
  await withSeeders(alone, async ({ alice }, target) => {
    await alice.publish("a.bin", randomBytes(100_000));
    const passes = alice.server.digestCache.hashPasses;
    for (let i = 0; i < 3; i++) {
      const result = await downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [alice.holder("a.bin")],
      });
      await Deno.remove(result.path);
    }
    assert.equal(alice.server.digestCache.hashPasses, passes);
  });
});

Deno.test("hostile names get no file bytes over v1 or v2, even when listed as published", async () => {
  // The (empty) target folder serves as a folder outside alice's share folder.
  await withSeeders(alone, async ({ alice }, outside) => {
    const secret = "outside the share folder";
    await Deno.writeTextFile(join(outside, "x"), secret);
    await Deno.symlink(join(outside, "x"), join(alice.dir, "link"));
    const digest = sha256(new TextEncoder().encode(secret));
    for (const name of ["..", "../x", "/etc/passwd", "link", `${outside}/x`]) {
      alice.published.set(name, { size: secret.length, sha256: digest });
    }
    const port = alice.server.addr.port;
    for (const name of ["..", "../x", "/etc/passwd", "link", `${outside}/x`, "..\\x"]) {
      const v1 = decoder.decode(await rawExchange(port, name));
      assert.equal(v1, "", `v1 ${name}`);
      const v2 = decoder.decode(await rawExchange(port, `PS2 GET ${name} 0 - ${digest}\n`));
      assert.match(v2, /^PS2 ERR (badrequest|notfound|notpublished) [^\n]*\n$/, `v2 ${name}`);
      assert.ok(!v2.includes(secret));
    }
    // A malformed v2 line, one without a newline in time, and one far too long.
    assert.match(decoder.decode(await rawExchange(port, "PS2 GET\n")), /^PS2 ERR badrequest/);
    assert.match(
      decoder.decode(await rawExchange(port, `PS2 GET ${"a".repeat(600)}`)),
      /^PS2 ERR badrequest/,
    );
  });
});

Deno.test("the uploader never serves PeerSync's own files (digest cache, part, resume note), even when listed as published", async () => {
  await withSeeders(alone, async ({ alice }, target) => {
    // A real digest cache file, next to a part file and a resume note, and a link to the cache.
    const cache = await DigestCache.open(alice.dir);
    await alice.publish("a.bin", randomBytes(1000));
    await fileDigest(alice.dir, "a.bin", cache);
    await cache.close();
    const part = resumablePartName("b.bin", "0".repeat(64));
    await Deno.writeTextFile(join(alice.dir, part), "partial bytes");
    await Deno.writeTextFile(join(alice.dir, resumeNoteName(part)), "13");
    await Deno.symlink(join(alice.dir, ".peersync-digests.json"), join(alice.dir, "cache.json"));
    const own = [".peersync-digests.json", part, resumeNoteName(part), "cache.json"];
    for (const name of own) {
      const content = await Deno.readFile(join(alice.dir, name));
      alice.published.set(name, { size: content.length, sha256: sha256(content) });
    }
    const port = alice.server.addr.port;
    for (const name of own) {
      const { sha256: digest } = alice.published.get(name)!;
      assert.equal((await rawExchange(port, name)).length, 0, `v1 ${name}`);
      const v2 = decoder.decode(await rawExchange(port, `PS2 GET ${name} 0 - ${digest}\n`));
      assert.match(v2, /^PS2 ERR notfound [^\n]*PeerSync's own files[^\n]*\n$/, `v2 ${name}`);
    }
    assert.equal(alice.server.stats.uploadsStarted, 0);
    // Nor can a download create one.
    await assert.rejects(
      downloadFromHolders({
        file: ".peersync-digests.json",
        dir: target,
        holders: [alice.holder(".peersync-digests.json")],
      }),
      (error: unknown) => error instanceof DownloadError && /invalid file name/.test(error.message),
    );
    assert.deepEqual(listDir(target), []);
  });
});

Deno.test("an unpublished file gets `notpublished` and the download says so", async () => {
  await withSeeders(alone, async ({ alice }, target) => {
    const content = new TextEncoder().encode("private");
    await Deno.writeFile(join(alice.dir, "secret.txt"), content);
    await assert.rejects(
      downloadFromHolders({
        file: "secret.txt",
        dir: target,
        holders: [{ ...alice.holder("secret.txt"), size: 7, sha256: sha256(content) }],
      }),
      (error: unknown) =>
        error instanceof DownloadError && /alice .*notpublished/.test(error.message),
    );
    assert.deepEqual(listDir(target), []);
  });
});

Deno.test("a holder that believed v2 but speaks only v1 is retried in v1 and verified", async () => {
  const content = randomBytes(300_000);
  // A v1 uploader: a v2 line is an invalid name to it, so it closes without a byte.
  const v1Only = new StandIn(async (conn) => {
    const request = await readRequestLine(conn);
    if (request !== "a.bin") return;
    let sent = 0;
    while (sent < content.length) sent += await conn.write(content.subarray(sent));
    await conn.closeWrite();
  });
  try {
    await withTarget(async (target) => {
      const notices: string[] = [];
      const result = await downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [v1Only.holder("old", { size: content.length, sha256: sha256(content) })],
        onNotice: (line) => notices.push(line),
      });
      assert.equal(result.verified, true);
      assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
      assert.equal(notices.length, 1);
      assert.match(notices[0], /did not answer in v2; trying it in v1/);
    });
  } finally {
    await v1Only.close();
  }
});

Deno.test("with v1 holders only, the plain v1 download runs (nothing to verify)", async () => {
  await withSeeders(alone, async ({ alice }, target) => {
    const content = randomBytes(5000);
    await alice.publish("a.bin", content);
    const { user, host, port } = alice.holder("a.bin");
    const result = await downloadFromHolders({
      file: "a.bin",
      dir: target,
      holders: [{ user, host, port }],
    });
    assert.equal(result.verified, false);
    assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
  });
});

Deno.test("a download refuses an invalid name and an existing final file before any connection", async () => {
  await withTarget(async (target) => {
    await Deno.writeTextFile(join(target, "a.txt"), "keep me");
    const holders = [{ user: "x", host: "127.0.0.1", port: 9, size: 1, sha256: "0".repeat(64) }];
    await assert.rejects(
      downloadFromHolders({ file: "../a.txt", dir: target, holders }),
      (error: unknown) => error instanceof DownloadError && /invalid file name/.test(error.message),
    );
    await assert.rejects(
      downloadFromHolders({ file: "a.txt", dir: target, holders }),
      (error: unknown) => error instanceof DownloadError && /not overwriting/.test(error.message),
    );
    assert.equal(await Deno.readTextFile(join(target, "a.txt")), "keep me");
    assert.deepEqual(listDir(target), ["a.txt"]);
  });
});
