/**
 * One user cannot make a name undownloadable: against the real tracker, two liars log in over the
 * raw (sealed) v2 protocol and publish the name an honest peer shares, with a bogus size and digest
 * and an address where no one listens. Their version has the most holders, so it is tried first;
 * a real peer's `get` then moves on to the honest version and fetches it, verified.
 */

import assert from "node:assert/strict";
import { TrackerProcess } from "./support/programs.ts";
import { PeerProcess, sameBytes, writeRandomFile } from "./support/peers.ts";
import { SealedClient } from "./support/sealed_client.ts";

Deno.test("a name published with a bogus digest by two liars is still downloaded from the honest peer", async () => {
  const tracker = await TrackerProcess.start(
    "alice alice-pw\nbob bob-pw\nmallory mallory-pw\ntrudy trudy-pw\n",
  );
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = closed.addr.port;
  closed.close();
  const liars = [
    new SealedClient({ trackerPort: tracker.port }),
    new SealedClient({ trackerPort: tracker.port }),
  ];
  const alice = await PeerProcess.start(tracker.port);
  const bob = await PeerProcess.start(tracker.port);
  try {
    await alice.login("alice", "alice-pw");
    const content = await writeRandomFile(`${alice.dir}/report.pdf`, 200_000);
    await alice.run("pub report.pdf", "File published successfully");
    for (const [index, liar] of liars.entries()) {
      const user = ["mallory", "trudy"][index];
      await liar.login(user, `${user}-pw`);
      assert.deepEqual(
        await liar.request({ verb: "TCP", host: "127.0.0.1", port: deadPort }),
        { status: "OK" },
      );
      assert.deepEqual(
        await liar.request({ verb: "PUB", file: "report.pdf", size: 4096, sha256: "e".repeat(64) }),
        { status: "OK" },
      );
    }
    await bob.login("bob", "bob-pw");
    const output = await bob.run(
      "get report.pdf",
      /report\.pdf downloaded successfully\n.*SHA-256 verified.*\n/,
    );
    assert.match(
      output,
      /the version of 4\.0 KiB, SHA-256 e{16}…, from mallory, trudy failed \(.*refused.*\); trying the version of 195\.3 KiB, SHA-256 [0-9a-f]{16}…, from alice/,
    );
    assert.match(output, /fetched the version of 195\.3 KiB, SHA-256 [0-9a-f]{16}…, from alice\n/);
    assert.ok(sameBytes(await Deno.readFile(`${bob.dir}/report.pdf`), content));
  } finally {
    await Promise.all(liars.map((liar) => liar.close()));
    await bob.stop();
    await alice.stop();
    await tracker.stop();
  }
});
