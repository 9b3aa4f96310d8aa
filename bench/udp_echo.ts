/**
 * The baseline of `bench/tracker_mixed.ts`: the barest UDP server Deno can run, answering every
 * datagram with itself. Prints `listening on 127.0.0.1:PORT`; stops on SIGTERM.
 */

const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
console.log(`listening on 127.0.0.1:${(socket.addr as Deno.NetAddr).port}`);
Deno.addSignalListener("SIGTERM", () => socket.close());
try {
  for await (const [datagram, from] of socket) await socket.send(datagram, from);
} catch {
  // closed by the signal
}
