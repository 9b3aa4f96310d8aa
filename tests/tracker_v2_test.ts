/**
 * Protocol v2 against the real tracker process: SCRAM login, tokens that cannot be hijacked,
 * retransmissions answered but never applied twice, amplification limits, mixed v1/v2 fleets.
 */

import assert from "node:assert/strict";
import {
  fetchNames,
  loginV2,
  TrackerNotAuthenticError,
  TrackerRefusedError,
  V2Client,
} from "../lib/peer/control/mod.ts";
import { TrackerProcess } from "./support/programs.ts";
import { UdpProbe } from "./support/udp_probe.ts";
import { LossyProxy } from "./support/lossy_proxy.ts";

const digest = "ab".repeat(32);

async function withTracker(
  body: (tracker: TrackerProcess, client: (port?: number) => V2Client) => Promise<void>,
  extraArgs: string[] = [],
): Promise<void> {
  const tracker = await TrackerProcess.start(undefined, extraArgs);
  const clients: V2Client[] = [];
  const client = (port = tracker.port) => {
    const created = new V2Client({
      trackerHost: "127.0.0.1",
      trackerPort: port,
      bindHostname: "127.0.0.1",
      deadlineMs: 3000,
    });
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

async function loggedIn(client: V2Client, user: string): Promise<V2Client> {
  await loginV2(client, user, `${user}-pw`);
  assert.deepEqual(
    await client.request({ verb: "TCP", host: "127.0.0.1", port: client.localAddr.port }),
    { status: "OK" },
  );
  return client;
}

Deno.test("v2 login proves the password without sending it and gets a 128-bit token", async () => {
  await withTracker(async (tracker, client) => {
    const alice = client();
    const welcome = await loginV2(alice, "alice", "alice-pw");
    assert.match(welcome.token, /^[0-9a-f]{32}$/);
    assert.equal(welcome.timeoutMs, 3000);
    assert.equal(welcome.heartbeatMs, 1000);
    await tracker.program.stdout.waitFor("Received PROOF from alice; sent WELCOME");
    assert.ok(!tracker.program.stdout.text.includes("alice-pw"));
  });
});

Deno.test("v2 login with a wrong password or an unknown user is refused alike", async () => {
  await withTracker(async (_tracker, client) => {
    for (const [user, password] of [["alice", "nope"], ["mallory", "x"]]) {
      await assert.rejects(
        loginV2(client(), user, password),
        (error: unknown) => error instanceof TrackerRefusedError && error.code === "auth",
      );
    }
  });
});

Deno.test("a user with a live session cannot log in again with v2", async () => {
  await withTracker(async (_tracker, client) => {
    await loginV2(client(), "alice", "alice-pw");
    await assert.rejects(
      loginV2(client(), "alice", "alice-pw"),
      (error: unknown) => error instanceof TrackerRefusedError && error.code === "live",
    );
  });
});

Deno.test("repeated failed logins lock the user out", async () => {
  await withTracker(async (_tracker, client) => {
    for (let i = 0; i < 4; i++) {
      await assert.rejects(loginV2(client(), "bob", "wrong"), TrackerRefusedError);
    }
    await assert.rejects(
      loginV2(client(), "bob", "bob-pw"),
      (error: unknown) => error instanceof TrackerRefusedError && error.code === "locked",
    );
  });
});

Deno.test("a replayed PROOF is refused", async () => {
  await withTracker(async (tracker, client) => {
    const proofs: Uint8Array[] = [];
    const recorder = new LossyProxy({
      trackerPort: tracker.port,
      observe(datagram) {
        if (new TextDecoder().decode(datagram).includes(" PROOF ")) proofs.push(datagram.slice());
      },
    });
    const replayer = new UdpProbe(tracker.port);
    try {
      await loginV2(client(recorder.port), "alice", "alice-pw");
      assert.equal(proofs.length >= 1, true);
      const reply = await replayer.ask(proofs[0]);
      assert.match(reply ?? "", /^PS2 \d+ ERR expired$/);
    } finally {
      await replayer.close();
      await recorder.close();
    }
  });
});

Deno.test("a request with a wrong token, or the right token from another address, changes nothing", async () => {
  await withTracker(async (_tracker, client) => {
    const alice = await loggedIn(client(), "alice");
    const bob = await loggedIn(client(), "bob");
    const token = alice.token as string;
    const wrong = token.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    const attacker = client();
    attacker.token = wrong;
    assert.deepEqual(
      await attacker.request({ verb: "PUB", file: "evil.bin", size: 1, sha256: digest }),
      {
        status: "ERR",
        code: "token",
      },
    );
    attacker.token = token;
    assert.deepEqual(
      await attacker.request({ verb: "PUB", file: "evil.bin", size: 1, sha256: digest }),
      {
        status: "ERR",
        code: "token",
      },
    );
    assert.deepEqual(await attacker.request({ verb: "BYE" }), { status: "ERR", code: "token" });
    assert.deepEqual(await alice.request({ verb: "LPF", offset: 0 }), {
      status: "LIST",
      total: 0,
      offset: 0,
      names: [],
    });
    assert.deepEqual((await fetchNames(bob, (offset) => ({ verb: "LAP", offset }))).names, [
      "alice",
    ]);
  });
});

Deno.test("a duplicated PUB or UNP is applied once: a copy is a replay, a retransmission is answered from the cache", async () => {
  await withTracker(async (tracker, client) => {
    // Every datagram arrives twice (the copy is a replay of a sealed datagram), and some replies
    // are lost, so the client retransmits under a new counter and the reply cache answers.
    const duplicator = new LossyProxy({
      trackerPort: tracker.port,
      duplicateToTracker: true,
      lossToClient: 0.3,
      seed: 7,
    });
    try {
      const alice = await loggedIn(client(duplicator.port), "alice");
      for (let round = 0; round < 3; round++) {
        assert.deepEqual(
          await alice.request({ verb: "PUB", file: "a.bin", size: 3, sha256: digest }),
          { status: "OK" },
        );
        assert.deepEqual(await alice.request({ verb: "UNP", file: "a.bin" }), { status: "OK" });
      }
      assert.deepEqual(await alice.request({ verb: "UNP", file: "a.bin" }), {
        status: "ERR",
        code: "notpublished",
      });
      await tracker.program.stdout.waitFor(/Received (PUB|UNP) from alice \(retransmission\)/);
      await tracker.program.stdout.waitFor("forged sealed datagram dropped");
    } finally {
      await duplicator.close();
    }
  });
});

Deno.test("v2 datagrams without a session never get a reply larger than they are", async () => {
  await withTracker(async (tracker) => {
    const probe = new UdpProbe(tracker.port);
    try {
      const attempts = [
        "PS2 1 - LOGIN alice abc",
        "PS2 1 - PROOF abc def=",
        "PS2 4294967295 - HBT",
        "PS2 1 0123456789abcdef0123456789abcdef LAP 0",
        "PS2 1 0123456789abcdef0123456789abcdef GET a 0",
        "PS2 9 ",
        "PS2 12 x",
        "PS2 1 - LOGIN alice " + "n".repeat(100) + " " + "_".repeat(200),
      ];
      for (const attempt of attempts) {
        const sent = new TextEncoder().encode(attempt);
        await probe.send(sent);
        const reply = await probe.receive(300);
        if (reply) assert.ok(reply.length <= sent.length, `${attempt} → ${reply.length} bytes`);
      }
    } finally {
      await probe.close();
    }
  });
});

Deno.test("v1 and v2 peers on one tracker see each other in lap, sch and get", async () => {
  await withTracker(async (tracker, client) => {
    const v1 = new UdpProbe(tracker.port);
    try {
      assert.equal(await v1.ask("auth carol carol-pw"), "OK");
      await v1.send(`TCP 127.0.0.1 ${v1.port}`);
      await v1.ask("pub old.txt");
      const alice = await loggedIn(client(), "alice");
      const bob = await loggedIn(client(), "bob");
      await alice.request({ verb: "PUB", file: "new.bin", size: 7, sha256: digest });
      assert.equal(await v1.ask("lap"), "alice, bob");
      assert.equal(await v1.ask("sch new"), "new.bin");
      assert.equal(await v1.ask("get new.bin"), `alice 127.0.0.1 ${alice.localAddr.port}`);
      assert.deepEqual(await fetchNames(alice, (offset) => ({ verb: "LAP", offset })), {
        names: ["bob", "carol"],
        omitted: 0,
      });
      assert.deepEqual(await fetchNames(bob, (offset) => ({ verb: "SCH", text: ".", offset })), {
        names: ["new.bin", "old.txt"],
        omitted: 0,
      });
      assert.deepEqual(await alice.request({ verb: "GET", file: "old.txt", offset: 0 }), {
        status: "HOLDERS",
        total: 1,
        offset: 0,
        holders: [{ user: "carol", host: "127.0.0.1", port: v1.port }],
      });
      assert.deepEqual(await alice.request({ verb: "GET", file: "none", offset: 0 }), {
        status: "ERR",
        code: "notfound",
      });
    } finally {
      await v1.close();
    }
  });
});

Deno.test("v2 get returns every holder with size, digest and observed address", async () => {
  // A claimed address other than the observed one needs the operator's --allow-foreign-tcp-address.
  await withTracker(async (_tracker, client) => {
    const alice = await loggedIn(client(), "alice");
    const bob = await loggedIn(client(), "bob");
    const carol = await loggedIn(client(), "carol");
    await carol.request({ verb: "TCP", host: "10.9.8.7", port: 4444 });
    for (const holder of [bob, carol]) {
      await holder.request({ verb: "PUB", file: "f.bin", size: 12, sha256: digest });
    }
    assert.deepEqual(await alice.request({ verb: "GET", file: "f.bin", offset: 0 }), {
      status: "HOLDERS",
      total: 2,
      offset: 0,
      holders: [
        { user: "bob", host: "127.0.0.1", port: bob.localAddr.port, size: 12, sha256: digest },
        {
          user: "carol",
          host: "127.0.0.1",
          port: 4444,
          size: 12,
          sha256: digest,
          claimed: { host: "10.9.8.7", port: 4444 },
        },
      ],
    });
  }, ["--allow-foreign-tcp-address"]);
});

Deno.test("long v2 lists are paged so every name can be read", async () => {
  await withTracker(async (_tracker, client) => {
    const alice = await loggedIn(client(), "alice");
    const files = Array.from(
      { length: 150 },
      (_, i) => `file-${String(i).padStart(3, "0")}-${"y".repeat(30)}`,
    );
    for (const file of files) {
      assert.deepEqual(await alice.request({ verb: "PUB", file, size: 1, sha256: digest }), {
        status: "OK",
      });
    }
    const first = await alice.request({ verb: "LPF", offset: 0 });
    assert.ok(first.status === "LIST" && first.names.length < files.length && first.total === 150);
    assert.deepEqual(await fetchNames(alice, (offset) => ({ verb: "LPF", offset })), {
      names: files,
      omitted: 0,
    });
  });
});

Deno.test("the peer refuses a tracker whose server signature is wrong", async () => {
  await withTracker(async (tracker, client) => {
    const tamperer = new LossyProxy({
      trackerPort: tracker.port,
      tamper(datagram) {
        const text = new TextDecoder().decode(datagram);
        if (!text.includes(" WELCOME ")) return datagram;
        const fields = text.split(" ");
        fields[4] = fields[4].startsWith("A") ? `B${fields[4].slice(1)}` : `A${fields[4].slice(1)}`;
        return new TextEncoder().encode(fields.join(" "));
      },
    });
    try {
      await assert.rejects(
        loginV2(client(tamperer.port), "alice", "alice-pw"),
        TrackerNotAuthenticError,
      );
    } finally {
      await tamperer.close();
    }
  });
});

Deno.test("with --no-plaintext the tracker refuses v1 auth but accepts v2 logins", async () => {
  await withTracker(async (tracker, client) => {
    const v1 = new UdpProbe(tracker.port);
    try {
      assert.equal(await v1.ask("auth alice alice-pw"), "ERR");
      await tracker.program.stdout.waitFor("plaintext logins are disabled");
      await loginV2(client(), "alice", "alice-pw");
    } finally {
      await v1.close();
    }
  }, ["--no-plaintext"]);
});

Deno.test("a v2 TCP registration's TLS port and fingerprint come back in every GET, and a later TCP without them clears them", async () => {
  await withTracker(async (_tracker, client) => {
    const alice = await loggedIn(client(), "alice");
    const bob = await loggedIn(client(), "bob");
    const tls = { port: 4445, fingerprint: "cd".repeat(32) };
    const host = "127.0.0.1";
    assert.deepEqual(
      await bob.request({ verb: "TCP", host, port: bob.localAddr.port, tls }),
      { status: "OK" },
    );
    await bob.request({ verb: "PUB", file: "f.bin", size: 12, sha256: digest });
    const bobHolder = { user: "bob", host, port: bob.localAddr.port, size: 12, sha256: digest };
    assert.deepEqual(await alice.request({ verb: "GET", file: "f.bin", offset: 0 }), {
      status: "HOLDERS",
      total: 1,
      offset: 0,
      holders: [{ ...bobHolder, tls }],
    });
    await bob.request({ verb: "TCP", host, port: bob.localAddr.port });
    assert.deepEqual(await alice.request({ verb: "GET", file: "f.bin", offset: 0 }), {
      status: "HOLDERS",
      total: 1,
      offset: 0,
      holders: [bobHolder],
    });
  });
});
