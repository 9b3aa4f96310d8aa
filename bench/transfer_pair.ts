/**
 * The v2 data channel on its own, in two processes, for the benchmark: the real upload server on
 * one side, `downloadFromHolders` (SHA-256 verification on) on the other. Each side waits for its
 * standard input to close before exiting, so its peak memory can be read from /proc meanwhile.
 *
 *   deno run -A bench/transfer_pair.ts serve <dir> <file> [<bytes-per-second>] [tls]
 *       hashes the file, prints "ready <port> <size> <sha256> <hash-ms>" (with `tls`, then
 *       " tls=<tls-port>:<fingerprint>", from a new in-memory identity), serves until stdin ends
 *       (optionally rate-limited: the tests use that to kill an uploader mid-transfer)
 *   deno run -A bench/transfer_pair.ts get <dir> <file> <size> <sha256> <port>[,<port>…] [worker]
 *       [threshold=<bytes>] [tls=<tls-port>:<fingerprint>]
 *       downloads into <dir>, prints "done <ms> <resumed-from>" (or "failed <reason>");
 *       `worker` verifies on a worker thread (`hashOnWorker`); `threshold=` fetches files from
 *       that size on from several holders at once (64 MiB by default); `tls=` fetches from the
 *       first holder over TLS, pinned to that fingerprint
 */

import { fileDigest } from "../lib/peer/share/mod.ts";
import { downloadFromHolders } from "../lib/peer/download/mod.ts";
import { startUploadServer } from "../lib/peer/upload/mod.ts";
import { errorText } from "../lib/util/mod.ts";
import { loadIdentity } from "../lib/peer/identity/mod.ts";

async function untilStdinEnds(): Promise<void> {
  const buffer = new Uint8Array(64);
  while (await Deno.stdin.read(buffer) !== null) {
    // Nothing to do: the benchmark only closes it.
  }
}

const [mode, ...args] = Deno.args;
if (mode === "serve") {
  const [dir, file, ...extras] = args;
  const rate = extras.find((extra) => /^\d+$/.test(extra));
  const identity = extras.includes("tls") ? await loadIdentity(undefined, () => {}) : undefined;
  const published = new Map<string, { size: number; sha256: string; mtimeMs: number }>();
  const server = startUploadServer({
    hostname: "127.0.0.1",
    dir,
    published,
    ...(rate === undefined ? {} : { rateLimitBytesPerSecond: Number(rate) }),
    ...(identity === undefined ? {} : { tls: identity }),
  });
  const started = performance.now();
  // Publish as a v2 `pub` does: size, digest and the mtime they belong to, hashed once.
  const digest = await fileDigest(dir, file, server.digestCache);
  const hashMs = performance.now() - started;
  published.set(file, digest);
  const tls = identity ? ` tls=${server.tlsAddr?.port}:${identity.fingerprint}` : "";
  console.log(
    `ready ${server.addr.port} ${digest.size} ${digest.sha256} ${hashMs.toFixed(0)}${tls}`,
  );
  await untilStdinEnds();
  await server.close();
} else if (mode === "get") {
  const [dir, file, size, sha256, ports, ...extras] = args;
  const threshold = extras.find((extra) => extra.startsWith("threshold="))?.slice(10);
  const [tlsPort, fingerprint] = extras.find((extra) => extra.startsWith("tls="))?.slice(4)
    .split(":") ?? [];
  try {
    const result = await downloadFromHolders({
      file,
      dir,
      holders: ports.split(",").map((port, index) => ({
        user: `holder${index}`,
        host: "127.0.0.1",
        port: Number(port),
        size: Number(size),
        sha256,
        ...(index === 0 && fingerprint !== undefined
          ? { tls: { port: Number(tlsPort), fingerprint } }
          : {}),
      })),
      expected: { size: Number(size), sha256 },
      hashOnWorker: extras.includes("worker"),
      ...(threshold === undefined ? {} : { multiSourceThresholdBytes: Number(threshold) }),
    });
    console.log(`done ${result.ms.toFixed(0)} ${result.resumedFrom}`);
  } catch (error) {
    console.log(`failed ${errorText(error)}`);
  }
  await untilStdinEnds();
} else {
  console.error(
    "usage: transfer_pair.ts serve <dir> <file> | get <dir> <file> <size> <sha256> <ports>",
  );
  Deno.exit(2);
}
