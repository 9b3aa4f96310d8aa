import assert from "node:assert/strict";
import {
  parseProcNetUdp,
  parseUdpInErrors,
  readUdpInErrors,
  readUdpSocketStats,
} from "./udp_socket_stats.ts";

const HEADER =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  " +
  "timeout inode ref pointer drops\n";

Deno.test("the kernel's drops and queued bytes are read for the tracker's port only", () => {
  const text = HEADER +
    " 10: 0100007F:1388 00000000:0000 07 00000000:00000100 00:00000000 00000000 0 0 1 2 0 5\n" +
    " 11: 0100007F:1389 00000000:0000 07 00000000:0000FFFF 00:00000000 00000000 0 0 2 2 0 99\n";
  assert.deepEqual(parseProcNetUdp(text, 5000), { drops: 5, queuedBytes: 256 });
  assert.equal(parseProcNetUdp(text, 5002), undefined);
});

Deno.test("IPv6 lines are read too, and lines that do not parse are skipped", () => {
  const text = HEADER +
    " 3: 00000000000000000000000001000000:1388 00000000000000000000000000000000:0000 07 " +
    "00000000:00000010 00:00000000 00000000 0 0 3 2 0 2\n" +
    "garbage line\n 4: 0100007F:1388 x y z\n\n";
  assert.deepEqual(parseProcNetUdp(text, 5000), { drops: 2, queuedBytes: 16 });
  assert.equal(parseProcNetUdp("", 5000), undefined);
});

Deno.test({
  name: "a bound UDP socket is found in /proc with no drops",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    try {
      const stats = await readUdpSocketStats((socket.addr as Deno.NetAddr).port);
      assert.deepEqual(stats, { drops: 0, queuedBytes: 0 });
    } finally {
      socket.close();
    }
  },
});

Deno.test("the host's UDP InErrors are summed over IPv4 and IPv6, found by column name", async () => {
  const snmp = "Ip: Forwarding DefaultTTL\nIp: 1 64\n" +
    "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors\nUdp: 53 1 13 54 12\n" +
    "UdpLite: InDatagrams NoPorts InErrors\nUdpLite: 0 0 99\n";
  assert.equal(parseUdpInErrors(snmp, "Udp6InDatagrams  \t5\nUdp6InErrors   \t4\n"), 17);
  assert.equal(parseUdpInErrors(snmp, ""), 13);
  assert.equal(parseUdpInErrors("", "Udp6InErrors 4\n"), 4);
  assert.equal(parseUdpInErrors("Udp: a b\nUdp: x y\n", "garbage"), undefined);
  if (Deno.build.os === "linux") assert.equal(typeof (await readUdpInErrors()), "number");
});
