import assert from "node:assert/strict";
import { TrackerState } from "../state.ts";
import { readFigures } from "./figures.ts";
import { activePeers, RateHistory, StatusSnapshots } from "./status_snapshot.ts";
import { TrafficCounters } from "./traffic.ts";

Deno.test("the rate history keeps requests per second for its capacity, oldest first", () => {
  const history = new RateHistory(3);
  history.sample(0, 0);
  history.sample(10, 1_000);
  history.sample(10, 2_000);
  history.sample(40, 2_500); // 30 in half a second
  history.sample(50, 3_500);
  assert.deepEqual(history.rates(), [0, 60, 10]);
  history.sample(50, 3_500); // no time passed: nothing to record
  assert.deepEqual(history.rates(), [0, 60, 10]);
});

Deno.test("active peers are the first by user name, with address and protocol", () => {
  const state = new TrackerState({ now: () => 0 });
  for (const [user, port, version] of [["carol", 3, 1], ["alice", 1, 2], ["bob", 2, 1]] as const) {
    state.openSession({ hostname: "10.0.0.1", port }, user, { version });
  }
  state.openSession({ hostname: "::1", port: 9 }, "dave", { version: 1 });
  assert.deepEqual(activePeers(state, 3), [
    { user: "alice", address: "10.0.0.1:1", version: "v2" },
    { user: "bob", address: "10.0.0.1:2", version: "v1" },
    { user: "carol", address: "10.0.0.1:3", version: "v1" },
  ]);
  assert.equal(activePeers(state)[3].address, "[::1]:9");
});

Deno.test("a snapshot reports the tracker's figures, peers and most-published names", async () => {
  let clock = 0;
  const state = new TrackerState({ now: () => clock });
  state.openSession({ hostname: "10.0.0.1", port: 1 }, "alice", { version: 1 });
  state.openSession({ hostname: "10.0.0.1", port: 2 }, "bob", { version: 2, token: "t" });
  state.publish("alice", "a.txt");
  state.publish("bob", "a.txt");
  state.publish("bob", "b.txt");
  const traffic = new TrafficCounters();
  traffic.handled(1, { command: "LAP", summary: "ERR" });
  traffic.dropped("sourceRate");
  const snapshots = new StatusSnapshots({
    state,
    now: () => clock,
    nextTurn: () => Promise.resolve(),
  });
  const figures = readFigures({ state, traffic, startedAtMs: 0, wallNow: () => 2_500 });
  const snapshot = snapshots.take(figures, [1, 2]);
  assert.equal(snapshot.usersOnline, 2);
  assert.deepEqual(snapshot.sessions, { v1: 1, v2: 1 });
  assert.equal(snapshot.publications, 3);
  assert.equal(snapshot.names, 2);
  assert.equal(snapshot.requests, 1);
  assert.equal(snapshot.errors, 1);
  assert.equal(snapshot.drops.source_rate, 1);
  assert.equal(snapshot.uptimeSeconds, 2);
  assert.equal(snapshot.startedAt, "1970-01-01T00:00:00.000Z");
  assert.deepEqual(snapshot.requestRate, [1, 2]);
  assert.deepEqual(snapshot.peers.map((peer) => peer.user), ["alice", "bob"]);
  assert.deepEqual(snapshot.topNames, [{ name: "a.txt", holders: 2 }, {
    name: "b.txt",
    holders: 1,
  }]);
  // A silent session is gone from the next snapshot.
  clock = 3_001;
  const later = snapshots.take(
    readFigures({ state, traffic, startedAtMs: 0, wallNow: () => 0 }),
    [],
  );
  assert.equal(later.usersOnline, 0);
  assert.deepEqual(later.peers, []);
  await snapshots.close();
});
