/**
 * Protocol v2 over a bad network: a real peer talks to the real tracker through a proxy that
 * drops 20% of datagrams in each direction (seeded, so a run's losses can be replayed).
 */

import assert from "node:assert/strict";
import { TrackerProcess } from "./support/programs.ts";
import { PeerProcess } from "./support/peers.ts";
import { LossyProxy } from "./support/lossy_proxy.ts";
import { UdpProbe } from "./support/udp_probe.ts";

Deno.test("a 32-command session through 20% loss each way completes with exact final state", async () => {
  const tracker = await TrackerProcess.start();
  const proxy = new LossyProxy({
    trackerPort: tracker.port,
    seed: 20261124,
    lossToTracker: 0.2,
    lossToClient: 0.2,
  });
  const bob = new UdpProbe(tracker.port);
  const heartbeat = setInterval(() => bob.send("HBT"), 1000);
  const alice = await PeerProcess.start(proxy.port, ["--timeout", "20000"]);
  let commands = 0;
  const expect = async (command: string, output: string) => {
    const printed = await alice.run(command, output, 30_000);
    commands++;
    assert.ok(printed.includes(output), `${command}: ${printed}`);
  };
  try {
    assert.equal(await bob.ask("auth bob bob-pw"), "OK");
    await bob.send(`TCP 127.0.0.1 ${bob.port}`);
    assert.equal(await bob.ask("pub bobfile.txt"), "File published successfully");
    const files = Array.from({ length: 12 }, (_, i) => `file${String(i + 1).padStart(2, "0")}`);
    for (const file of files) await Deno.writeTextFile(`${alice.dir}/${file}`, file);
    await alice.login("alice", "alice-pw");
    commands++;
    for (const file of files) await expect(`pub ${file}`, "File published successfully");
    await expect("lpf", `12 files published:\n${files.join("\n")}\n`);
    for (const file of files.slice(0, 4)) {
      await expect(`unp ${file}`, "File unpublished successfully");
    }
    await expect("unp file01", "File unpublication failed");
    await expect("lpf", `8 files published:\n${files.slice(4).join("\n")}\n`);
    await expect("lap", "1 active peer:\nbob\n");
    await expect("sch bob", "1 file found:\nbobfile.txt\n");
    await expect("sch nothing-like-this", "No files found");
    await expect("sch file0", "No files found");
    await expect("get file05", "No active peer has this file");
    // bob is a raw socket with nothing listening on TCP: the download fails cleanly.
    await expect("get bobfile.txt", "Download of bobfile.txt failed");
    await expect("pub file01", "File published successfully");
    await expect("unp file12", "File unpublished successfully");
    await expect("get missing.bin", "File not found");
    const final = ["file01", ...files.slice(4, 11)];
    await expect("lpf", `8 files published:\n${final.join("\n")}\n`);
    await expect("lap", "1 active peer:\nbob\n");
    await expect("xit", "Goodbye!");
    assert.equal((await alice.program.exit()).code, 0);
    // The tracker never lost the session while the peer ran.
    assert.ok(!tracker.program.stdout.text.includes("Session of alice expired"));
    assert.ok(commands >= 30, `${commands} commands`);
    // The tracker applied each publication once, and alice is gone: at once when one of the
    // peer's BYE copies got through, else (all four lost: 0.16 % at this loss) when the silent
    // session expires, within its 3 s.
    const deadline = Date.now() + 6_000;
    let answer = await bob.ask("get file01");
    while (answer !== "No active peer has this file" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await bob.ask("get file01");
    }
    assert.equal(answer, "No active peer has this file");
    assert.ok(proxy.stats.droppedToTracker > 0 && proxy.stats.droppedToClient > 0);
    console.log(
      `lossy run: ${commands} commands ok; dropped ${proxy.stats.droppedToTracker}/` +
        `${proxy.stats.droppedToTracker + proxy.stats.toTracker} to the tracker, ` +
        `${proxy.stats.droppedToClient}/${proxy.stats.droppedToClient + proxy.stats.toClient} back`,
    );
  } finally {
    clearInterval(heartbeat);
    await alice.stop();
    await bob.close();
    await proxy.close();
    await tracker.stop();
  }
});

Deno.test("a peer leaving during a short outage on the way to the tracker is gone at once, not after expiry", async () => {
  const tracker = await TrackerProcess.start();
  const proxy = new LossyProxy({ trackerPort: tracker.port });
  const bob = new UdpProbe(tracker.port);
  const alice = await PeerProcess.start(proxy.port);
  try {
    assert.equal(await bob.ask("auth bob bob-pw"), "OK");
    await Deno.writeTextFile(`${alice.dir}/a.txt`, "a");
    await alice.login("alice", "alice-pw");
    assert.ok((await alice.run("pub a.txt", "File published successfully")).length > 0);
    // The first BYE copies are lost (150 ms); a later one, sent while the peer leaves, is not.
    proxy.blackoutToTracker(150);
    await alice.run("xit", "Goodbye!");
    assert.equal((await alice.program.exit()).code, 0);
    // Well inside the 3 s a silent session takes to expire.
    assert.equal(await bob.ask("get a.txt"), "No active peer has this file");
    assert.ok(proxy.stats.droppedToTracker > 0, "the outage dropped something");
  } finally {
    await alice.stop();
    await bob.close();
    await proxy.close();
    await tracker.stop();
  }
});
