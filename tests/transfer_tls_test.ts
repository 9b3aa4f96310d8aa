/**
 * The v2 data channel over TLS, with real uploaders and sockets on loopback: holders are reached
 * on their TLS port and only with the certificate the tracker pinned, a relay in the middle sees
 * no plaintext and cannot alter bytes unnoticed, and resume and multi-source work as in clear.
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { DownloadError, downloadFromHolders } from "../lib/peer/download/mod.ts";
import { type Identity, loadIdentity } from "../lib/peer/identity/mod.ts";
import type { Holder } from "../lib/protocol/mod.ts";
import {
  downloadWithCut,
  listDir,
  MiB,
  randomBytes,
  rawExchange,
  sha256,
  StandIn,
  withSeeders,
  writeAll,
} from "./support/transfer_fixtures.ts";
import { sameBytes } from "./support/peers.ts";

const identity = (): Promise<Identity> => loadIdentity(undefined, () => {});

/** A port nothing listens on: a holder entry with it can only be reached over TLS. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Forwards bytes to `port`, keeping what flows back; `tamper` may change a chunk on the way. */
function relayTo(port: number, tamper?: (chunk: Uint8Array, at: number) => void) {
  const seen: Uint8Array[] = [];
  const relay = new StandIn(async (down) => {
    const up = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      const forward = async (from: Deno.Conn, to: Deno.Conn, keep: boolean) => {
        const buffer = new Uint8Array(64 * 1024);
        let at = 0;
        for (;;) {
          const read = await from.read(buffer).catch(() => null);
          if (read === null) break;
          const chunk = buffer.slice(0, read);
          if (keep) {
            tamper?.(chunk, at);
            seen.push(chunk.slice());
          }
          at += read;
          await writeAll(to, chunk).catch(() => {});
        }
        await to.closeWrite().catch(() => {});
      };
      await Promise.all([forward(down, up, false), forward(up, down, true)]);
    } finally {
      up.close();
    }
  });
  return { relay, seen: () => Buffer.concat(seen) };
}

Deno.test("over TLS by default: the holder is reached on its TLS port and the bytes verify", async () => {
  const content = randomBytes(3 * MiB + 17);
  const alice = { tls: await identity() };
  const publish = { file: "a.bin", content };
  await withSeeders({ seeders: { alice }, publish }, async (seeders, target) => {
    const clear: string[][] = [];
    // The clear port refuses: only the TLS port can have served the file.
    const holder = { ...seeders.alice.holder("a.bin"), port: closedPort() };
    assert.ok(holder.tls !== undefined);
    const result = await downloadFromHolders({
      file: "a.bin",
      dir: target,
      holders: [holder],
      onCleartext: (holders) => clear.push([...holders]),
    });
    assert.equal(result.verified, true);
    assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
    assert.equal(seeders.alice.server.stats.bytesSent, content.length);
    assert.deepEqual(clear, []);
  });
});

Deno.test("a holder presenting another certificate is refused with a warning, and the next holder is used", async () => {
  const content = randomBytes(200_000);
  const alice = await identity();
  const mallory = await identity();
  const publish = { file: "a.bin", content };
  await withSeeders(
    { seeders: { mallory: { tls: mallory }, alice: { tls: alice } }, publish },
    async (seeders, target) => {
      // The tracker pinned alice's certificate, but mallory answers at the registered address.
      const impostor: Holder = {
        ...seeders.mallory.holder("a.bin"),
        user: "alice",
        tls: { port: seeders.mallory.server.tlsAddr!.port, fingerprint: alice.fingerprint },
      };
      const notices: string[] = [];
      const result = await downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [impostor, seeders.alice.holder("a.bin")],
        parallel: 1,
        onNotice: (line) => notices.push(line),
      });
      assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
      assert.deepEqual(result.fromHolders, ["alice"]);
      assert.equal(seeders.mallory.server.stats.bytesSent, 0);
      assert.equal(seeders.alice.server.stats.bytesSent, content.length);
      assert.equal(notices.length, 1, notices.join("\n"));
      assert.match(
        notices[0],
        /^warning: alice \(127\.0\.0\.1:\d+\): presented certificate [0-9a-f]{16}…, not [0-9a-f]{16}… registered with the tracker/,
      );
    },
  );
});

Deno.test("a lone holder whose certificate changed since it registered fails the download in one line, promising no other holder", async () => {
  const rotated = await identity();
  const registered = await identity();
  const publish = { file: "a.bin", content: randomBytes(10_000) };
  await withSeeders(
    { seeders: { alice: { tls: rotated } }, publish },
    async ({ alice }, target) => {
      const holder = alice.holder("a.bin");
      const stale: Holder = {
        ...holder,
        tls: { ...holder.tls!, fingerprint: registered.fingerprint },
      };
      const notices: string[] = [];
      await assert.rejects(
        downloadFromHolders({
          file: "a.bin",
          dir: target,
          holders: [stale],
          onNotice: (line) => notices.push(line),
        }),
        (error: unknown) =>
          error instanceof DownloadError && error.kind === "holders" &&
          /presented certificate [0-9a-f]{16}…, not [0-9a-f]{16}… registered/.test(error.message),
      );
      assert.deepEqual(notices, []);
      assert.equal(alice.server.stats.bytesSent, 0);
      assert.deepEqual(listDir(target), []);
    },
  );
});

Deno.test("a relay in the middle sees no plaintext of the file and cannot alter it unnoticed", async () => {
  const content = randomBytes(MiB);
  const publish = { file: "a.bin", content };
  await withSeeders(
    { seeders: { alice: { tls: await identity() } }, publish },
    async (seeders, target) => {
      const holder = seeders.alice.holder("a.bin");
      const tls = holder.tls!;
      const watched = relayTo(tls.port);
      try {
        await downloadFromHolders({
          file: "a.bin",
          dir: target,
          holders: [{ ...holder, tls: { ...tls, port: watched.relay.port } }],
        });
        assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
        const seen = watched.seen();
        assert.ok(seen.length > content.length, `the relay saw ${seen.length} bytes`);
        for (let at = 0; at + 32 <= content.length; at += 64 * 1024) {
          assert.equal(seen.indexOf(content.subarray(at, at + 32)), -1, `plaintext at ${at}`);
        }
        assert.equal(seen.indexOf(Buffer.from("PS2 OK")), -1);
      } finally {
        await watched.relay.close();
      }
    },
  );
  await withSeeders(
    { seeders: { alice: { tls: await identity() } }, publish },
    async (seeders, target) => {
      const holder = seeders.alice.holder("a.bin");
      // One bit flipped well inside the encrypted stream.
      const flipping = relayTo(holder.tls!.port, (chunk, at) => {
        const index = 300_000 - at;
        if (index >= 0 && index < chunk.length) chunk[index] ^= 1;
      });
      try {
        const outcome = await downloadFromHolders({
          file: "a.bin",
          dir: target,
          holders: [{ ...holder, tls: { ...holder.tls!, port: flipping.relay.port } }],
        }).then(() => "completed", (error: unknown) => error);
        assert.ok(outcome instanceof DownloadError, String(outcome));
        assert.ok(!listDir(target).includes("a.bin"));
      } finally {
        await flipping.relay.close();
      }
    },
  );
});

Deno.test("a cancelled TLS download resumes over TLS from another holder", async () => {
  const content = randomBytes(4 * MiB);
  const slow = { rateLimitBytesPerSecond: 4 * MiB };
  const publish = { file: "a.bin", content };
  await withSeeders(
    {
      seeders: { alice: { ...slow, tls: await identity() }, bob: { tls: await identity() } },
      publish,
    },
    async ({ alice, bob }, target) => {
      const controller = new AbortController();
      const outcome = await downloadWithCut(
        { file: "a.bin", dir: target, holders: [alice.holder("a.bin")], signal: controller.signal },
        { when: ({ received }) => received >= MiB, by: () => controller.abort() },
      ).then(() => "completed", (error: unknown) => error);
      assert.ok(outcome instanceof DownloadError, String(outcome));
      const second = await downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [{ ...bob.holder("a.bin"), port: closedPort() }],
      });
      assert.ok(second.resumedFrom >= MiB, `resumed from ${second.resumedFrom}`);
      assert.equal(bob.server.stats.bytesSent, content.length - second.resumedFrom);
      assert.ok(sameBytes(await Deno.readFile(join(target, "a.bin")), content));
      assert.deepEqual(listDir(target), ["a.bin"]);
    },
  );
});

Deno.test("a large file comes in ranges from three TLS holders and verifies", async () => {
  const content = randomBytes(12 * MiB + 5);
  const publish = { file: "big.bin", content };
  const seeders = {
    alice: { tls: await identity() },
    bob: { tls: await identity() },
    carol: { tls: await identity() },
  };
  await withSeeders({ seeders, publish }, async (started, target) => {
    const closed = closedPort();
    const result = await downloadFromHolders({
      file: "big.bin",
      dir: target,
      holders: Object.values(started).map((seeder) => ({
        ...seeder.holder("big.bin"),
        port: closed,
      })),
      multiSourceThresholdBytes: MiB,
    });
    assert.equal(result.verified, true);
    assert.deepEqual(result.fromHolders, ["alice", "bob", "carol"]);
    assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
  });
});

Deno.test("clear holders are said once; with requireTls they are refused on both sides", async () => {
  const content = randomBytes(100_000);
  const publish = { file: "a.bin", content };
  const secure = await identity();
  await withSeeders(
    { seeders: { old: {}, strict: { tls: secure, requireTls: true } }, publish },
    async ({ old, strict }, target) => {
      const clear: string[][] = [];
      await downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [old.holder("a.bin")],
        onCleartext: (holders) => clear.push([...holders]),
      });
      assert.equal(clear.length, 1);
      assert.match(clear[0][0], /^old \(127\.0\.0\.1:\d+\)$/);
      await Deno.remove(join(target, "a.bin"));

      const refused = await downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [old.holder("a.bin")],
        requireTls: true,
      }).then(() => "completed", (error: unknown) => error);
      assert.ok(refused instanceof DownloadError);
      assert.match(refused.message, /offers TLS .* --require-tls/);
      assert.equal(old.server.stats.bytesSent, content.length);

      const result = await downloadFromHolders({
        file: "a.bin",
        dir: target,
        holders: [old.holder("a.bin"), strict.holder("a.bin")],
        requireTls: true,
      });
      assert.deepEqual(result.fromHolders, ["strict"]);
      // The strict uploader's clear port closes without reading a request.
      const request = `PS2 GET a.bin 0 - ${sha256(content)}\n`;
      assert.equal((await rawExchange(strict.server.addr.port, request)).length, 0);
    },
  );
});
