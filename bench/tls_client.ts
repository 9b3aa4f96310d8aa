/**
 * TLS clients side by side, in memory (no disk, no hashing): a `Deno.listenTls` server in a child
 * process sends N MiB per connection; this process reads them with a Deno TLS client
 * (`Deno.startTls`, pinned by CA, as the peer does), with the OpenSSL client over memory BIOs
 * (`openssl_tls_client.ts`) and with the socket-owning OpenSSL client on a worker
 * (`socket_tls_client.ts`: OpenSSL's read buffer size, SO_RCVLOWAT, and reading copies or the
 * ring's slots themselves), alternating, and prints each round's speed and client CPU (user +
 * system, every thread of this process) and the medians. Neither OpenSSL client is used by the
 * peer (docs/performance.md, issue 14).
 *
 *   deno run -A bench/tls_client.ts [--mib 1024] [--rounds 3] [--only "Deno.startTls|views, …"]
 */

import { parseArgs } from "node:util";
import { CERTIFICATE_NAME } from "../lib/peer/identity/mod.ts";
import { listenTlsAsNewPeer } from "./tls_listener.ts";
import { loadOpensslTls } from "./openssl_tls_client.ts";
import { SocketTlsConn, type SocketTlsOptions } from "./socket_tls_client.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    serve: { type: "string" },
    mib: { type: "string", default: "1024" },
    rounds: { type: "string", default: "3" },
    only: { type: "string" },
  },
});
const MIB = 1024 * 1024;

if (values.serve !== undefined) {
  // Child: serve `--serve` MiB per TLS connection, then close_notify.
  const total = Number(values.serve) * MIB;
  const { listener, identity } = await listenTlsAsNewPeer();
  console.log(`${listener.addr.port} ${btoa(identity.certPem)} ${identity.fingerprint}`);
  const chunk = new Uint8Array(MIB).fill(7);
  for await (const conn of listener) {
    let sent = 0;
    while (sent < total) sent += await conn.write(chunk.subarray(0, Math.min(MIB, total - sent)));
    await conn.closeWrite();
    const sink = new Uint8Array(64);
    try {
      while (await conn.read(sink) !== null) { /* until the client hangs up */ }
    } catch { /* a client that closes without close_notify */ }
    conn.close();
  }
  Deno.exit(0);
}

const mib = Number(values.mib);
const rounds = Number(values.rounds);
const child = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", import.meta.filename!, "--serve", String(mib)],
  stdout: "piped",
  stdin: "piped",
}).spawn();
const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
let line = "";
while (!line.includes("\n")) line += (await reader.read()).value ?? "";
const [portText, certB64, fingerprint] = line.trim().split(" ");
const port = Number(portText);
const certPem = atob(certB64);
const load = loadOpensslTls();
if (!load.ok) throw new Error(`OpenSSL TLS unavailable: ${JSON.stringify(load.why)}`);
const client = load.client;

async function drain(conn: { read(p: Uint8Array): Promise<number | null> }): Promise<number> {
  const buffer = new Uint8Array(MIB);
  let total = 0;
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) return total;
    total += n;
  }
}

function cpuSeconds(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(stat[11]) + Number(stat[12])) / 100;
}

type Contender = { name: string; run: () => Promise<number> };

/** The socket-owning OpenSSL client on a worker, pinned, with the request written once. */
function socketWorker(
  name: string,
  options: Partial<SocketTlsOptions>,
  views = false,
): Contender {
  return {
    name,
    run: async () => {
      const conn = await SocketTlsConn.connect({
        host: "127.0.0.1",
        port,
        serverName: CERTIFICATE_NAME,
        timeoutMs: 10_000,
        ...options,
      });
      try {
        if (conn.fingerprint !== fingerprint) throw new Error("fingerprint mismatch");
        await conn.write(new Uint8Array([1]));
        if (!views) return await drain(conn);
        let total = 0;
        for (;;) {
          const view = await conn.readView();
          if (view === null) return total;
          total += view.length;
        }
      } finally {
        conn.close();
        await conn.closed;
      }
    },
  };
}
const contenders: Contender[] = [
  {
    name: "Deno.startTls",
    run: async () => {
      // As lib/peer/download/pinned_tls.ts does it.
      const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
      const conn = await Deno.startTls(tcp, { hostname: CERTIFICATE_NAME, caCerts: [certPem] });
      try {
        return await drain(conn);
      } finally {
        conn.close();
      }
    },
  },
  {
    name: "OpenSSL FFI client",
    run: async () => {
      const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
      const conn = await client.connect(tcp, CERTIFICATE_NAME);
      if (conn.fingerprint !== fingerprint) throw new Error("fingerprint mismatch");
      try {
        return await drain(conn);
      } finally {
        conn.close();
      }
    },
  },
  socketWorker("worker, rbuf 1 MiB", { readBufferBytes: 1024 * 1024 }),
  socketWorker("worker, 256 KiB, lowat 128 KiB", {
    readBufferBytes: 256 * 1024,
    rcvLowatBytes: 128 * 1024,
  }),
  socketWorker("views, 256 KiB, lowat 128 KiB", {
    readBufferBytes: 256 * 1024,
    rcvLowatBytes: 128 * 1024,
  }, true),
  socketWorker("views, no read-ahead", { readAhead: false }, true),
].filter((c) => values.only === undefined || values.only.split("|").includes(c.name));
const speeds = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
const cpus = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? contenders : [...contenders].reverse();
  for (const contender of order) {
    const cpu = cpuSeconds();
    const start = performance.now();
    const bytes = await contender.run();
    const ms = performance.now() - start;
    if (bytes !== mib * MIB) throw new Error(`${contender.name}: ${bytes} bytes`);
    const speed = bytes / 1e6 / (ms / 1000);
    speeds.get(contender.name)!.push(speed);
    cpus.get(contender.name)!.push(cpuSeconds() - cpu);
    console.log(
      `round ${round + 1}: ${contender.name.padEnd(24)} ${speed.toFixed(0)} MB/s, client CPU ${
        (cpuSeconds() - cpu).toFixed(2)
      } s`,
    );
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const deno = median(speeds.get("Deno.startTls") ?? [0]);
const ffi = median(speeds.get("OpenSSL FFI client") ?? [0]);
for (const [name, list] of cpus) {
  console.log(
    `${name.padEnd(24)} median ${median(speeds.get(name)!).toFixed(0)} MB/s, CPU ${
      median(list).toFixed(2)
    } s a run`,
  );
}
console.log(
  `medians: Deno ${deno.toFixed(0)} MB/s, FFI ${ffi.toFixed(0)} MB/s, FFI/Deno ${
    (ffi / deno).toFixed(2)
  }x`,
);
client.close();
await child.stdin.close();
child.kill();
await child.status;
await reader.cancel();
