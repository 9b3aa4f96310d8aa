/**
 * The baseline of `bench/tracker_mixed.ts`: the barest UDP server Deno can run, answering every
 * datagram with itself. Prints `listening on 127.0.0.1:PORT`; stops on SIGTERM.
 *
 * It receives into one buffer, as the tracker does (`lib/tracker/server.ts`): a fresh 64 KiB
 * buffer per datagram (what `for await` over the socket does) costs the echo garbage collections
 * the tracker no longer pays, and would flatter the tracker's ratio to it.
 */

const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
console.log(`listening on 127.0.0.1:${(socket.addr as Deno.NetAddr).port}`);
Deno.addSignalListener("SIGTERM", () => socket.close());
const buffer = new Uint8Array(65_507);
try {
  while (true) {
    const [datagram, from] = await socket.receive(buffer);
    await socket.send(datagram, from);
  }
} catch {
  // closed by the signal
}
