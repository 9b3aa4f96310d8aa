import assert from "node:assert/strict";
import { join } from "node:path";
import { DownloadError, downloadFile, partFileName } from "../lib/peer/download/mod.ts";
import { startUploadServer, type UploadServer } from "../lib/peer/upload/mod.ts";
import { writeRandomFile } from "./support/peers.ts";

const encoder = new TextEncoder();

async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const read = await conn.read(buffer);
    if (read === null) break;
    chunks.push(buffer.slice(0, read));
  }
  const whole = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.length;
  }
  return whole;
}

/** Sends `request` in one write to the uploader and returns every byte it answers with. */
async function rawRequest(server: UploadServer, request: Uint8Array | string): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  try {
    await conn.write(typeof request === "string" ? encoder.encode(request) : request);
    return await readAll(conn);
  } finally {
    conn.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

interface Fixture {
  readonly share: string;
  readonly target: string;
  readonly published: Set<string>;
  readonly server: UploadServer;
}

/** A share folder served by a real uploader, a second folder to download into, and cleanup. */
async function withUploader(run: (fixture: Fixture) => Promise<void>): Promise<void> {
  const share = await Deno.makeTempDir({ prefix: "peersync-share-" });
  const target = await Deno.makeTempDir({ prefix: "peersync-target-" });
  const published = new Set<string>();
  const server = startUploadServer({ hostname: "127.0.0.1", dir: share, published });
  try {
    await run({ share, target, published, server });
  } finally {
    await server.close();
    await Deno.remove(share, { recursive: true });
    await Deno.remove(target, { recursive: true });
  }
}

Deno.test("a download receives a several-MB file byte for byte", async () => {
  await withUploader(async ({ share, target, published, server }) => {
    const content = await writeRandomFile(join(share, "big.bin"), 5 * 1024 * 1024 + 123);
    published.add("big.bin");
    const result = await downloadFile({
      host: "127.0.0.1",
      port: server.addr.port,
      file: "big.bin",
      dir: target,
    });
    assert.equal(result.bytes, content.length);
    assert.deepEqual(await Deno.readFile(join(target, "big.bin")), content);
    assert.equal(await exists(join(target, partFileName("big.bin"))), false);
  });
});

Deno.test("a download refuses to overwrite a file that already exists", async () => {
  await withUploader(async ({ share, target, published, server }) => {
    await Deno.writeTextFile(join(share, "a.txt"), "new content");
    published.add("a.txt");
    await Deno.writeTextFile(join(target, "a.txt"), "keep me");
    await assert.rejects(
      downloadFile({ host: "127.0.0.1", port: server.addr.port, file: "a.txt", dir: target }),
      (error: unknown) =>
        error instanceof DownloadError &&
        error.message === `a.txt already exists in ${target}; not overwriting`,
    );
    assert.equal(await Deno.readTextFile(join(target, "a.txt")), "keep me");
  });
});

Deno.test("an unpublished file is not served and no file is created", async () => {
  await withUploader(async ({ share, target, server }) => {
    await Deno.writeTextFile(join(share, "secret.txt"), "private");
    await assert.rejects(
      downloadFile({ host: "127.0.0.1", port: server.addr.port, file: "secret.txt", dir: target }),
      (error: unknown) =>
        error instanceof DownloadError &&
        error.message === "the peer sent nothing (it may no longer have the file)",
    );
    assert.deepEqual([...Deno.readDirSync(target)], []);
  });
});

Deno.test("a published name whose file is gone is not served", async () => {
  await withUploader(async ({ server, published }) => {
    published.add("gone.txt");
    assert.equal((await rawRequest(server, "gone.txt")).length, 0);
  });
});

Deno.test("hostile names get zero bytes, even when listed as published", async () => {
  await withUploader(async ({ share, published, server }) => {
    const outside = await Deno.makeTempDir({ prefix: "peersync-outside-" });
    try {
      await Deno.writeTextFile(join(outside, "x"), "outside the share folder");
      await Deno.writeTextFile(join(share, "x"), "inside");
      await Deno.symlink(join(outside, "x"), join(share, "link"));
      await Deno.mkdir(join(share, "folder"));
      const hostile = ["..", ".", "../x", "/etc/passwd", "link", "folder", "./x", "x/", "a b"];
      for (const name of hostile) published.add(name);
      for (const name of hostile) {
        assert.equal((await rawRequest(server, name)).length, 0, `served ${JSON.stringify(name)}`);
        assert.equal((await rawRequest(server, `${name}\n`)).length, 0);
      }
      // Invalid UTF-8, an empty request, and a request longer than any valid name.
      assert.equal((await rawRequest(server, new Uint8Array([0x78, 0xff]))).length, 0);
      assert.equal((await rawRequest(server, "\n")).length, 0);
      published.add("y".repeat(255));
      await Deno.writeTextFile(join(share, "y".repeat(255)), "long name");
      assert.equal((await rawRequest(server, `${"y".repeat(255)}\n\n\n`)).length, 0);
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  });
});

Deno.test("a symlink that stays inside the share folder is served", async () => {
  await withUploader(async ({ share, published, server }) => {
    await Deno.writeTextFile(join(share, "real.txt"), "via link");
    await Deno.symlink(join(share, "real.txt"), join(share, "alias.txt"));
    published.add("alias.txt");
    assert.equal(new TextDecoder().decode(await rawRequest(server, "alias.txt")), "via link");
  });
});

Deno.test("uploader serves a name that arrives without a newline", async () => {
  await withUploader(async ({ share, published, server }) => {
    await Deno.writeTextFile(join(share, "a.txt"), "hello");
    published.add("a.txt");
    for (const request of ["a.txt", "a.txt\n", "a.txt\r\n"]) {
      assert.equal(new TextDecoder().decode(await rawRequest(server, request)), "hello");
    }
  });
});

Deno.test("uploader serves a name of 255 bytes followed by CRLF", async () => {
  await withUploader(async ({ share, published, server }) => {
    const name = "\u00e9".repeat(127) + "z";
    await Deno.writeTextFile(join(share, name), "long");
    published.add(name);
    assert.equal(new TextDecoder().decode(await rawRequest(server, `${name}\r\n`)), "long");
  });
});

Deno.test("one uploader serves two downloads at once", async () => {
  await withUploader(async ({ share, target, published, server }) => {
    const first = await writeRandomFile(join(share, "one.bin"), 3 * 1024 * 1024);
    const second = await writeRandomFile(join(share, "two.bin"), 2 * 1024 * 1024 + 7);
    published.add("one.bin").add("two.bin");
    const port = server.addr.port;
    await Promise.all([
      downloadFile({ host: "127.0.0.1", port, file: "one.bin", dir: target }),
      downloadFile({ host: "127.0.0.1", port, file: "two.bin", dir: target }),
    ]);
    assert.deepEqual(await Deno.readFile(join(target, "one.bin")), first);
    assert.deepEqual(await Deno.readFile(join(target, "two.bin")), second);
  });
});

Deno.test("uploader hangs up on a downloader that never names a file", async () => {
  const share = await Deno.makeTempDir();
  const server = startUploadServer({
    hostname: "127.0.0.1",
    dir: share,
    published: new Set(),
    requestTimeoutMs: 100,
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  try {
    const started = Date.now();
    assert.equal((await readAll(conn)).length, 0);
    assert.ok(Date.now() - started < 2000);
  } finally {
    conn.close();
    await server.close();
    await Deno.remove(share);
  }
});

Deno.test("a refused connection fails the download with a clear reason", async () => {
  const target = await Deno.makeTempDir();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  try {
    await assert.rejects(
      downloadFile({ host: "127.0.0.1", port, file: "a.txt", dir: target }),
      (error: unknown) =>
        error instanceof DownloadError &&
        error.message === `connection refused by 127.0.0.1:${port}`,
    );
    assert.deepEqual([...Deno.readDirSync(target)], []);
  } finally {
    await Deno.remove(target);
  }
});

Deno.test("a download whose uploader stops sending fails and leaves no file", async () => {
  const target = await Deno.makeTempDir();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  // An uploader that sends some bytes, then nothing, without closing.
  const uploader = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(300));
    await conn.write(encoder.encode("partial"));
    return conn;
  })();
  try {
    await assert.rejects(
      downloadFile({
        host: "127.0.0.1",
        port: listener.addr.port,
        file: "a.txt",
        dir: target,
        stallTimeoutMs: 200,
      }),
      (error: unknown) => error instanceof DownloadError && /stopped sending/.test(error.message),
    );
    assert.deepEqual([...Deno.readDirSync(target)], []);
  } finally {
    (await uploader).close();
    listener.close();
    await Deno.remove(target);
  }
});

Deno.test("a download cut off by a reset fails and leaves no file", async () => {
  const target = await Deno.makeTempDir();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const uploader = (async () => {
    const conn = await listener.accept();
    await conn.write(encoder.encode("partial"));
    // Closing with the request unread makes the kernel reset the connection.
    conn.close();
  })();
  try {
    const outcome = await downloadFile({
      host: "127.0.0.1",
      port: listener.addr.port,
      file: "a.txt",
      dir: target,
    }).then(() => "downloaded", (error: unknown) => error);
    // Whether the reset beats the bytes is up to the kernel; a reset must never leave a file.
    if (outcome instanceof DownloadError) {
      assert.deepEqual([...Deno.readDirSync(target)], []);
    } else {
      assert.equal(await Deno.readTextFile(join(target, "a.txt")), "partial");
    }
  } finally {
    await uploader;
    listener.close();
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test("closing the uploader ends a transfer in progress", async () => {
  await withUploader(async ({ share, published, server }) => {
    await writeRandomFile(join(share, "big.bin"), 8 * 1024 * 1024);
    published.add("big.bin");
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    try {
      await conn.write(encoder.encode("big.bin"));
      // Read a little, then stop reading so the uploader blocks on a full socket.
      await conn.read(new Uint8Array(1024));
      await server.close();
    } finally {
      conn.close();
    }
  });
});
