/**
 * Liveness as the design promises it, over v2: a killed peer leaves `lap` within 3 s, while a live
 * peer behind 20% loss each way (its heartbeats acknowledged and retried) is never expired.
 */

import assert from "node:assert/strict";
import { TrackerProcess } from "./support/programs.ts";
import { PeerProcess } from "./support/peers.ts";
import { LossyProxy } from "./support/lossy_proxy.ts";
import { UdpProbe } from "./support/udp_probe.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("a killed v2 peer leaves lap within 3 s while one behind 20% loss each way stays", async () => {
  const tracker = await TrackerProcess.start();
  const proxy = new LossyProxy({
    trackerPort: tracker.port,
    seed: 20261130,
    lossToTracker: 0.2,
    lossToClient: 0.2,
  });
  // carol watches over v1 without loss, beating every second as v1 peers do (every 2 s is enough).
  const carol = new UdpProbe(tracker.port);
  const beat = setInterval(() => carol.send("HBT").catch(() => {}), 1000);
  const alice = await PeerProcess.start(tracker.port);
  const bob = await PeerProcess.start(proxy.port, ["--timeout", "20000"]);
  try {
    assert.equal(await carol.ask("auth carol carol-pw"), "OK");
    await alice.login("alice", "alice-pw");
    await bob.login("bob", "bob-pw", "Welcome to PeerSync!");
    const lap = async () => {
      // A late reply to an earlier lap must not be read as this one's.
      while (await carol.receive(0)) { /* drain */ }
      return await carol.ask("lap", 500);
    };
    for (let tries = 0; (await lap()) !== "alice, bob"; tries++) {
      assert.ok(tries < 50, "alice and bob never both listed");
      await sleep(100);
    }

    alice.program.kill("SIGKILL");
    const killed = performance.now();
    let aliceGoneMs: number | undefined;
    let laps = 0;
    while (performance.now() - killed < 10_500) {
      const reply = await lap();
      const elapsed = performance.now() - killed;
      if (reply === undefined) continue;
      laps++;
      const names = reply.split(", ");
      if (aliceGoneMs === undefined && !names.includes("alice")) aliceGoneMs = elapsed;
      assert.ok(names.includes("bob"), `bob left lap after ${Math.round(elapsed)} ms: ${reply}`);
      await sleep(100);
    }
    assert.ok(aliceGoneMs !== undefined, "alice never left lap");
    assert.ok(aliceGoneMs <= 3500, `alice left lap after ${Math.round(aliceGoneMs)} ms`);
    assert.ok(laps >= 50, `${laps} laps answered`);
    assert.ok(!tracker.program.stdout.text.includes("Session of bob expired"));
    assert.ok(proxy.stats.droppedToTracker > 0 && proxy.stats.droppedToClient > 0);
    console.log(
      `killed alice left lap after ${Math.round(aliceGoneMs)} ms; bob stayed listed in ${laps} ` +
        `laps over 10.5 s behind loss (dropped ${proxy.stats.droppedToTracker}/` +
        `${proxy.stats.droppedToTracker + proxy.stats.toTracker} to the tracker, ` +
        `${proxy.stats.droppedToClient}/${
          proxy.stats.droppedToClient + proxy.stats.toClient
        } back)`,
    );
  } finally {
    clearInterval(beat);
    await alice.stop();
    await bob.stop();
    await carol.close();
    await proxy.close();
    await tracker.stop();
  }
});
