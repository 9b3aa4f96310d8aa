import assert from "node:assert/strict";
import { join } from "node:path";
import { DownloadError } from "./errors.ts";
import { downloadFromHolders } from "./from_holders.ts";

const encoder = new TextEncoder();

/**
 * A v1 uploader on loopback for one connection: it reads the request, then does `serve` with the
 * connection (which is closed afterwards unless `serve` returns it still open).
 */
function v1Holder(serve: (conn: Deno.Conn) => Promise<boolean>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(300));
    return (await serve(conn)) ? conn : (conn.close(), undefined);
  })();
  return {
    port: listener.addr.port,
    async close() {
      (await serving)?.close();
      listener.close();
    },
  };
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "peersync-v1-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("with only v1 holders, one that stalls mid-stream is replaced by the next, which starts the file over", async () => {
  await withDir(async (dir) => {
    // Sends a longer stream than the file, then nothing, without closing.
    const slow = v1Holder(async (conn) => {
      await conn.write(encoder.encode("the first bytes of a longer, other stream"));
      return true;
    });
    const bob = v1Holder(async (conn) => {
      await conn.write(encoder.encode("hello"));
      return false;
    });
    try {
      const result = await downloadFromHolders({
        file: "a.txt",
        dir,
        holders: [
          { user: "slow", host: "127.0.0.1", port: slow.port },
          { user: "bob", host: "127.0.0.1", port: bob.port },
        ],
        stallTimeoutMs: 200,
      });
      assert.equal(await Deno.readTextFile(join(dir, "a.txt")), "hello");
      assert.equal(result.bytes, 5);
      assert.equal(result.verified, false);
      assert.deepEqual(result.fromHolders, ["bob"]);
      assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name), ["a.txt"]);
    } finally {
      await slow.close();
      await bob.close();
    }
  });
});

Deno.test("with only v1 holders, when none delivers, each says why and no file is left", async () => {
  await withDir(async (dir) => {
    const alice = v1Holder(() => Promise.resolve(false));
    const bob = v1Holder(() => Promise.resolve(false));
    try {
      const failure = await downloadFromHolders({
        file: "a.txt",
        dir,
        holders: [
          { user: "alice", host: "127.0.0.1", port: alice.port },
          { user: "bob", host: "127.0.0.1", port: bob.port },
        ],
      }).then(() => undefined, (error: unknown) => error);
      assert.ok(failure instanceof DownloadError, String(failure));
      assert.equal(failure.kind, "holders");
      assert.match(
        failure.message,
        /^every holder failed — alice \(127\.0\.0\.1:\d+\): the peer sent nothing .*; bob \(127\.0\.0\.1:\d+\): the peer sent nothing/,
      );
      assert.deepEqual([...Deno.readDirSync(dir)], []);
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});
