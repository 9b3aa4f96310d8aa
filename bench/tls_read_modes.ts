/**
 * How a pinned Deno TLS connection is best read: `conn.read` into a 1 MiB buffer against a BYOB
 * reader of `conn.readable` with 1 MiB views, and the same `conn.read` loop in clear — bytes per
 * read and the reader's CPU per GiB (nothing written, nothing hashed), the modes taking turns
 * against one `bench/transfer_pair.ts serve <dir> <file> tls` uploader.
 *
 *   deno run -A bench/tls_read_modes.ts <port> <tls-port>:<fingerprint> <file> <size> <sha256> [rounds]
 */

import { encodeTransferRequest } from "../lib/protocol/mod.ts";
import { connectToHolder } from "../lib/peer/download/connect.ts";
import { cpuSeconds } from "./proc_usage.ts";

const [portText, tlsField, file, sizeText, sha256, roundsText] = Deno.args;
const [tlsPort, fingerprint] = tlsField.split(":");
const size = Number(sizeText);
const MiB = 1024 * 1024;

async function open(clear = false): Promise<Deno.Conn> {
  const conn = clear
    ? await Deno.connect({ hostname: "127.0.0.1", port: Number(portText) })
    : await connectToHolder([{ host: "127.0.0.1", port: Number(tlsPort) }], {
      connectTimeoutMs: 5000,
      tls: { port: Number(tlsPort), fingerprint },
    }) as Deno.Conn;
  await conn.write(encodeTransferRequest({ file, offset: 0, sha256 }));
  return conn;
}

async function viaRead(clear = false): Promise<[number, number]> {
  const conn = await open(clear);
  const buffer = new Uint8Array(MiB);
  let total = 0, reads = 0;
  for (;;) {
    const read = await conn.read(buffer);
    if (read === null) break;
    total += read;
    reads++;
  }
  conn.close();
  return [total, reads];
}

async function viaByob(): Promise<[number, number]> {
  const conn = await open();
  const reader = conn.readable.getReader({ mode: "byob" });
  let buffer: ArrayBuffer = new ArrayBuffer(MiB);
  let total = 0, reads = 0;
  for (;;) {
    const { value, done } = await reader.read(new Uint8Array(buffer));
    if (done || value === undefined) break;
    total += value.length;
    reads++;
    buffer = value.buffer as ArrayBuffer;
  }
  reader.releaseLock();
  try {
    conn.close();
  } catch {
    // The stream closed it.
  }
  return [total, reads];
}

const pid = Deno.pid;
for (let round = 0; round < Number(roundsText ?? 3); round++) {
  const modes = [
    ["clear, read", () => viaRead(true)],
    ["TLS, read", () => viaRead()],
    ["TLS, byob", viaByob],
  ] as const;
  for (const [name, run] of modes) {
    const cpu = cpuSeconds(pid);
    const started = performance.now();
    const [total, reads] = await run();
    const ms = performance.now() - started;
    console.log(
      `${name}: ${(total / 1e6 / (ms / 1000)).toFixed(0)} MB/s, ${
        (total / reads / 1024).toFixed(1)
      } KiB a read, CPU ${((cpuSeconds(pid) - cpu) * (1 << 30) / total).toFixed(2)} s/GiB` +
        (total > size ? "" : ` (only ${total} of ${size} bytes)`),
    );
  }
}
