import assert from "node:assert/strict";
import { startFakeTracker } from "./testing/fake_v1_tracker.ts";
import {
  TrackerTimeoutError,
  UnexpectedReplyError,
  V1Client,
  V1ClientClosedError,
} from "./v1_client.ts";

Deno.test("a request resolves with the tracker's typed reply", async () => {
  const tracker = startFakeTracker((request) => request === "lap" ? "bob, carol" : undefined);
  const client = new V1Client({ trackerHost: "127.0.0.1", trackerPort: tracker.port });
  try {
    assert.deepEqual(await client.request({ kind: "lap" }), {
      kind: "peers",
      list: { names: ["bob", "carol"], omitted: 0 },
    });
    assert.deepEqual(tracker.received, ["lap"]);
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("a request the tracker ignores times out with a typed error", async () => {
  const tracker = startFakeTracker(() => undefined);
  const client = new V1Client({
    trackerHost: "127.0.0.1",
    trackerPort: tracker.port,
    timeoutMs: 100,
  });
  try {
    await assert.rejects(client.request({ kind: "lpf" }), TrackerTimeoutError);
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("requests are sent one at a time, each after the previous reply", async () => {
  const tracker = startFakeTracker((request) => request === "lap" ? "No active peers" : "ERR");
  const client = new V1Client({ trackerHost: "127.0.0.1", trackerPort: tracker.port });
  try {
    const replies = await Promise.all([
      client.request({ kind: "lap" }),
      client.request({ kind: "pub", file: "a" }),
      client.request({ kind: "lap" }),
    ]);
    assert.deepEqual(replies.map((reply) => reply.kind), ["peers", "error", "peers"]);
    assert.deepEqual(tracker.received, ["lap", "pub a", "lap"]);
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("a late reply to a timed-out request is not taken as the next one's", async () => {
  const tracker = startFakeTracker((request) => {
    // The first request's answer comes late: just before the second request's own answer.
    if (request.startsWith("pub")) return ["No active peers", "File published successfully"];
    return undefined;
  });
  const client = new V1Client({
    trackerHost: "127.0.0.1",
    trackerPort: tracker.port,
    timeoutMs: 150,
  });
  try {
    await assert.rejects(client.request({ kind: "lap" }), TrackerTimeoutError);
    assert.deepEqual(await client.request({ kind: "pub", file: "a" }), { kind: "published" });
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("a reply that arrives while no request waits is dropped", async () => {
  const tracker = startFakeTracker((request) => request === "HBT" ? "ERR" : "OK");
  const client = new V1Client({ trackerHost: "127.0.0.1", trackerPort: tracker.port });
  try {
    await client.send({ kind: "HBT" });
    await tracker.waitFor(1);
    // Give the stray reply time to arrive before the real request is sent.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(await client.request({ kind: "auth", user: "a", password: "b" }), {
      kind: "ok",
    });
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("only replies that do not fit the request end in an unexpected-reply error", async () => {
  const tracker = startFakeTracker(() => "something else");
  const client = new V1Client({
    trackerHost: "127.0.0.1",
    trackerPort: tracker.port,
    timeoutMs: 100,
  });
  try {
    await assert.rejects(client.request({ kind: "pub", file: "a" }), UnexpectedReplyError);
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("a datagram from another address is ignored", async () => {
  const tracker = startFakeTracker(() => undefined);
  const stranger = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const client = new V1Client({
    trackerHost: "127.0.0.1",
    trackerPort: tracker.port,
    timeoutMs: 200,
  });
  try {
    const pending = client.request({ kind: "auth", user: "a", password: "b" });
    await tracker.waitFor(1);
    await stranger.send(new TextEncoder().encode("OK"), client.localAddr);
    await assert.rejects(pending, TrackerTimeoutError);
  } finally {
    stranger.close();
    await client.close();
    await tracker.close();
  }
});

Deno.test("closing the client fails the waiting request", async () => {
  const tracker = startFakeTracker(() => undefined);
  const client = new V1Client({ trackerHost: "127.0.0.1", trackerPort: tracker.port });
  const pending = client.request({ kind: "lap" });
  await tracker.waitFor(1);
  await client.close();
  await assert.rejects(pending, V1ClientClosedError);
  await tracker.close();
});

Deno.test("send delivers a request that gets no reply", async () => {
  const tracker = startFakeTracker(() => undefined);
  const client = new V1Client({ trackerHost: "127.0.0.1", trackerPort: tracker.port });
  try {
    await client.send({ kind: "TCP", host: "127.0.0.1", port: 4000 });
    await client.send({ kind: "HBT" });
    await tracker.waitFor(2);
    assert.deepEqual(tracker.received, ["TCP 127.0.0.1 4000", "HBT"]);
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("a safe v1 request whose datagram is lost is sent again and answered", async () => {
  let lapsSeen = 0;
  // The tracker "loses" the first lap; the copy sent 300 ms later is answered.
  const tracker = startFakeTracker((request) => {
    if (request !== "lap") return undefined;
    lapsSeen++;
    return lapsSeen === 1 ? undefined : "bob";
  });
  const client = new V1Client({
    trackerHost: "127.0.0.1",
    trackerPort: tracker.port,
    timeoutMs: 2000,
  });
  try {
    assert.deepEqual(await client.request({ kind: "lap" }), {
      kind: "peers",
      list: { names: ["bob"], omitted: 0 },
    });
    assert.equal(lapsSeen, 2);
  } finally {
    await client.close();
    await tracker.close();
  }
});

Deno.test("auth and unp are never sent twice, even when unanswered", async () => {
  const tracker = startFakeTracker(() => undefined);
  const client = new V1Client({
    trackerHost: "127.0.0.1",
    trackerPort: tracker.port,
    timeoutMs: 1000,
  });
  try {
    await assert.rejects(
      client.request({ kind: "auth", user: "a", password: "b" }),
      TrackerTimeoutError,
    );
    await assert.rejects(client.request({ kind: "unp", file: "x" }), TrackerTimeoutError);
    assert.deepEqual(tracker.received, ["auth a b", "unp x"]);
  } finally {
    await client.close();
    await tracker.close();
  }
});
