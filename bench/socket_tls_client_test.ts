/**
 * The socket-owning OpenSSL client (a benchmark contender, NOT USED BY THE PEER) holds to what
 * docs/performance.md says of it: it reads a whole stream, a close unblocks its worker at any
 * point, and nothing leaks (the sanitizers are on).
 */

import assert from "node:assert/strict";
import { CERTIFICATE_NAME } from "../lib/peer/identity/mod.ts";
import { listenTlsAsNewPeer } from "./tls_listener.ts";
import { SocketTlsConn, SocketTlsError } from "./socket_tls_client.ts";

async function serve(bytes: number) {
  const { listener, identity } = await listenTlsAsNewPeer();
  const served = (async () => {
    const conn = await listener.accept();
    try {
      const chunk = new Uint8Array(1 << 20).fill(5);
      let sent = 0;
      while (sent < bytes) {
        sent += await conn.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
      }
      await conn.closeWrite();
      await conn.read(new Uint8Array(16)).catch(() => null);
    } catch {
      /* the client went away */
    } finally {
      conn.close();
    }
  })();
  return { listener, served, fingerprint: identity.fingerprint };
}

const available = (() => {
  try {
    Deno.statSync("/usr/lib/x86_64-linux-gnu/libssl.so.3");
    return true;
  } catch {
    return false;
  }
})();
const test = (name: string, fn: () => Promise<void>) => Deno.test({ name, fn, ignore: !available });

test("the socket worker reads a whole stream and frees everything", async () => {
  const { listener, served, fingerprint } = await serve(8 << 20);
  const conn = await SocketTlsConn.connect({
    host: "127.0.0.1",
    port: listener.addr.port,
    serverName: CERTIFICATE_NAME,
    timeoutMs: 5000,
  });
  assert.equal(conn.fingerprint, fingerprint);
  await conn.write(new Uint8Array([1]));
  let total = 0;
  const buffer = new Uint8Array(100_000);
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) break;
    total += n;
  }
  assert.equal(total, 8 << 20);
  conn.close();
  await conn.closed;
  await served;
  listener.close();
});

test("a close mid-stream unblocks the worker and frees everything", async () => {
  const { listener, served } = await serve(1 << 30);
  const conn = await SocketTlsConn.connect({
    host: "127.0.0.1",
    port: listener.addr.port,
    serverName: CERTIFICATE_NAME,
    timeoutMs: 5000,
  });
  await conn.write(new Uint8Array([1]));
  await conn.read(new Uint8Array(1000));
  conn.close();
  await conn.closed;
  await served;
  listener.close();
});

test("a close before the request frees everything", async () => {
  const { listener, served } = await serve(1 << 20);
  const conn = await SocketTlsConn.connect({
    host: "127.0.0.1",
    port: listener.addr.port,
    serverName: CERTIFICATE_NAME,
    timeoutMs: 5000,
  });
  conn.close();
  await conn.closed;
  await served;
  listener.close();
});

test("a refused connection is a connect failure", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await assert.rejects(
    SocketTlsConn.connect({
      host: "127.0.0.1",
      port,
      serverName: CERTIFICATE_NAME,
      timeoutMs: 5000,
    }),
    (error: unknown) => error instanceof SocketTlsError && error.kind === "connect",
  );
});

test("a plain TCP server that never answers times out the handshake", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await assert.rejects(
    SocketTlsConn.connect({
      host: "127.0.0.1",
      port: listener.addr.port,
      serverName: CERTIFICATE_NAME,
      timeoutMs: 300,
    }),
    (error: unknown) => error instanceof SocketTlsError && error.kind === "no-tls",
  );
  (await accepted).close();
  listener.close();
});
