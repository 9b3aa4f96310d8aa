/**
 * Fair uploads against a real uploader on loopback: slow readers from one address or from many
 * cannot keep a legitimate download out, idle connections past the cap are closed at once, and a
 * request dripped a byte at a time is cut at its deadline. Readers speak from 127.0.0.2… (through
 * `node:net`, which can bind a local address) so the uploader sees distinct peers; the downloader
 * is the real download engine, from 127.0.0.1. Limits are scaled down so each test takes seconds.
 */

import assert from "node:assert/strict";
import net from "node:net";
import { join } from "node:path";
import { downloadFromHolders } from "../lib/peer/download/mod.ts";
import { encodeTransferRequest } from "../lib/protocol/mod.ts";
import type { UploadServerOptions } from "../lib/peer/upload/mod.ts";
import { sameBytes } from "./support/peers.ts";
import { MiB, randomBytes, Seeder, withSeeders, writeAll } from "./support/transfer_fixtures.ts";

/** A TCP connection from `localAddress` to the uploader, with what happened to it. */
class RemoteReader {
  readonly socket: net.Socket;
  readonly connected: Promise<void>;
  /** Resolves with the time the uploader closed the connection (or reset it). */
  readonly ended: Promise<number>;
  received = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(port: number, localAddress: string) {
    this.socket = net.connect({ host: "127.0.0.1", port, localAddress });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once("connect", () => resolve());
      this.socket.once("error", reject);
    });
    this.ended = new Promise((resolve) => {
      this.socket.on("error", () => {});
      this.socket.once("close", () => resolve(performance.now()));
    });
    this.socket.pause();
  }

  /** Reads `bytes` every `everyMs`, no more: a slow reader. */
  readSlowly(bytes: number, everyMs: number): void {
    this.#timer = setInterval(() => {
      const chunk: Buffer | null = this.socket.read(bytes) ?? this.socket.read();
      if (chunk !== null) this.received += chunk.length;
    }, everyMs);
  }

  /** Reads everything as it comes. */
  readAll(): void {
    this.socket.on("data", (chunk: Buffer) => this.received += chunk.length);
    this.socket.resume();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.socket.destroy();
    await this.ended;
  }
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `condition` holds, for at most `ms`. */
async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const content = randomBytes(32 * MiB);
const publish = { file: "big.bin", content };

/**
 * Eight slow readers — each takes 16 KiB every 125 ms (128 KiB/s), the "512 KiB every
 * 5 s" scaled to the test's floor — each asking for the whole file in v2 from `addressOf(i)`.
 */
async function slowReaders(seeder: Seeder, addressOf: (i: number) => string) {
  const readers: RemoteReader[] = [];
  for (let i = 0; i < 8; i++) {
    const reader = new RemoteReader(seeder.server.addr.port, addressOf(i));
    readers.push(reader);
    await reader.connected;
    reader.socket.write(
      encodeTransferRequest({
        file: "big.bin",
        offset: 0,
        sha256: seeder.holder("big.bin").sha256!,
      }),
    );
    reader.readSlowly(16 * 1024, 125);
  }
  const { stats } = seeder.server;
  await until(() => stats.uploadsStarted + stats.refusedBusy === 8);
  return readers;
}

/** The test's scaled-down floor: 1 MiB/s over 600 ms, after 300 ms. */
const fastFloor: Partial<UploadServerOptions> = {
  maxUploads: 8,
  minSpeed: { bytesPerSecond: MiB, windowMs: 600, graceMs: 300 },
};

Deno.test("eight slow readers from one address get two slots; a get from another address is served at once", async () => {
  // No speed floor here: the per-address cap alone keeps six slots free.
  const options = { maxUploads: 8, minSpeed: { bytesPerSecond: 0, windowMs: 1, graceMs: 0 } };
  await withSeeders({ seeders: { alice: options }, publish }, async ({ alice }, target) => {
    const readers = await slowReaders(alice, () => "127.0.0.2");
    try {
      assert.equal(alice.server.stats.active, 2);
      assert.equal(alice.server.stats.refusedBusy, 6);
      const result = await downloadFromHolders({
        file: "big.bin",
        dir: target,
        holders: [alice.holder("big.bin")],
        // Busy even once would fail this download.
        busyRetryBudgetMs: 0,
      });
      assert.equal(result.bytes, content.length);
      assert.equal(alice.server.stats.refusedBusy, 6);
      assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
    } finally {
      await Promise.all(readers.map((reader) => reader.close()));
    }
  });
});

Deno.test("eight slow readers from eight addresses take every slot, are dropped below the floor, and a get succeeds", async () => {
  await withSeeders({ seeders: { alice: fastFloor }, publish }, async ({ alice }, target) => {
    const readers = await slowReaders(alice, (i) => `127.0.0.${i + 2}`);
    try {
      assert.equal(alice.server.stats.active, 8, "the readers hold every slot");
      const result = await downloadFromHolders({
        file: "big.bin",
        dir: target,
        holders: [alice.holder("big.bin")],
        busyRetryBudgetMs: 4000,
        busyRetryDelayMs: 200,
      });
      assert.equal(result.bytes, content.length);
      assert.ok(sameBytes(await Deno.readFile(join(target, "big.bin")), content));
      assert.ok(alice.server.stats.droppedSlow >= 1, JSON.stringify(alice.server.stats));
      // Each slow reader got a small part of the file before it was cut.
      for (const reader of readers) assert.ok(reader.received < content.length);
    } finally {
      await Promise.all(readers.map((reader) => reader.close()));
    }
  });
});

Deno.test("a fast reader is never dropped by the speed floor", async () => {
  await withSeeders({ seeders: { alice: fastFloor }, publish }, async ({ alice }) => {
    const reader = new RemoteReader(alice.server.addr.port, "127.0.0.2");
    await reader.connected;
    reader.readAll();
    reader.socket.write(
      encodeTransferRequest({
        file: "big.bin",
        offset: 0,
        sha256: alice.holder("big.bin").sha256!,
      }),
    );
    await reader.ended;
    // The status line, then the whole file.
    assert.ok(reader.received > content.length, `received ${reader.received}`);
    assert.equal(alice.server.stats.droppedSlow, 0);
  });
});

Deno.test("connections that send no request are capped in all and per address; past the cap they are closed at once", async () => {
  const options = { maxPendingConnections: 6, maxPendingPerPeer: 4, requestTimeoutMs: 3000 };
  await withSeeders({ seeders: { alice: options } }, async ({ alice }) => {
    const port = alice.server.addr.port;
    const held: RemoteReader[] = [];
    const refused: RemoteReader[] = [];
    try {
      // Each reads whatever comes, so a close is seen at once.
      const idle = (address: string) => {
        const reader = new RemoteReader(port, address);
        reader.readAll();
        return reader;
      };
      for (let i = 0; i < 4; i++) held.push(idle("127.0.0.2"));
      await Promise.all(held.map((reader) => reader.connected));
      refused.push(idle("127.0.0.2")); // a fifth from the same address
      await until(() => alice.server.stats.refusedPending === 1);
      for (let i = 0; i < 2; i++) held.push(idle("127.0.0.3"));
      await Promise.all(held.map((reader) => reader.connected));
      refused.push(idle("127.0.0.4")); // a seventh in all
      await until(() => alice.server.stats.refusedPending === 2);
      for (const reader of refused) {
        assert.ok(await settlesWithin(reader.ended, 1000), "a connection past the cap is closed");
      }
      for (const reader of held) {
        assert.equal(await settlesWithin(reader.ended, 100), false, "one within the cap is held");
      }
    } finally {
      await Promise.all([...held, ...refused].map((reader) => reader.close()));
    }
  });
});

Deno.test("a request dripped one byte at a time is cut at the deadline counted from accept", async () => {
  await withSeeders({ seeders: { alice: { requestTimeoutMs: 800 } } }, async ({ alice }) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: alice.server.addr.port });
    const started = performance.now();
    const line = encodeTransferRequest({ file: "big.bin", offset: 0, sha256: "0".repeat(64) });
    try {
      // "PS2 " makes it a v2 request, which is read up to its newline; the rest comes slowly.
      await writeAll(conn, line.subarray(0, 4));
      const reading = conn.read(new Uint8Array(64)).catch(() => null);
      let sent = 4;
      while (!(await settlesWithin(reading, 100)) && sent < line.length - 1) {
        await conn.write(line.subarray(sent, ++sent)).catch(() => 0);
      }
      const elapsed = performance.now() - started;
      assert.equal(await reading, null, "closed without a byte");
      assert.ok(sent < line.length - 1, "cut before the request was complete");
      assert.ok(elapsed >= 700 && elapsed < 2000, `cut after ${Math.round(elapsed)} ms`);
    } finally {
      conn.close();
    }
  });
});

/** Connects from `localAddress`, sends `request`, and returns everything the uploader sent. */
async function exchangeFrom(port: number, localAddress: string, request: Uint8Array) {
  const reader = new RemoteReader(port, localAddress);
  const chunks: Buffer[] = [];
  reader.socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  reader.socket.resume();
  await reader.connected;
  reader.socket.write(request);
  await reader.ended;
  return new Uint8Array(Buffer.concat(chunks));
}

Deno.test("an address the speed floor dropped is busy during its cool-down, others are served, and it is served again after", async () => {
  const coolDownMs = 2500;
  const options: Partial<UploadServerOptions> = {
    ...fastFloor,
    slowReaderCoolDown: {
      baseMs: coolDownMs,
      maxMs: 4 * coolDownMs,
      memoryMs: 60_000,
      maxEntries: 16,
    },
  };
  await withSeeders({ seeders: { alice: options }, publish }, async ({ alice }) => {
    const port = alice.server.addr.port;
    const sha256 = alice.holder("big.bin").sha256!;
    const v2Request = encodeTransferRequest({ file: "big.bin", offset: 0, sha256 });
    const slow = new RemoteReader(port, "127.0.0.2");
    try {
      await slow.connected;
      slow.socket.write(v2Request);
      slow.readSlowly(16 * 1024, 125);
      // Seen by the uploader's counter: the reader itself sees the close only once it has
      // read what the kernel still holds for it.
      await until(() => alice.server.stats.droppedSlow === 1, 10_000);
      const droppedAt = performance.now();

      // Back at once, in v2: a busy status line and nothing else.
      const again = new TextDecoder().decode(await exchangeFrom(port, "127.0.0.2", v2Request));
      assert.match(again, /^PS2 ERR busy .*dropped; try again in [1-3] s\r?\n$/);
      // In v1: closed without a byte.
      const v1 = await exchangeFrom(port, "127.0.0.2", new TextEncoder().encode("big.bin\n"));
      assert.equal(v1.length, 0);
      assert.equal(alice.server.stats.refusedCoolingDown, 2);
      assert.ok(performance.now() - droppedAt < coolDownMs, "both asked within the cool-down");

      // Another address is not touched by it.
      const other = await exchangeFrom(port, "127.0.0.3", v2Request);
      assert.ok(other.length > content.length, `127.0.0.3 received ${other.length}`);

      // After the cool-down the address is served as anyone else.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, droppedAt + coolDownMs + 100 - performance.now()))
      );
      const later = await exchangeFrom(port, "127.0.0.2", v2Request);
      assert.ok(later.length > content.length, `127.0.0.2 received ${later.length} after it`);
      assert.equal(alice.server.stats.refusedCoolingDown, 2);
    } finally {
      await slow.close();
    }
  });
});
