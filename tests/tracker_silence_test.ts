/**
 * A tracker that could not hear does not blame its peers: while its process is stopped and the
 * kernel drops what comes (its receive buffer full), a v1 session that keeps beating is not
 * expired, and a session that went silent before still is, later.
 */

import assert from "node:assert/strict";
import { TrackerProcess } from "./support/programs.ts";
import { UdpProbe } from "./support/udp_probe.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("a stopped tracker whose buffer overflowed expires the silent session, not the beating one", async () => {
  const tracker = await TrackerProcess.start();
  const carol = new UdpProbe(tracker.port);
  const dave = new UdpProbe(tracker.port);
  const flood = new UdpProbe(tracker.port);
  let beat: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  try {
    assert.equal(await carol.ask("auth carol carol-pw"), "OK");
    assert.equal(await dave.ask("auth dave dave-pw"), "OK"); // and never a heartbeat after
    beat = setInterval(() => carol.send("HBT").catch(() => {}), 500);
    await sleep(300);
    Deno.kill(tracker.program.pid, "SIGSTOP");
    stopped = true;
    // Far more than the ~256 small datagrams the buffer holds: carol's beats from here on are
    // dropped by the kernel, as on a tracker too busy to read its socket.
    for (let i = 0; i < 2_000; i++) await flood.send("HBT");
    await sleep(4_000);
    Deno.kill(tracker.program.pid, "SIGCONT");
    stopped = false;
    const resumed = performance.now();
    await tracker.program.stdout.waitFor("The tracker's loop stalled for", 5_000);
    await tracker.program.stdout.waitFor("Receive buffer full: the kernel dropped", 5_000);
    await tracker.program.stdout.waitFor("Session of dave expired", 15_000);
    const daveGoneMs = performance.now() - resumed;
    // Asked after dave went: carol is still in, so she may ask (an expired session gets ERR).
    assert.notEqual(await carol.ask("lpf"), "ERR");
    assert.ok(!tracker.program.stdout.text.includes("Session of carol expired"));
    console.log(`dave, silent, went ${Math.round(daveGoneMs)} ms after the tracker resumed`);
  } finally {
    clearInterval(beat);
    if (stopped) Deno.kill(tracker.program.pid, "SIGCONT");
    await carol.close();
    await dave.close();
    await flood.close();
    await tracker.stop();
  }
});
