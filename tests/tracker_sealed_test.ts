/**
 * Sealed v2 datagrams against the real tracker process (and the real server over UDP where an
 * option must be set): round trips, forged, altered, replayed and misdirected datagrams dropped,
 * the gone notice, and reply pages that fit once sealed.
 */

import assert from "node:assert/strict";
import { encodeV2Request, MAX_DATAGRAM_BYTES } from "../lib/protocol/mod.ts";
import { startTracker } from "../lib/tracker/server.ts";
import { TrackerProcess } from "./support/programs.ts";
import { SealedClient } from "./support/sealed_client.ts";
import { UdpProbe } from "./support/udp_probe.ts";

const digest = "cd".repeat(32);
const text = (bytes: Uint8Array | undefined) => bytes && new TextDecoder().decode(bytes);
const SILENCE_MS = 400;

async function withTracker(
  body: (tracker: TrackerProcess, client: () => SealedClient) => Promise<void>,
): Promise<void> {
  const tracker = await TrackerProcess.start();
  const clients: SealedClient[] = [];
  const client = () => {
    const created = new SealedClient({ trackerPort: tracker.port });
    clients.push(created);
    return created;
  };
  try {
    await body(tracker, client);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await tracker.stop();
  }
}

Deno.test("sealed requests are answered with sealed replies that hide the plaintext", async () => {
  await withTracker(async (tracker, client) => {
    const alice = client();
    await alice.login("alice", "alice-pw");
    const bob = client();
    await bob.login("bob", "bob-pw");
    assert.deepEqual(await alice.request({ verb: "TCP", host: "127.0.0.1", port: 4100 }), {
      status: "OK",
    });
    assert.deepEqual(
      await alice.request({ verb: "PUB", file: "secret-plan.txt", size: 5, sha256: digest }),
      { status: "OK" },
    );
    // The wire carries the sealed prefix and never the name.
    await alice.send(alice.seal(alice.plaintext({ verb: "LPF", offset: 0 })));
    const raw = await alice.receive();
    assert.ok(raw && text(raw)?.startsWith(`PS2 *${alice.token}`));
    assert.ok(!text(raw)?.includes("secret-plan"));
    assert.deepEqual(alice.open(raw!), {
      status: "LIST",
      total: 1,
      offset: 0,
      names: ["secret-plan.txt"],
    });
    assert.deepEqual(await bob.request({ verb: "GET", file: "secret-plan.txt", offset: 0 }), {
      status: "HOLDERS",
      total: 1,
      offset: 0,
      holders: [{ user: "alice", host: "127.0.0.1", port: 4100, size: 5, sha256: digest }],
    });
    assert.deepEqual(await bob.request({ verb: "LAP", offset: 0 }), {
      status: "LIST",
      total: 1,
      offset: 0,
      names: ["alice"],
    });
    await tracker.program.stdout.waitFor("Received PUB from alice");
  });
});

Deno.test("forged, altered and replayed sealed datagrams are dropped unanswered and change nothing", async () => {
  await withTracker(async (tracker, client) => {
    const alice = client();
    await alice.login("alice", "alice-pw");
    // Altered: one ciphertext byte flipped in a PUB.
    const pub = alice.seal(
      alice.plaintext({ verb: "PUB", file: "evil.bin", size: 1, sha256: digest }),
    );
    const altered = pub.slice();
    altered[50] ^= 0x01;
    await alice.send(altered);
    assert.equal(await alice.receive(SILENCE_MS), undefined);
    // Forged: the right token and a plausible counter, sealed under a key the forger made up.
    const forger = new SealedClient({ trackerPort: tracker.port });
    try {
      forger.token = alice.token;
      forger.keys = { request: new Uint8Array(32).fill(9), reply: new Uint8Array(32).fill(9) };
      await forger.send(forger.seal(forger.plaintext({ verb: "BYE" }), 1000));
      assert.equal(await forger.receive(SILENCE_MS), undefined);
    } finally {
      await forger.close();
    }
    // Nothing was published or ended.
    assert.deepEqual(await alice.request({ verb: "LPF", offset: 0 }), {
      status: "LIST",
      total: 0,
      offset: 0,
      names: [],
    });
    // Replayed: an authentic datagram is answered once; the same bytes again get nothing.
    const hbt = alice.seal(alice.plaintext({ verb: "HBT" }));
    await alice.send(hbt);
    assert.deepEqual(alice.open((await alice.receive())!), { status: "OK" });
    await alice.send(hbt);
    assert.equal(await alice.receive(SILENCE_MS), undefined);
    await tracker.program.stdout.waitFor("Limit: forged sealed datagram dropped");
  });
});

Deno.test("a sealed datagram with a valid token from another address is dropped, not answered gone", async () => {
  await withTracker(async (_tracker, client) => {
    const alice = client();
    await alice.login("alice", "alice-pw");
    const other = new UdpProbe(_tracker.port);
    try {
      const sealed = alice.seal(alice.plaintext({ verb: "BYE" }));
      await other.send(sealed);
      assert.equal(await other.receive(SILENCE_MS), undefined);
      assert.equal(await alice.receive(100), undefined);
      // The session is still there: the same bytes from alice's own address now work.
      await alice.send(sealed);
      assert.deepEqual(alice.open((await alice.receive())!), { status: "OK" });
    } finally {
      await other.close();
    }
  });
});

Deno.test("a sealed datagram for a token with no session gets exactly the gone notice", async () => {
  await withTracker(async (_tracker, client) => {
    const stranger = client();
    stranger.token = "0123456789abcdef0123456789abcdef";
    stranger.keys = { request: new Uint8Array(32), reply: new Uint8Array(32) };
    const sealed = stranger.seal(stranger.plaintext({ verb: "HBT" }));
    await stranger.send(sealed);
    const reply = await stranger.receive();
    assert.equal(text(reply), "PS2 * 0123456789abcdef0123456789abcdef gone");
    assert.equal(reply?.length, 43);
    assert.ok(reply.length < sealed.length);
    // After BYE the session's own token is gone too.
    const alice = client();
    await alice.login("alice", "alice-pw");
    assert.deepEqual(await alice.request({ verb: "BYE" }), { status: "OK" });
    await alice.send(alice.seal(alice.plaintext({ verb: "HBT" })));
    assert.equal(text(await alice.receive()), `PS2 * ${alice.token} gone`);
  });
});

Deno.test("BYE ends a session at once, and a repeated BYE gets OK again, logged as a repeat", async () => {
  await withTracker(async (tracker, client) => {
    const alice = client();
    await alice.login("alice", "alice-pw");
    const bob = client();
    await bob.login("bob", "bob-pw");
    const lap = () => bob.request({ verb: "LAP", offset: 0 });
    assert.deepEqual(await lap(), { status: "LIST", total: 1, offset: 0, names: ["alice"] });
    const bye = alice.plaintext({ verb: "BYE" });
    await alice.send(alice.seal(bye));
    assert.deepEqual(alice.open((await alice.receive())!), { status: "OK" });
    assert.deepEqual(await lap(), { status: "LIST", total: 0, offset: 0, names: [] });
    // The same request again (as if its OK had been lost), then a second copy with its own id,
    // as our peer sends: both OK, sealed under the ended session's keys.
    await alice.send(alice.seal(bye));
    assert.deepEqual(alice.open((await alice.receive())!), { status: "OK" });
    assert.deepEqual(await alice.request({ verb: "BYE" }), { status: "OK" });
    // Anything else under that token is gone, and nothing brought the session back.
    await alice.send(alice.seal(alice.plaintext({ verb: "HBT" })));
    assert.equal(text(await alice.receive()), `PS2 * ${alice.token} gone`);
    assert.deepEqual(await lap(), { status: "LIST", total: 0, offset: 0, names: [] });
    await tracker.program.stdout.waitFor(/BYE from alice.*\(repeated after the session ended\)/);
    assert.doesNotMatch(tracker.program.stdout.text, /BYE.*no session has this token/);
  });
});

Deno.test("sealed list pages fit one datagram and page through every name", async () => {
  await withTracker(async (_tracker, client) => {
    const alice = client();
    await alice.login("alice", "alice-pw");
    const files = Array.from(
      { length: 120 },
      (_, i) => `file-${String(i).padStart(3, "0")}-${"z".repeat(40)}`,
    );
    for (const file of files) {
      assert.deepEqual(await alice.request({ verb: "PUB", file, size: 1, sha256: digest }), {
        status: "OK",
      });
    }
    const names: string[] = [];
    while (names.length < files.length) {
      await alice.send(alice.seal(alice.plaintext({ verb: "LPF", offset: names.length })));
      const raw = await alice.receive();
      assert.ok(raw && raw.length <= MAX_DATAGRAM_BYTES, `${raw?.length} bytes`);
      const page = alice.open(raw);
      assert.ok(page?.status === "LIST" && page.total === files.length && page.names.length > 0);
      names.push(...page.names);
    }
    assert.deepEqual(names, files);
  });
});

Deno.test("with unsealed requests refused, a token request in clear gets ERR token and changes nothing", async () => {
  const controller = new AbortController();
  const tracker = startTracker({
    hostname: "127.0.0.1",
    port: 0,
    credentials: new Map([["alice", { kind: "plain", password: "alice-pw" }]]),
    signal: controller.signal,
    acceptUnsealed: false,
  });
  const alice = new SealedClient({ trackerPort: tracker.address.port });
  try {
    await alice.login("alice", "alice-pw");
    const clear = encodeV2Request({
      id: 50,
      token: alice.token,
      body: { verb: "PUB", file: "clear.txt", size: 1, sha256: digest },
    });
    await alice.send(clear);
    assert.equal(text(await alice.receive()), "PS2 50 ERR token");
    assert.deepEqual(await alice.request({ verb: "LPF", offset: 0 }), {
      status: "LIST",
      total: 0,
      offset: 0,
      names: [],
    });
    assert.equal(tracker.counters.forged, 0);
    await alice.send(new Uint8Array([...new TextEncoder().encode("PS2 *"), ...new Uint8Array(60)]));
    assert.equal(await alice.receive(SILENCE_MS), undefined);
    assert.equal(tracker.counters.forged, 1);
  } finally {
    await alice.close();
    controller.abort();
    await tracker.finished;
  }
});
