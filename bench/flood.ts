/**
 * `deno run -A bench/flood.ts`: how the real tracker holds up against a flood and strangers.
 * Prints the rate at which a flood from one address is cut, the rate from many ports of one
 * host, the tracker's memory before and after, whether a logged-in peer kept being answered, and
 * the worst reply/request size ratio seen before authentication.
 */

import { TrackerProcess } from "../tests/support/programs.ts";
import { UdpProbe } from "../tests/support/udp_probe.ts";
import { loginV2, V2Client } from "../lib/peer/control/mod.ts";
import { encodeV2Request } from "../lib/protocol/mod.ts";
import { delay } from "../lib/util/mod.ts";
import { memoryMiB } from "./proc_usage.ts";

const SECONDS = Number(Deno.args[0] ?? "3");

async function flood(sockets: Deno.DatagramConn[], port: number, payload: Uint8Array) {
  const target: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
  let sent = 0;
  let received = 0;
  const stop = Date.now() + SECONDS * 1000;
  const readers = sockets.map(async (socket) => {
    try {
      for await (const _ of socket) received++;
    } catch {
      // closed
    }
  });
  while (Date.now() < stop) {
    for (const socket of sockets) {
      for (let i = 0; i < 16; i++) await socket.send(payload, target).catch(() => {});
      sent += 16;
    }
  }
  await delay(300);
  for (const socket of sockets) socket.close();
  await Promise.all(readers);
  return { sent, received };
}

const tracker = await TrackerProcess.start(undefined, ["--quiet"]);
const pid = tracker.program.pid;
let heartbeat: ReturnType<typeof setInterval> | undefined;
const alice = new V2Client({
  trackerHost: "127.0.0.1",
  trackerPort: tracker.port,
  bindHostname: "127.0.0.1",
});
try {
  await loginV2(alice, "alice", "alice-pw");
  heartbeat = setInterval(() => alice.notify({ verb: "HBT" }), 1000);
  const before = memoryMiB(pid);
  console.log(`tracker memory before: RSS ${before.rss.toFixed(1)} MiB`);

  // The worst reply/request ratio from a stranger, over every kind of pre-auth message.
  const probe = new UdpProbe(tracker.port);
  let worst = 0;
  const attempts: Uint8Array[] = [
    ...["lap", "get x", "auth alice wrong", "auth nobody x", "HBT", "PS2 1 - HBT", "zz", "PS2 5 "]
      .map((text) => new TextEncoder().encode(text)),
    encodeV2Request({ id: 2, body: { verb: "LOGIN", user: "alice", clientNonce: "abcd" } }),
    encodeV2Request({ id: 3, body: { verb: "LOGIN", user: "nobody", clientNonce: "abcd" } }),
    encodeV2Request({ id: 4, body: { verb: "PROOF", nonce: "abcdxyz", proof: "AAAA" } }),
    encodeV2Request({ id: 5, token: "0".repeat(32), body: { verb: "LAP", offset: 0 } }),
  ];
  for (const attempt of attempts) {
    await probe.send(attempt);
    const reply = await probe.receive(300);
    if (reply) worst = Math.max(worst, reply.length / attempt.length);
  }
  await probe.close();
  console.log(`worst reply/request size ratio before authentication: ${worst.toFixed(3)}`);

  const payload = new TextEncoder().encode("lap");
  const one = await flood(
    [Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 })],
    tracker.port,
    payload,
  );
  console.log(
    `flood from one address: ${(one.sent / SECONDS).toFixed(0)} datagrams/s sent, ` +
      `${(one.received / SECONDS).toFixed(0)}/s answered (cut at 100/s after a 1000 burst)`,
  );
  const manySockets = Array.from(
    { length: 64 },
    () => Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 }),
  );
  const many = await flood(manySockets, tracker.port, payload);
  console.log(
    `flood from 64 ports of one host: ${(many.sent / SECONDS).toFixed(0)} datagrams/s sent, ` +
      `${(many.received / SECONDS).toFixed(0)}/s answered (host cut at 2000/s after a 4000 burst)`,
  );
  const started = performance.now();
  const reply = await alice.request({ verb: "LAP", offset: 0 });
  console.log(
    `logged-in peer after the floods: ${reply.status} in ${
      (performance.now() - started).toFixed(1)
    } ms`,
  );
  const after = memoryMiB(pid);
  console.log(
    `tracker memory after: RSS ${after.rss.toFixed(1)} MiB, peak ${after.peak.toFixed(1)} MiB`,
  );
  const limits = tracker.program.stdout.text.split("\n").filter((line) => line.includes("Limit:"));
  console.log(`limit log lines during the floods: ${limits.length}`);
} finally {
  clearInterval(heartbeat);
  await alice.close();
  await tracker.stop();
}
