/**
 * The v1 control channel, row by row, from raw sockets against the real tracker process.
 */

import assert from "node:assert/strict";
import { TrackerProcess } from "./support/programs.ts";
import { UdpProbe } from "./support/udp_probe.ts";

const SILENCE_MS = 300;

async function withTracker(
  body: (tracker: TrackerProcess, probe: (user?: string) => Promise<UdpProbe>) => Promise<void>,
  credentials?: string,
): Promise<void> {
  const tracker = await TrackerProcess.start(credentials);
  const probes: UdpProbe[] = [];
  const probe = async (user?: string) => {
    const created = new UdpProbe(tracker.port);
    probes.push(created);
    if (user) {
      assert.equal(await created.ask(`auth ${user} ${user}-pw`), "OK");
      await created.send(`TCP 127.0.0.1 ${created.port}`);
    }
    return created;
  };
  try {
    await body(tracker, probe);
  } finally {
    await Promise.all(probes.map((p) => p.close()));
    await tracker.stop();
  }
}

Deno.test("auth answers OK, or ERR for unknown user, wrong password, live session, bad form", async () => {
  await withTracker(async (tracker, probe) => {
    const a = await probe();
    assert.equal(await a.ask("auth mallory x"), "ERR");
    assert.equal(await a.ask("auth alice wrong"), "ERR");
    assert.equal(await a.ask("auth alice"), "ERR");
    assert.equal(await a.ask("auth alice alice-pw extra"), "ERR");
    assert.equal(await a.ask("auth alice alice-pw"), "OK");
    const b = await probe();
    assert.equal(await b.ask("auth alice alice-pw"), "ERR", "alice already has a live session");
    // One line per datagram: timestamp with date, level, the full address, user, reply.
    await tracker.program.stdout.waitFor(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  127\\.0\\.0\\.1:${a.port} ` +
          "Received AUTH from alice; sent OK$",
        "m",
      ),
    );
  });
});

Deno.test("a v1 client publishing a folder of 600 files from one socket, one by one, gets every reply", async () => {
  await withTracker(async (_tracker, probe) => {
    const alice = await probe("alice");
    for (let i = 0; i < 600; i++) {
      assert.equal(await alice.ask(`pub file${i}.bin`), "File published successfully", `pub ${i}`);
    }
    assert.match(await alice.ask("lpf") ?? "no reply", /…and \d+ more$/);
  });
});

Deno.test("HBT and TCP never get a reply, from a session or a stranger", async () => {
  await withTracker(async (_tracker, probe) => {
    const stranger = await probe();
    assert.equal(await stranger.ask("HBT", SILENCE_MS), undefined);
    assert.equal(await stranger.ask("TCP 127.0.0.1 4000", SILENCE_MS), undefined);
    const alice = await probe("alice");
    assert.equal(await alice.ask("HBT", SILENCE_MS), undefined);
    assert.equal(await alice.ask("TCP 127.0.0.1 4001", SILENCE_MS), undefined);
    assert.equal(await alice.ask("TCP nonsense", SILENCE_MS), undefined);
    assert.equal(await alice.ask("HBT extra", SILENCE_MS), undefined);
  });
});

Deno.test("requests without a session get ERR; a stranger's datagram under 3 bytes gets nothing", async () => {
  await withTracker(async (_tracker, probe) => {
    const stranger = await probe();
    for (const request of ["lap", "lpf", "pub a", "unp a", "sch a", "get a", "hello"]) {
      assert.equal(await stranger.ask(request), "ERR", request);
    }
    for (const tiny of ["", "l", "la", new Uint8Array([0xff, 0xff])]) {
      assert.equal(await stranger.ask(tiny, SILENCE_MS), undefined);
    }
    const alice = await probe("alice");
    assert.equal(await alice.ask("la"), "ERR", "a session gets ERR even for a tiny datagram");
  });
});

Deno.test("unknown, malformed, binary, non-UTF-8 and oversized datagrams get ERR and harm no one", async () => {
  await withTracker(async (tracker, probe) => {
    const alice = await probe("alice");
    const bob = await probe("bob");
    const hostile: (string | Uint8Array)[] = [
      "LAP",
      "lap now",
      "pub ../etc/passwd",
      "pub a b",
      "get",
      "sch",
      new Uint8Array([0xc3, 0x28, 0xa0, 0xa1]),
      new Uint8Array(256).map((_, i) => i),
      "pub " + "x".repeat(60_000),
      "\u0000\u0000\u0000",
    ];
    for (const datagram of hostile) assert.equal(await alice.ask(datagram), "ERR");
    assert.equal(await bob.ask("lap"), "alice");
    await tracker.program.stdout.waitFor(/Received invalid datagram of \d+ bytes from alice/);
  });
});

Deno.test("pub, unp and get refuse every name the file-name rule refuses, never normalised", async () => {
  await withTracker(async (_tracker, probe) => {
    const alice = await probe("alice");
    const refused = [
      ".",
      "..",
      "./a",
      "/a",
      "a/",
      "a\\b",
      "a\u0085b",
      "a\u00a0b",
      "a\u2028b",
      "a\u3000b",
      "a\u0007b",
      "a\u007fb",
      "a\u202ab",
      "a\u202eb",
      "a\u2066b",
      "a\u2069b",
      "x".repeat(256),
      "\u00e9".repeat(127) + "xy",
    ];
    for (const name of refused) {
      for (const verb of ["pub", "unp", "get"]) {
        assert.equal(await alice.ask(`${verb} ${name}`), "ERR", `${verb} ${JSON.stringify(name)}`);
      }
    }
    const longest = "\u00e9".repeat(127) + "x";
    for (const name of ["...", ".a", "a..", longest, "x".repeat(255), "a\u200bb"]) {
      assert.equal(await alice.ask(`pub ${name}`), "File published successfully", name);
    }
    assert.equal(
      await alice.ask("lpf"),
      ["...", ".a", "a..", "a\u200bb", "x".repeat(255), longest].join(", "),
    );
  });
});

Deno.test("lap lists the other active users, never the asker", async () => {
  await withTracker(async (_tracker, probe) => {
    const alice = await probe("alice");
    assert.equal(await alice.ask("lap"), "No active peers");
    await probe("carol");
    await probe("bob");
    assert.equal(await alice.ask("lap"), "bob, carol");
  });
});

Deno.test("pub, lpf and unp follow the v1 table", async () => {
  await withTracker(async (_tracker, probe) => {
    const alice = await probe("alice");
    assert.equal(await alice.ask("lpf"), "No published files");
    assert.equal(await alice.ask("pub b.txt"), "File published successfully");
    assert.equal(await alice.ask("pub a.txt"), "File published successfully");
    assert.equal(await alice.ask("pub a.txt"), "File published successfully");
    assert.equal(await alice.ask("lpf"), "a.txt, b.txt");
    assert.equal(await alice.ask("unp a.txt"), "File unpublished successfully");
    assert.equal(await alice.ask("unp a.txt"), "File unpublication failed");
    assert.equal(await alice.ask("unp never.txt"), "File unpublication failed");
    assert.equal(await alice.ask("lpf"), "b.txt");
  });
});

Deno.test("sch finds distinct names of other active users, case-sensitively, once each", async () => {
  await withTracker(async (_tracker, probe) => {
    const alice = await probe("alice");
    const bob = await probe("bob");
    const carol = await probe("carol");
    await bob.ask("pub summary.txt");
    await carol.ask("pub summary.txt");
    await alice.ask("pub summary.txt");
    await bob.ask("pub Summer.jpg");
    await alice.ask("pub alice-only.sum");
    assert.equal(await alice.ask("sch sum"), "summary.txt");
    assert.equal(await alice.ask("sch Sum"), "Summer.jpg");
    assert.equal(await alice.ask("sch nothing"), "No files found");
    assert.equal(await bob.ask("sch sum"), "alice-only.sum, summary.txt");
  });
});

Deno.test("get returns an active holder's address, or says why it cannot", async () => {
  await withTracker(async (_tracker, probe) => {
    const alice = await probe("alice");
    const bob = await probe("bob");
    assert.equal(await alice.ask("get a.txt"), "File not found");
    await alice.ask("pub a.txt");
    assert.equal(
      await alice.ask("get a.txt"),
      "No active peer has this file",
      "only the asker has it",
    );
    assert.equal(await bob.ask("get a.txt"), `alice 127.0.0.1 ${alice.port}`);
  });
});

Deno.test("a silent session expires after 3 s; its files leave sch and get and come back with it", async () => {
  await withTracker(async (tracker, probe) => {
    const alice = await probe("alice");
    const bob = await probe("bob");
    await alice.ask("pub shared.bin");
    const heartbeat = setInterval(() => bob.send("HBT"), 1000);
    try {
      await new Promise((resolve) => setTimeout(resolve, 3600));
      assert.equal(await bob.ask("lap"), "No active peers");
      assert.equal(await bob.ask("sch shared"), "No files found");
      assert.equal(await bob.ask("get shared.bin"), "No active peer has this file");
      assert.equal(await alice.ask("lap"), "ERR", "alice's session is gone");
      await tracker.program.stdout.waitFor("Session of alice expired");
      assert.equal(await alice.ask("auth alice alice-pw"), "OK");
      await alice.send(`TCP 127.0.0.1 ${alice.port}`);
      assert.equal(await alice.ask("lpf"), "shared.bin", "publications survive expiry");
      assert.equal(await bob.ask("sch shared"), "shared.bin");
      assert.equal(await bob.ask("get shared.bin"), `alice 127.0.0.1 ${alice.port}`);
    } finally {
      clearInterval(heartbeat);
    }
  });
});

Deno.test("any valid request is a sign of life, an invalid datagram is not", async () => {
  await withTracker(async (_tracker, probe) => {
    const alice = await probe("alice");
    const bob = await probe("bob");
    const carol = await probe("carol");
    // bob lives on answered requests alone, carol sends only what gets ERR; neither sends HBT.
    for (let second = 0; second < 4; second++) {
      assert.equal(await bob.ask("lpf"), "No published files");
      assert.equal(await carol.ask("lap now"), "ERR");
      await alice.send("HBT");
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal(await alice.ask("lap"), "bob");
    assert.equal(await carol.ask("lpf"), "ERR", "carol's session expired");
  });
});

Deno.test("long lap, lpf and sch replies fit 1024 bytes and end with …and N more", async () => {
  const users = Array.from({ length: 120 }, (_, i) => `user-with-a-long-name-${i}`);
  const credentials = users.map((user) => `${user} ${user}-pw`).join("\n");
  await withTracker(async (_tracker, probe) => {
    const probes = await Promise.all(users.map((user) => probe(user)));
    const files = Array.from({ length: 60 }, (_, i) => `file-${i}-${"x".repeat(40)}.dat`);
    for (const file of files) await probes[1].ask(`pub ${file}`);
    const check = (reply: string | undefined, total: number) => {
      assert.ok(reply !== undefined);
      assert.ok(new TextEncoder().encode(reply).length <= 1024, `${reply.length} bytes`);
      const match = /, \u2026and (\d+) more$/.exec(reply);
      assert.ok(match, reply);
      const shown = reply.split(", ").length - 1;
      assert.equal(shown + Number(match[1]), total);
    };
    check(await probes[0].ask("lap"), users.length - 1);
    check(await probes[1].ask("lpf"), files.length);
    check(await probes[0].ask("sch file-"), files.length);
  }, credentials);
});
