import assert from "node:assert/strict";
import { startFakeV2Tracker } from "./testing/fake_v2_tracker.ts";
import { startFakeTracker } from "./testing/fake_v1_tracker.ts";
import { loginV2, TrackerRefusedError, V1OnlyTrackerError, V2Client } from "./v2_client.ts";
import { knownToSpeakV2, loginWithV2, V2Link } from "./tracker_link.ts";
import { KnownTrackers } from "./known_trackers.ts";
import { SessionLostError } from "./tracker_link.ts";

function clientFor(port: number, sealed: boolean): V2Client {
  return new V2Client({
    trackerHost: "127.0.0.1",
    trackerPort: port,
    bindHostname: "127.0.0.1",
    deadlineMs: 2000,
    initialIntervalMs: 50,
    sealed,
  });
}

Deno.test("a sealed session sends nothing in clear after WELCOME and opens sealed replies", async () => {
  const tracker = startFakeV2Tracker({
    password: "pw",
    sealed: true,
    answer: (body) =>
      body.verb === "LAP" ? { status: "LIST", total: 1, offset: 0, names: ["bob"] } : undefined,
  });
  const client = clientFor(tracker.port, true);
  try {
    await loginV2(client, "alice", "pw");
    const reply = await client.request({ verb: "LAP", offset: 0 });
    assert.deepEqual(reply, { status: "LIST", total: 1, offset: 0, names: ["bob"] });
    assert.equal(tracker.clearAfterLogin, 0);
    assert.match(tracker.requests[0], /^PS2 \d+ [0-9a-f]{32} LAP 0$/);
    assert.deepEqual(tracker.counters, [0]);
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("a retransmitted request is sealed again with a new counter, same request id", async () => {
  let asked = 0;
  const tracker = startFakeV2Tracker({
    password: "pw",
    sealed: true,
    // Silent to the first two tries, as if they were lost.
    answer: () => ++asked <= 2 ? undefined : { status: "OK" },
  });
  const client = clientFor(tracker.port, true);
  try {
    await loginV2(client, "alice", "pw");
    assert.deepEqual(await client.request({ verb: "HBT" }), { status: "OK" });
    assert.deepEqual(tracker.counters, [0, 1, 2]);
    assert.equal(new Set(tracker.requests).size, 1, "the same request text each time");
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("`PS2 * <token> gone` ends the session: the link says it was lost", async () => {
  const tracker = startFakeV2Tracker({ password: "pw", sealed: true });
  const client = clientFor(tracker.port, true);
  try {
    const welcome = await loginV2(client, "alice", "pw");
    const link = new V2Link(client, welcome.heartbeatMs);
    await link.register("127.0.0.1", 4000);
    tracker.forgetSessions();
    await assert.rejects(link.register("127.0.0.1", 4000), SessionLostError);
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("any number of v1 ERRs from the tracker's address lose to its v2 CHALLENGE", async () => {
  const tracker = startFakeV2Tracker({
    password: "pw",
    sealed: false,
    beforeLoginReply: ["ERR", "ERR", "ERR"],
    loginReplyAfterMs: 300,
  });
  const client = clientFor(tracker.port, false);
  try {
    const welcome = await loginV2(client, "alice", "pw");
    assert.match(welcome.token, /^[0-9a-f]{32}$/);
    assert.ok(client.sawV2Reply);
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("forged ERRs from another address during LOGIN are not heard at all", async () => {
  const tracker = startFakeV2Tracker({ password: "pw", sealed: false, loginReplyAfterMs: 400 });
  const client = clientFor(tracker.port, false);
  const forger = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.2", port: 0 });
  const spraying = (async () => {
    for (let i = 0; i < 30; i++) {
      await forger.send(new TextEncoder().encode("ERR"), client.localAddr).catch(() => 0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    await loginV2(client, "alice", "pw");
    assert.equal(client.sawV1Error, false);
  } finally {
    await spraying;
    forger.close();
    await client.close();
    await tracker.close();
  }
});

Deno.test("a tracker that answers LOGIN only with v1's ERR is v1-only after the 1 s window", async () => {
  const tracker = startFakeTracker(() => undefined);
  const client = clientFor(tracker.port, false);
  const started = Date.now();
  try {
    await assert.rejects(
      client.request({ verb: "LOGIN", user: "alice", clientNonce: "a".repeat(24) }),
      V1OnlyTrackerError,
    );
    assert.ok(Date.now() - started >= 950, "not before the window closed");
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("a tracker that answered v2 is remembered as speaking v2", async () => {
  const tracker = startFakeV2Tracker({ password: "pw", sealed: false });
  const knownTrackers = KnownTrackers.inMemory();
  const options = {
    trackerIp: "127.0.0.1",
    trackerPort: tracker.port,
    bindHostname: "127.0.0.1",
    knownTrackers,
  };
  try {
    assert.equal(knownToSpeakV2(options), false);
    const attempt = await loginWithV2(options, "alice", "pw");
    assert.equal(attempt.kind, "ok");
    if (attempt.kind === "ok") await attempt.link.close();
    assert.equal(knownToSpeakV2(options), true);
  } finally {
    await tracker.close();
  }
});

Deno.test("ERR live <s> and ERR locked <s> carry their wait to the caller", async () => {
  const probe = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  const client = clientFor(port, false);
  const serving = (async () => {
    const [datagram, from] = await probe.receive();
    const id = new TextDecoder().decode(datagram).split(" ")[1];
    await probe.send(new TextEncoder().encode(`PS2 ${id} ERR live 12`), from);
  })();
  try {
    await assert.rejects(
      loginV2(client, "alice", "pw"),
      (error) =>
        error instanceof TrackerRefusedError && error.code === "live" && error.waitSeconds === 12,
    );
  } finally {
    await serving;
    probe.close();
    await client.close();
  }
});

Deno.test("a v2 heartbeat whose OK does not come is retried at 200 and 600 ms, within its interval", async () => {
  let heartbeats = 0;
  const sentAt: number[] = [];
  const tracker = startFakeV2Tracker({
    password: "pw",
    sealed: true,
    // Silent to the first two tries of the beat, as if they or their OKs were lost.
    answer: (body) => {
      if (body.verb !== "HBT") return { status: "OK" };
      sentAt.push(performance.now());
      return ++heartbeats <= 2 ? undefined : { status: "OK" };
    },
  });
  const client = clientFor(tracker.port, true);
  try {
    await loginV2(client, "alice", "pw");
    const link = new V2Link(client, 1000);
    let lost = false;
    assert.equal(await link.heartbeat(() => lost = true), "answered");
    assert.equal(heartbeats, 3);
    assert.equal(new Set(tracker.requests).size, 1, "one request, retransmitted");
    const gaps = [sentAt[1] - sentAt[0], sentAt[2] - sentAt[1]];
    assert.ok(gaps[0] >= 180 && gaps[0] < 350, `first retry after ${gaps[0]} ms`);
    assert.ok(gaps[1] >= 380 && gaps[1] < 600, `second retry after ${gaps[1]} ms`);
    assert.equal(lost, false);
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("an unanswered v2 heartbeat gives up quietly when its interval ends", async () => {
  let heartbeats = 0;
  const tracker = startFakeV2Tracker({
    password: "pw",
    sealed: true,
    answer: (body) => body.verb === "HBT" ? void heartbeats++ : { status: "OK" },
  });
  const client = clientFor(tracker.port, true);
  try {
    await loginV2(client, "alice", "pw");
    const link = new V2Link(client, 500);
    const started = performance.now();
    let lost = false;
    assert.equal(await link.heartbeat(() => lost = true), "unanswered");
    const took = performance.now() - started;
    assert.ok(took >= 450 && took < 900, `gave up after ${took} ms`);
    assert.equal(heartbeats, 2, "tries at 0 and 200 ms of a 500 ms interval");
    assert.equal(lost, false);
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("a v2 heartbeat answered gone reports the session lost", async () => {
  const tracker = startFakeV2Tracker({ password: "pw", sealed: true });
  const client = clientFor(tracker.port, true);
  try {
    await loginV2(client, "alice", "pw");
    const link = new V2Link(client, 1000);
    tracker.forgetSessions();
    let lost = false;
    await link.heartbeat(() => lost = true);
    assert.equal(lost, true);
  } finally {
    await client.close();
    await tracker.close();
  }
});
