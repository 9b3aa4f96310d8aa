/**
 * Attacks from issue 10 against the real tracker process over real UDP: each shows the attack
 * now fails.
 */

import assert from "node:assert/strict";
import { encodeV2Request } from "../lib/protocol/mod.ts";
import { TrackerProcess } from "./support/programs.ts";
import { SealedClient } from "./support/sealed_client.ts";

const text = (bytes: Uint8Array | undefined) => bytes && new TextDecoder().decode(bytes);

Deno.test("a process reusing a dead peer's UDP port gets no WELCOME and no token", async () => {
  const tracker = await TrackerProcess.start();
  try {
    const victim = new SealedClient({ trackerPort: tracker.port });
    const port = victim.port;
    await victim.login("alice", "alice-pw");
    const token = victim.token as string;
    await victim.close(); // the peer dies; its session lives on for a while
    const thief = new SealedClient({ trackerPort: tracker.port, port });
    try {
      // The attack of the issue: request id 2 (the victim's PROOF), padded like a handshake.
      await thief.send(
        encodeV2Request({ id: 2, body: { verb: "LOGIN", user: "x", clientNonce: "y" } }),
      );
      const reply = text(await thief.receive(1000));
      assert.ok(reply === undefined || !reply.includes("WELCOME"), reply);
      assert.ok(reply === undefined || !reply.includes(token), reply);
      // With the token learnt elsewhere it still cannot act: it does not have the keys.
      thief.token = token;
      thief.keys = { request: new Uint8Array(32), reply: new Uint8Array(32) };
      await thief.send(thief.seal(thief.plaintext({ verb: "BYE" })));
      assert.equal(await thief.receive(400), undefined);
    } finally {
      await thief.close();
    }
  } finally {
    await tracker.stop();
  }
});
