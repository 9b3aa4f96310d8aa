import assert from "node:assert/strict";
import { Authenticator } from "./authenticator.ts";
import type { Credential } from "./credentials.ts";
import { type Address, type PublicationJournal, TrackerState } from "./state.ts";
import { plaintextLogin } from "./v1_handler.ts";

const credentials = new Map<string, Credential>(
  ["alice", "bob", "carol"].map((user) => [user, { kind: "plain", password: `${user}-pw` }]),
);
const at = (port: number): Address => ({ hostname: "127.0.0.1", port });

function setup() {
  const clock = { now: 0 };
  const state = new TrackerState({ now: () => clock.now });
  const parts = { state, authenticator: new Authenticator({ credentials }) };
  const logIn = (address: Address, user: string, password: string) =>
    plaintextLogin(parts, address, user, password);
  const login = (user: string, port: number) => {
    const result = logIn(at(port), user, `${user}-pw`);
    assert.ok(result.ok, `${user} logs in`);
    result.session.downloadAddress = at(port + 1000);
    return result.session;
  };
  return { clock, state, login, logIn };
}

Deno.test("a second login of a live user is refused, from any address", () => {
  const { login, logIn } = setup();
  login("alice", 1);
  assert.deepEqual(logIn(at(2), "alice", "alice-pw"), {
    ok: false,
    reason: "already logged in",
  });
  assert.deepEqual(logIn(at(1), "alice", "alice-pw"), {
    ok: false,
    reason: "already logged in",
  });
  assert.deepEqual(logIn(at(1), "bob", "bob-pw"), { ok: false, reason: "address busy" });
});

Deno.test("a session stays live while its last sign of life is at most 3 s old", () => {
  const { clock, state, login } = setup();
  const alice = login("alice", 1);
  clock.now = 3000;
  assert.deepEqual(state.expire(), []);
  assert.equal(state.sessionAt(at(1)), alice);
  clock.now = 3001;
  assert.deepEqual(state.expire(), [alice]);
  assert.equal(state.sessionAt(at(1)), undefined);
});

Deno.test("heartbeats keep a session alive past the timeout", () => {
  const { clock, state, login } = setup();
  const alice = login("alice", 1);
  for (clock.now = 2000; clock.now <= 20_000; clock.now += 2000) {
    state.touch(alice);
    assert.deepEqual(state.expire(), []);
  }
  assert.equal(state.sessionAt(at(1)), alice);
});

Deno.test("expiry removes only the silent sessions, oldest first", () => {
  const { clock, state, login } = setup();
  const alice = login("alice", 1);
  clock.now = 1000;
  const bob = login("bob", 2);
  clock.now = 2000;
  const carol = login("carol", 3);
  clock.now = 2500;
  state.touch(alice);
  clock.now = 4500;
  assert.deepEqual(state.expire(), [bob]);
  clock.now = 5600;
  assert.deepEqual(state.expire(), [carol, alice]);
  assert.equal(state.sessionCount, 0);
});

Deno.test("a user can log in again after the session expired", () => {
  const { clock, login, logIn } = setup();
  login("alice", 1);
  clock.now = 3001;
  assert.ok(logIn(at(2), "alice", "alice-pw").ok);
});

Deno.test("a silent session is not live even before a sweep removes it", () => {
  const { clock, state, login } = setup();
  login("alice", 1);
  login("bob", 2);
  state.publish("alice", "a.txt");
  clock.now = 3001;
  assert.equal(state.sessionAt(at(1)), undefined);
  assert.deepEqual(state.search("a", "bob"), []);
  assert.equal(state.locate("a.txt", "bob").kind, "noActiveHolder");
});

Deno.test("lap lists the other live users, never the asker", () => {
  const { clock, state, login } = setup();
  login("carol", 3);
  login("alice", 1);
  login("bob", 2);
  assert.deepEqual(state.activeUsers("alice"), ["bob", "carol"]);
  clock.now = 3001;
  state.expire();
  assert.deepEqual(state.activeUsers("alice"), []);
});

Deno.test("publications belong to the user and survive logout and expiry", () => {
  const { clock, state, login } = setup();
  login("alice", 1);
  assert.ok(state.publish("alice", "b.txt"));
  assert.ok(state.publish("alice", "a.txt"));
  assert.ok(state.publish("alice", "a.txt"));
  assert.deepEqual(state.publishedBy("alice"), ["a.txt", "b.txt"]);
  clock.now = 3001;
  state.expire();
  login("alice", 9);
  assert.deepEqual(state.publishedBy("alice"), ["a.txt", "b.txt"]);
});

Deno.test("unpublish fails for a file the user had not published", () => {
  const { state, login } = setup();
  login("alice", 1);
  login("bob", 2);
  state.publish("bob", "a.txt");
  assert.equal(state.unpublish("alice", "a.txt"), false);
  assert.ok(state.unpublish("bob", "a.txt"));
  assert.equal(state.unpublish("bob", "a.txt"), false);
  assert.equal(state.locate("a.txt", "alice").kind, "notPublished");
});

Deno.test("search finds distinct names of other live users, case-sensitively", () => {
  const { clock, state, login } = setup();
  login("alice", 1);
  login("bob", 2);
  login("carol", 3);
  state.publish("bob", "Summer.jpg");
  state.publish("bob", "summary.txt");
  state.publish("carol", "summary.txt");
  state.publish("alice", "summary.txt");
  state.publish("alice", "mine-only.sum");
  assert.deepEqual(state.search("sum", "alice"), ["summary.txt"]);
  assert.deepEqual(state.search("Sum", "alice"), ["Summer.jpg"]);
  assert.deepEqual(state.search("sum", "bob"), ["mine-only.sum", "summary.txt"]);
  clock.now = 2000;
  state.touch(state.sessionAt(at(1))!);
  state.touch(state.sessionAt(at(3))!);
  clock.now = 4000;
  state.expire();
  assert.deepEqual(state.search("Sum", "alice"), [], "bob's session expired");
});

Deno.test("get finds a live holder other than the asker, or says why not", () => {
  const { clock, state, login } = setup();
  login("alice", 1);
  login("bob", 2);
  assert.equal(state.locate("a.txt", "alice").kind, "notPublished");
  state.publish("alice", "a.txt");
  assert.equal(state.locate("a.txt", "alice").kind, "noActiveHolder");
  const found = state.locate("a.txt", "bob");
  assert.ok(found.kind === "holder" && found.session.user === "alice");
  clock.now = 3001;
  state.expire();
  login("bob", 5);
  assert.equal(state.locate("a.txt", "bob").kind, "noActiveHolder");
});

Deno.test("get skips a holder that has not told where it accepts downloads", () => {
  const { state, login, logIn } = setup();
  login("alice", 1);
  const result = logIn(at(2), "bob", "bob-pw");
  assert.ok(result.ok);
  state.publish("bob", "a.txt");
  assert.equal(state.locate("a.txt", "alice").kind, "noActiveHolder");
});

Deno.test("get spreads downloads over every live holder", () => {
  const { state, login } = setup();
  login("alice", 1);
  login("bob", 2);
  login("carol", 3);
  state.publish("bob", "a.txt");
  state.publish("carol", "a.txt");
  const served = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const found = state.locate("a.txt", "alice");
    assert.ok(found.kind === "holder");
    served.add(found.session.user);
  }
  assert.deepEqual([...served].sort(), ["bob", "carol"]);
});

Deno.test("publishing stops at the per-user cap", () => {
  const state = new TrackerState({ now: () => 0, maxPublicationsPerUser: 2 });
  assert.ok(state.publish("alice", "a"));
  assert.ok(state.publish("alice", "b"));
  assert.ok(state.publish("alice", "b"), "republishing at the cap is still fine");
  assert.equal(state.publish("alice", "c"), false);
});

Deno.test("a session of the same user at the same address is replaced only when asked; elsewhere the wait is told", () => {
  let clock = 0;
  const state = new TrackerState({ now: () => clock });
  const here = { hostname: "10.0.0.1", port: 5000 };
  const first = state.openSession(here, "alice", {
    version: 2,
    token: "a".repeat(32),
    timeoutMs: 15000,
  });
  assert.ok(first.ok);
  clock = 4000;
  assert.deepEqual(
    state.openSession({ hostname: "10.0.0.1", port: 5001 }, "alice", {
      version: 2,
      replaceAtSameAddress: true,
    }),
    { ok: false, reason: "already logged in" },
  );
  assert.equal(state.msUntilExpiry("alice"), 11000);
  const again = state.openSession(here, "alice", {
    version: 2,
    token: "b".repeat(32),
    timeoutMs: 15000,
    replaceAtSameAddress: true,
  });
  assert.ok(again.ok && again.session !== first.session);
  assert.equal(state.sessionWithToken("a".repeat(32)), undefined);
  assert.equal(state.sessionWithToken("b".repeat(32)), again.session);
  assert.equal(state.openSession(here, "alice", { version: 1 }).ok, false);
});

/** A journal that records what the state told it. */
function recordingJournal() {
  const changes: string[] = [];
  const journal: PublicationJournal = {
    publish: (user, file, meta) => changes.push(`pub ${user} ${file} ${meta?.size ?? "-"}`),
    unpublish: (user, file) => changes.push(`unp ${user} ${file}`),
    removeUser: (user) => changes.push(`remove ${user}`),
  };
  return { changes, journal };
}

Deno.test("the journal hears every accepted change, and only news", () => {
  const { changes, journal } = recordingJournal();
  const state = new TrackerState({ now: () => 0, maxPublicationsPerUser: 2, journal });
  const digest = "ab".repeat(32);
  assert.ok(state.publish("alice", "a.txt"));
  assert.ok(state.publish("alice", "a.txt"), "the same again: accepted, not news");
  assert.ok(state.publish("alice", "a.txt", { size: 5, sha256: digest }), "new meta is news");
  assert.ok(state.publish("alice", "a.txt", { size: 5, sha256: digest }));
  assert.ok(state.publish("alice", "b.txt"));
  assert.ok(!state.publish("alice", "c.txt"), "over the cap: refused, not journaled");
  assert.ok(!state.unpublish("alice", "c.txt"));
  assert.ok(state.unpublish("alice", "b.txt"));
  assert.deepEqual(changes, [
    "pub alice a.txt -",
    "pub alice a.txt 5",
    "pub alice b.txt -",
    "unp alice b.txt",
  ]);
});

Deno.test("restored publications are not journaled, respect the cap, and wait for their user", () => {
  const { changes, journal } = recordingJournal();
  const clock = { now: 0 };
  const state = new TrackerState({ now: () => clock.now, maxPublicationsPerUser: 2, journal });
  assert.ok(state.restore("bob", "a.txt", { size: 1, sha256: "cd".repeat(32) }));
  assert.ok(state.restore("bob", "b.txt"));
  assert.ok(!state.restore("bob", "c.txt"), "over the cap");
  assert.ok(!state.restore("bob", "a.txt"), "already there");
  assert.deepEqual(changes, []);
  assert.deepEqual(state.publishedBy("bob"), ["a.txt", "b.txt"]);
  assert.ok(state.isPublished("a.txt"));
  assert.deepEqual(state.search("txt", "alice"), [], "bob is offline");
  const opened = state.openSession(at(1), "bob", { version: 1 });
  assert.ok(opened.ok);
  assert.deepEqual(state.search("txt", "alice"), ["a.txt", "b.txt"]);
});

Deno.test("removing a user ends the session and withdraws every publication", () => {
  const { changes, journal } = recordingJournal();
  const state = new TrackerState({ now: () => 0, journal });
  const opened = state.openSession(at(1), "alice", { version: 1 });
  assert.ok(opened.ok);
  state.publish("alice", "a.txt");
  state.publish("alice", "b.txt");
  const removed = state.removeUser("alice");
  assert.equal(removed.session, opened.session);
  assert.equal(removed.withdrawn, 2);
  assert.equal(state.sessionAt(at(1)), undefined);
  assert.deepEqual(state.publishedBy("alice"), []);
  assert.ok(!state.isPublished("a.txt"));
  assert.deepEqual(state.removeUser("nobody"), { withdrawn: 0 });
  assert.deepEqual(changes.slice(-2), ["remove alice", "remove nobody"]);
});

Deno.test("a session with a shorter timeout, opened after a sweep, still expires on time", () => {
  let now = 0;
  const state = new TrackerState({ now: () => now });
  state.openSession({ hostname: "127.0.0.1", port: 5000 }, "alice", { version: 1 });
  now = 100;
  assert.deepEqual(state.expire(), []);
  now = 200;
  state.openSession({ hostname: "127.0.0.1", port: 5001 }, "bob", { version: 2, timeoutMs: 500 });
  now = 700;
  assert.deepEqual(state.expire(), [], "bob's 500 ms are not over");
  now = 701;
  assert.deepEqual(state.expire().map((session) => session.user), ["bob"]);
  now = 3000;
  assert.deepEqual(state.expire(), [], "alice's 3 s are not over");
  now = 3001;
  assert.deepEqual(state.expire().map((session) => session.user), ["alice"]);
});

Deno.test("a file published over v2 is offered as a v1 holder's while its user's session is v1", () => {
  const { state, login } = setup();
  const meta = { size: 5, sha256: "ab".repeat(32) };
  const v2 = state.openSession(at(7), "bob", { version: 2, token: "t".repeat(32) });
  assert.ok(v2.ok);
  v2.session.downloadAddress = at(1007);
  state.publish("bob", "song.mp3", meta);
  login("alice", 1);
  assert.deepEqual(state.holders("song.mp3", "alice").map((holder) => holder.meta), [meta]);
  assert.deepEqual(state.versions("song.mp3", "alice").map((version) => version.size), [5]);
  state.end(v2.session);
  // bob comes back with a v1 program: it speaks only v1 over TCP too.
  login("bob", 2);
  assert.deepEqual(state.holders("song.mp3", "alice").map((holder) => holder.meta), [undefined]);
  assert.deepEqual(state.versions("song.mp3", "alice").map((version) => version.size), [
    undefined,
  ]);
});
