import assert from "node:assert/strict";
import { MemoryStore } from "../store/mod.ts";
import type { Session } from "../state.ts";
import { FleetState } from "./fleet_state.ts";

const bobThere = {
  user: "bob",
  address: { hostname: "10.0.0.2", port: 4000 },
  version: 2 as const,
  download: { hostname: "10.0.0.2", port: 6000 },
  tls: { port: 6001, fingerprint: "cd".repeat(32) },
};

Deno.test("a remote session is listed, found as a holder, and blocks a second login", () => {
  const state = new FleetState({ now: () => 0, remoteTimeoutMs: 5_000 });
  assert.ok(state.putRemote("t2", bobThere));
  assert.deepEqual(state.activeUsers("alice"), ["bob"]);
  state.publish("bob", "song.mp3");
  const [holder] = state.holders("song.mp3", "alice");
  assert.equal(holder.session.user, "bob");
  assert.deepEqual(holder.session.downloadAddress, bobThere.download);
  assert.deepEqual(holder.session.tls, bobThere.tls);
  const again = state.openSession({ hostname: "10.0.0.9", port: 1 }, "bob", { version: 1 });
  assert.deepEqual(again, { ok: false, reason: "already logged in" });
});

Deno.test("the observer hears local sessions only: opened, touched and ended", () => {
  const state = new FleetState({ now: () => 0, remoteTimeoutMs: 5_000 });
  const heard: string[] = [];
  state.observe({
    opened: (s: Session) => heard.push(`open ${s.user}`),
    touched: (s: Session) => heard.push(`touch ${s.user}`),
    ended: (s: Session) => heard.push(`end ${s.user}`),
  });
  state.putRemote("t2", bobThere);
  const opened = state.openSession({ hostname: "10.0.0.1", port: 1 }, "alice", { version: 1 });
  assert.ok(opened.ok);
  state.touch(opened.session);
  state.end(opened.session);
  state.end(opened.session);
  state.dropRemote("t2", "bob");
  assert.deepEqual(heard, ["open alice", "touch alice", "end alice"]);
  assert.deepEqual(state.activeUsers("carol"), []);
});

Deno.test("remote sessions live while their tracker is confirmed alive, and expire without it", () => {
  let clock = 0;
  const state = new FleetState({ now: () => clock, remoteTimeoutMs: 6_000 });
  state.putRemote("t2", bobThere);
  clock = 5_000;
  state.confirmRemote(new Set(["t2"]));
  clock = 10_000;
  assert.deepEqual(state.activeUsers("alice"), ["bob"], "confirmed at 5 s: alive at 10 s");
  clock = 11_001;
  assert.deepEqual(state.activeUsers("alice"), [], "unconfirmed for 6 s: gone");
  state.putRemote("t2", bobThere);
  state.confirmRemote(new Set());
  assert.equal(state.remoteCount, 0, "a tracker no longer alive takes its sessions along");
});

Deno.test("publication changes heard from another tracker apply without reaching the store", async () => {
  const store = new MemoryStore();
  const state = new FleetState({ now: () => 0, remoteTimeoutMs: 5_000, journal: store });
  state.publish("alice", "own.txt");
  state.applyPublications([
    ["bob", false, [["b.txt", `7 ${"ab".repeat(32)}`], ["gone.txt", null]]],
  ]);
  assert.deepEqual(state.publishedBy("bob"), ["b.txt"]);
  const stored: string[] = [];
  await store.loadAll((user, name) => stored.push(`${user}/${name}`));
  assert.deepEqual(stored, ["alice/own.txt"]);
  state.applyPublications([["bob", true, []]]);
  assert.deepEqual(state.publishedBy("bob"), []);
  await store.close();
});

Deno.test("a removal heard from another tracker withdraws names with spaces too", () => {
  const state = new FleetState({ now: () => 0, remoteTimeoutMs: 5_000 });
  state.publish("bob", "my song.mp3", { size: 3, sha256: "ab".repeat(32) });
  state.publish("bob", "song.mp3");
  state.applyPublications([["bob", true, []]]);
  assert.deepEqual(state.allPublishedBy("bob"), []);
});

Deno.test("catching up with Redis withdraws what others dropped, but not a local user's or a fed one's", () => {
  const state = new FleetState({ now: () => 0, remoteTimeoutMs: 5_000 });
  const opened = state.openSession({ hostname: "10.0.0.1", port: 4000 }, "alice", { version: 1 });
  assert.ok(opened.ok);
  for (const user of ["alice", "bob", "carol", "dave"]) state.publish(user, "old.txt");
  state.startNotingFed();
  state.applyPublications([["carol", false, [["fed.txt", ""]]]]);
  const fed = state.stopNotingFed();
  assert.deepEqual([...fed], ["carol"]);
  const stored = new Map([["bob", new Map([["new.txt", ""]])]]);
  state.syncPublications(stored, fed);
  assert.deepEqual(
    state.allPublishedBy("alice"),
    ["old.txt"],
    "logged in here: this tracker's own",
  );
  assert.deepEqual(state.allPublishedBy("bob"), ["new.txt"]);
  assert.deepEqual(state.allPublishedBy("carol"), ["fed.txt", "old.txt"], "changed meanwhile");
  assert.deepEqual(state.allPublishedBy("dave"), [], "gone from Redis");
  // After Redis came back empty, nothing is withdrawn: others may not have written theirs back.
  state.publish("dave", "kept.txt");
  state.syncPublications(new Map(), new Set(), false);
  assert.deepEqual(state.allPublishedBy("dave"), ["kept.txt"]);
});
