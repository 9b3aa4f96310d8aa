import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeTransferStatus, encodeTransferRequest } from "../../protocol/mod.ts";
import { concat } from "../../util/mod.ts";
import { startUploadServer } from "./upload_server.ts";

const encoder = new TextEncoder();

/** A share folder holding `a.txt` ("hello"), served by a real uploader on loopback. */
async function withUploader(
  published: ReadonlySet<string>,
  run: (port: number) => Promise<void>,
  onStale?: (file: string) => void,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "peersync-upload-" });
  await Deno.writeTextFile(join(dir, "a.txt"), "hello");
  const server = startUploadServer({ hostname: "127.0.0.1", dir, published, onStale });
  try {
    await run(server.addr.port);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Sends `request` in one write and returns every byte the uploader answers before it closes. */
async function ask(port: number, request: Uint8Array): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(request);
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(4096);
    for (let read = await conn.read(buffer); read !== null; read = await conn.read(buffer)) {
      chunks.push(buffer.slice(0, read));
    }
    return concat(chunks);
  } finally {
    conn.close();
  }
}

Deno.test("a v1 transfer request loses exactly one trailing LF or CRLF", async () => {
  await withUploader(new Set(["a.txt"]), async (port) => {
    for (const request of ["a.txt", "a.txt\n", "a.txt\r\n"]) {
      assert.equal(new TextDecoder().decode(await ask(port, encoder.encode(request))), "hello");
    }
    // What is left after one line ending is part of the name, which is then no valid name.
    for (const request of ["a.txt\n\n", "a.txt\r"]) {
      assert.equal((await ask(port, encoder.encode(request))).length, 0, JSON.stringify(request));
    }
  });
});

Deno.test("a v1 transfer request that is not UTF-8 or too long gets no byte", async () => {
  await withUploader(new Set(["a.txt", "x".repeat(258)]), async (port) => {
    assert.equal((await ask(port, new Uint8Array([0x61, 0xc3]))).length, 0);
    assert.equal((await ask(port, encoder.encode("x".repeat(258)))).length, 0);
  });
});

Deno.test("a v2 request for a file not published is refused with its status line only", async () => {
  await withUploader(new Set(), async (port) => {
    const request = encodeTransferRequest({ file: "a.txt", offset: 0, sha256: "0".repeat(64) });
    const answer = await ask(port, request);
    const decoded = decodeTransferStatus(answer);
    assert.ok(decoded.ok && !decoded.status.ok, new TextDecoder().decode(answer));
    assert.equal(decoded.status.code, "notpublished");
  });
});

Deno.test("the uploader tells the peer when a published file it was asked for is gone or changed", async () => {
  const stale: string[] = [];
  const hello = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  await withUploader(new Set(["a.txt", "gone.txt"]), async (port) => {
    const status = async (file: string, sha256: string) => {
      const answer = await ask(port, encodeTransferRequest({ file, offset: 0, sha256 }));
      const decoded = decodeTransferStatus(answer);
      assert.ok(decoded.ok, `${file}: ${new TextDecoder().decode(answer)}`);
      return decoded.status.ok ? "ok" : decoded.status.code;
    };
    // Not published: nothing of this peer's to put right.
    assert.equal(await status("other.txt", hello), "notpublished");
    assert.deepEqual(stale, []);
    assert.equal(await status("a.txt", "0".repeat(64)), "changed");
    assert.equal(await status("gone.txt", hello), "notfound");
    assert.equal((await ask(port, encoder.encode("gone.txt"))).length, 0);
    assert.deepEqual(stale, ["a.txt", "gone.txt", "gone.txt"]);
  }, (file) => stale.push(file));
});

Deno.test({
  name: "a name swapped for a symlink out of the folder while it is opened is never followed",
  ignore: Deno.build.os === "windows",
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "peersync-swap-" });
    const dir = join(root, "share");
    const outside = join(root, "secret.txt");
    await Deno.mkdir(dir);
    await Deno.writeTextFile(outside, "SECRET");
    await Deno.writeTextFile(join(dir, "a.txt"), "SAFE");
    // Someone who can write in the share folder swaps a.txt between a file and a symlink to a
    // file outside it, as fast as it can, from another process.
    const swapper = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `const [dir, outside] = ${JSON.stringify([dir, outside])};
        const end = Date.now() + 20_000;
        while (Date.now() < end) {
          try { Deno.symlinkSync(outside, dir + "/l.tmp"); } catch {}
          Deno.renameSync(dir + "/l.tmp", dir + "/a.txt");
          Deno.writeTextFileSync(dir + "/f.tmp", "SAFE");
          Deno.renameSync(dir + "/f.tmp", dir + "/a.txt");
        }`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const server = startUploadServer({
      hostname: "127.0.0.1",
      dir,
      published: new Set(["a.txt"]),
      maxUploadsPerPeer: 10,
    });
    try {
      // The swapper is at work once the file has been replaced.
      const before = (await Deno.lstat(join(dir, "a.txt"))).ino;
      while ((await Deno.lstat(join(dir, "a.txt")).catch(() => undefined))?.ino === before) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // Before the open was checked, about 2% of v1 requests were sent the outside file.
      for (let i = 0; i < 1500; i++) {
        const answer = new TextDecoder().decode(
          await ask(server.addr.port, encoder.encode("a.txt\n")),
        );
        assert.doesNotMatch(answer, /SECRET/, `request ${i}`);
      }
    } finally {
      swapper.kill("SIGKILL");
      await swapper.status;
      await server.close();
      await Deno.remove(root, { recursive: true });
    }
  },
});
