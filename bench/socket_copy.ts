/**
 * The benchmark's baseline: the barest file → TCP → file copy Deno can do, in two processes, with
 * the same 1 MiB reused buffer. A peer transfer is compared against this in the same run.
 *
 *   deno run -A bench/socket_copy.ts recv <out-file>          prints "port <n>", then "done"
 *   deno run -A bench/socket_copy.ts send <port> <in-file>
 */

import { writeAll, writeAllSync } from "../lib/util/mod.ts";

const BUFFER_BYTES = 1024 * 1024;
const [mode, ...args] = Deno.args;
const buffer = new Uint8Array(BUFFER_BYTES);

if (mode === "recv") {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(`port ${(listener.addr as Deno.NetAddr).port}`);
  const conn = await listener.accept();
  listener.close();
  using file = Deno.openSync(args[0], { write: true, create: true, truncate: true });
  while (true) {
    const read = await conn.read(buffer);
    if (read === null) break;
    writeAllSync(file, buffer.subarray(0, read));
  }
  conn.close();
  console.log("done");
} else if (mode === "send") {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(args[0]) });
  using file = Deno.openSync(args[1], { read: true });
  while (true) {
    const read = file.readSync(buffer);
    if (read === null) break;
    await writeAll(conn, buffer.subarray(0, read));
  }
  conn.close();
} else {
  console.error("usage: socket_copy.ts recv <out-file> | send <port> <in-file>");
  Deno.exit(2);
}
