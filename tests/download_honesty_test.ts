/**
 * Honest downloads against holders that are not: one that drips its bytes (or its status line)
 * is left like a silent one, every published version is tried before a download fails, and a v1
 * holder that streams forever is cut off at a size. Stand-ins are real TCP servers on loopback;
 * the downloader is the real download engine. Limits are scaled down so each test is quick.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { DownloadError, downloadFromHolders } from "../lib/peer/download/mod.ts";
import { encodeTransferStatus } from "../lib/protocol/mod.ts";
import {
  listDir,
  randomBytes,
  readRequestLine,
  sha256,
  StandIn,
  withSeeders,
  withTarget,
  writeAll,
} from "./support/transfer_fixtures.ts";
import { sameBytes } from "./support/peers.ts";

const content = randomBytes(64 * 1024);
const digest = sha256(content);
const expected = { size: content.length, sha256: digest };

/** Sleeps `ms`. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A v2 holder that answers a valid `PS2 OK` for the file, then sends its real bytes one at a time,
 * one every `everyMs` — honest bytes, far too slowly.
 */
function dripper(everyMs: number): StandIn {
  return new StandIn(async (conn) => {
    await readRequestLine(conn);
    await writeAll(conn, encodeTransferStatus({ ok: true, ...expected }));
    for (const byte of content) {
      await writeAll(conn, new Uint8Array([byte]));
      await pause(everyMs);
    }
  });
}

/** Runs `download` and returns the error it fails with (or fails the test if it succeeds). */
async function failureOf(download: Promise<unknown>): Promise<DownloadError> {
  const outcome = await download.then(() => undefined, (error: unknown) => error);
  assert.ok(outcome instanceof DownloadError, `expected a DownloadError, got ${outcome}`);
  return outcome;
}

Deno.test("a v2 holder dripping a byte at a time is left after the stall window and an honest one completes", async () => {
  const drip = dripper(100);
  try {
    await withSeeders({ seeders: { honest: {} }, publish: { file: "a.bin", content } }, async (
      { honest },
      target,
    ) => {
      const started = performance.now();
      const notices: string[] = [];
      const result = await downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [drip.holder("dripper", expected), honest.holder("a.bin")],
        stallTimeoutMs: 800,
        onNotice: (line) => notices.push(line),
      });
      const elapsed = performance.now() - started;
      assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
      assert.ok(result.fromHolders.includes("honest"), result.fromHolders.join());
      assert.ok(elapsed < 3000, `took ${Math.round(elapsed)} ms`);
      assert.deepEqual(listDir(target), ["a.bin"]);
    });
  } finally {
    await drip.close();
  }
});

Deno.test("a lone dripping holder fails the download within the stall window, saying it is too slow", async () => {
  const drip = dripper(100);
  try {
    await withTarget(async (target) => {
      const started = performance.now();
      const failure = await failureOf(downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [drip.holder("dripper", expected)],
        stallTimeoutMs: 800,
      }));
      const elapsed = performance.now() - started;
      assert.equal(failure.kind, "holders");
      assert.match(
        failure.message,
        /^dripper \(127\.0\.0\.1:\d+\): too slow \(\d+ B in 0\.8 s, under 1\.0 KiB\/s\)/,
      );
      assert.ok(elapsed < 2500, `took ${Math.round(elapsed)} ms`);
    });
  } finally {
    await drip.close();
  }
});

Deno.test("a status line dripped a byte at a time is cut at the status deadline", async () => {
  const status = encodeTransferStatus({ ok: true, ...expected });
  const drip = new StandIn(async (conn) => {
    await readRequestLine(conn);
    for (const byte of status) {
      await writeAll(conn, new Uint8Array([byte]));
      await pause(50);
    }
  });
  try {
    await withTarget(async (target) => {
      const started = performance.now();
      const failure = await failureOf(downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [drip.holder("dripper", expected)],
        // Fast enough for the speed rule: only the deadline can cut it.
        stallTimeoutMs: 10_000,
        minSpeedBytesPerSecond: 1,
        statusTimeoutMs: 600,
      }));
      assert.match(failure.message, /sent no status line within 0\.6 s/);
      assert.ok(performance.now() - started < 2000);
    });
  } finally {
    await drip.close();
  }
});

Deno.test("a version no holder can deliver is followed by the next version, verified against its own digest", async () => {
  // Two liars publish the name with a bogus size and digest at an address where no one listens.
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = closed.addr.port;
  closed.close();
  const bogus = { size: 999, sha256: "e".repeat(64) };
  await withSeeders({ seeders: { honest: {} }, publish: { file: "a.bin", content } }, async (
    { honest },
    target,
  ) => {
    const notices: string[] = [];
    const result = await downloadFromHolders({
      file: "a.bin",
      dir: target,
      holders: [
        { user: "mallory", host: "127.0.0.1", port: deadPort, ...bogus },
        { user: "trudy", host: "127.0.0.1", port: deadPort, ...bogus },
        honest.holder("a.bin"),
      ],
      onNotice: (line) => notices.push(line),
    });
    assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
    assert.deepEqual(result.expected, expected);
    assert.equal(result.failedVersions?.length, 1);
    assert.match(result.failedVersions![0], /^999 B, SHA-256 e{16}…, from mallory, trudy: /);
    assert.match(
      notices[0],
      /^the version of 999 B, .* failed \(.*connection refused.*\); trying the version of 64\.0 KiB/,
    );
    assert.match(
      notices[1],
      new RegExp(
        `^fetched the version of 64\\.0 KiB, SHA-256 ${digest.slice(0, 16)}…, from honest$`,
      ),
    );
    assert.deepEqual(listDir(target), ["a.bin"]);
  });
});

Deno.test("when every version fails, the failure names each version and why", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = closed.addr.port;
  closed.close();
  await withTarget(async (target) => {
    const failure = await failureOf(downloadFromHolders({
      file: "a.bin",
      dir: target,
      holders: [
        { user: "mallory", host: "127.0.0.1", port: deadPort, size: 999, sha256: "e".repeat(64) },
        { user: "trudy", host: "127.0.0.1", port: deadPort, size: 5, sha256: "f".repeat(64) },
      ],
    }));
    assert.equal(failure.kind, "holders");
    assert.match(
      failure.message,
      /^every published version failed — 999 B, SHA-256 e{16}…, from mallory: .*refused.*; 5 B, SHA-256 f{16}…, from trudy: .*refused/,
    );
    assert.deepEqual(listDir(target), []);
  });
});

/** A v1 holder (no digest) that streams bytes without end until the downloader hangs up. */
function endlessV1(): StandIn {
  return new StandIn(async (conn) => {
    await conn.read(new Uint8Array(300));
    const chunk = randomBytes(64 * 1024);
    for (;;) await writeAll(conn, chunk);
  });
}

Deno.test("a v1 holder streaming past --max-v1-size is treated as broken and its bytes are discarded", async () => {
  const flood = endlessV1();
  try {
    await withTarget(async (target) => {
      const failure = await failureOf(downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [flood.holder("flood")],
        maxV1Bytes: 256 * 1024,
      }));
      assert.equal(failure.kind, "holders");
      assert.match(
        failure.message,
        /^flood \(127\.0\.0\.1:\d+\): sent more than 256\.0 KiB, the most a v1 holder may send \(--max-v1-size\); treated as broken$/,
      );
      // The temporary file is gone with its bytes.
      assert.deepEqual(listDir(target), []);
    });
  } finally {
    await flood.close();
  }
});

Deno.test("after a v1 holder cut off at the size limit, the next v1 holder's stream is the file", async () => {
  const flood = endlessV1();
  const honest = new StandIn(async (conn) => {
    await conn.read(new Uint8Array(300));
    await writeAll(conn, content);
  });
  try {
    await withTarget(async (target) => {
      const result = await downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [flood.holder("flood"), honest.holder("honest")],
        maxV1Bytes: 256 * 1024,
      });
      assert.deepEqual(result.fromHolders, ["honest"]);
      assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
      assert.deepEqual(listDir(target), ["a.bin"]);
    });
  } finally {
    await flood.close();
    await honest.close();
  }
});
