import assert from "node:assert/strict";
import { canFailOver, failOverOnce, type FailoverSession, type TrackerChoice } from "./failover.ts";
import { type ConnectOptions, loginWithV2, type TrackerLink } from "./tracker_link.ts";
import { SilenceWatch } from "./tracker_rotation.ts";
import { startFakeV2Tracker } from "./testing/fake_v2_tracker.ts";

/** A loopback UDP port nothing listens on. */
function deadPort(): number {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (socket.addr as Deno.NetAddr).port;
  socket.close();
  return port;
}

function choice(port: number): TrackerChoice {
  const connect: ConnectOptions = {
    trackerIp: "127.0.0.1",
    trackerPort: port,
    bindHostname: "127.0.0.1",
    timeoutMs: 300,
  };
  return { address: { host: "127.0.0.1", port }, connect };
}

/** The link to the silent tracker: only its closing matters here. */
function silentLink(onClose: () => void): TrackerLink {
  const link: Partial<TrackerLink> = { close: () => Promise.resolve(onClose()) };
  return link as TrackerLink;
}

function sessionOn(trackers: TrackerChoice[], notices: string[], onClose: () => void) {
  const session: FailoverSession = {
    signal: new AbortController().signal,
    notify: (line) => notices.push(line),
    uploadAddress: { host: "127.0.0.1", port: 7000 },
    published: new Set(["a.txt"]),
    describe: () => Promise.resolve({ size: 3, sha256: "ab".repeat(32) }),
    link: silentLink(onClose),
    relogin: () => Promise.reject(new Error("not used")),
    trackers,
    current: 0,
    loginAt: (connect) => loginWithV2(connect, "alice", "pw"),
    silence: new SilenceWatch(),
  };
  return session;
}

Deno.test("failover logs in on the next tracker that answers, registers, re-publishes and says so once", async () => {
  const live = startFakeV2Tracker({ password: "pw", sealed: true });
  const notices: string[] = [];
  let closed = 0;
  const dead = deadPort();
  const session = sessionOn(
    [choice(live.port), choice(dead), choice(live.port)],
    notices,
    () => closed++,
  );
  try {
    assert.equal(canFailOver(session), true);
    // Two callers at once (a heartbeat and a command) share one failover.
    const [first, second] = await Promise.all([failOverOnce(session), failOverOnce(session)]);
    assert.equal(first, true);
    assert.equal(second, true);
    assert.equal(session.current, 2, "the dead second was skipped; the silent first not retried");
    assert.equal(session.link.version, 2);
    assert.equal(closed, 1, "the silent tracker's link is closed");
    assert.deepEqual(notices, [
      `Tracker 127.0.0.1:${live.port} stopped answering; now using 127.0.0.1:${live.port}`,
    ]);
    assert.ok(live.requests.some((request) => request.includes(" TCP 127.0.0.1 7000")));
    assert.ok(
      live.requests.some((request) => request.includes(" PUB a.txt 3 ")),
      live.requests.join("\n"),
    );
  } finally {
    await session.link.close();
    await live.close();
  }
});

Deno.test("with no other tracker answering, failover keeps the session where it is and says so once", async () => {
  const notices: string[] = [];
  let closed = 0;
  const session = sessionOn([choice(deadPort()), choice(deadPort())], notices, () => closed++);
  const before = session.link;
  assert.equal(await failOverOnce(session), false);
  assert.equal(await failOverOnce(session), false);
  assert.equal(session.current, 0);
  assert.equal(session.link, before);
  assert.equal(closed, 0);
  assert.equal(notices.length, 1);
  assert.match(notices[0], /stopped answering, and no other tracker answers/);
});

Deno.test("with one tracker there is nothing to fail over to", async () => {
  const notices: string[] = [];
  const session = sessionOn([choice(deadPort())], notices, () => {});
  assert.equal(canFailOver(session), false);
  assert.equal(await failOverOnce(session), false);
  assert.deepEqual(notices, []);
});
