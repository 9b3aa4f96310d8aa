import assert from "node:assert/strict";
import { encodeV2Request } from "../protocol/mod.ts";
import { DatagramRouter } from "./datagram_router.ts";
import { v2InClear } from "./test_v2_in_clear.ts";
import type { Credential } from "./credentials.ts";
import type { Address } from "./state.ts";

const credentials = new Map<string, Credential>(
  ["alice", "bob"].map((user) => [user, { kind: "plain", password: `${user}-pw` }]),
);

Deno.test("a flood from one address is cut at its rate while others keep working", () => {
  let clock = 0;
  const router = new DatagramRouter({
    credentials,
    now: () => clock,
    rate: { perSecond: 100, burst: 200 },
  });
  const flooder: Address = { hostname: "10.1.1.1", port: 5000 };
  const alice: Address = { hostname: "10.2.2.2", port: 6000 };
  const lap = new TextEncoder().encode("lap");
  assert.equal(
    new TextDecoder().decode(
      router.handle(new TextEncoder().encode("auth alice alice-pw"), alice).reply,
    ),
    "OK",
  );
  let answered = 0;
  let limitEvents = 0;
  for (let i = 0; i < 10_000; i++) {
    clock += 0.1; // 10 000 datagrams per second for one second
    const outcome = router.handle(lap, flooder);
    if (outcome.reply) answered++;
    if (outcome.capHit) limitEvents++;
  }
  assert.ok(answered <= 200 + 100 + 1, `${answered} answered`);
  assert.ok(limitEvents > 9000);
  assert.equal(new TextDecoder().decode(router.handle(lap, alice).reply), "No active peers");
});

Deno.test("a logged-in session floods against its own bucket, at the same rate as a stranger", () => {
  let clock = 0;
  const router = new DatagramRouter({
    credentials,
    now: () => clock,
    rate: { perSecond: 100, burst: 200 },
    hostRate: { perSecond: 1e9, burst: 1e9 },
  });
  const alice: Address = { hostname: "10.2.2.2", port: 6000 };
  const bob: Address = { hostname: "10.3.3.3", port: 7000 };
  const encoder = new TextEncoder();
  const said = (address: Address, text: string) =>
    new TextDecoder().decode(router.handle(encoder.encode(text), address).reply);
  assert.equal(said(alice, "auth alice alice-pw"), "OK");
  assert.equal(said(bob, "auth bob bob-pw"), "OK");
  let answered = 0;
  let dropped = 0;
  for (let i = 0; i < 10_000; i++) {
    clock += 0.1; // 10 000 datagrams per second for one second
    const outcome = router.handle(encoder.encode("lap"), alice);
    if (outcome.reply) answered++;
    if (outcome.capHit === "flood from 10.2.2.2:6000 dropped") dropped++;
  }
  // The session's bucket starts full at its first datagram: a burst, then the rate.
  assert.ok(answered >= 200 + 100 - 1 && answered <= 200 + 100 + 1, `${answered} answered`);
  assert.equal(dropped, 10_000 - answered);
  assert.equal(said(bob, "lap"), "alice");
  assert.equal(router.traffic.drops.sourceRate, dropped);
});

Deno.test("a session's datagrams count against its host's limit together with strangers' from that host", () => {
  let clock = 0;
  const router = new DatagramRouter({
    credentials,
    now: () => clock,
    hostRate: { perSecond: 10, burst: 20 },
  });
  const alice: Address = { hostname: "10.2.2.2", port: 6000 };
  const stranger: Address = { hostname: "10.2.2.2", port: 6001 };
  const encoder = new TextEncoder();
  const said = (address: Address, text: string) =>
    new TextDecoder().decode(router.handle(encoder.encode(text), address).reply);
  assert.equal(said(alice, "auth alice alice-pw"), "OK");
  assert.equal(said(alice, "lap"), "No active peers");
  for (let i = 0; i < 18; i++) assert.equal(said(stranger, "lap"), "ERR");
  // The host's 20 tokens are spent: alice's next datagram is a flood from her host.
  assert.equal(
    router.handle(encoder.encode("lap"), alice).capHit,
    "flood from host 10.2.2.2 dropped",
  );
  clock = 500; // five tokens more
  for (let i = 0; i < 5; i++) assert.equal(said(alice, "lap"), "No active peers");
  assert.equal(
    router.handle(encoder.encode("lap"), stranger).capHit,
    "flood from host 10.2.2.2 dropped",
  );
  assert.equal(router.traffic.drops.hostRate, 2);
});

Deno.test("v1 auth failures lock the user out after three, for every source", () => {
  let clock = 0;
  const router = new DatagramRouter({ credentials, now: () => clock });
  const encoder = new TextEncoder();
  const ask = (text: string, port: number) =>
    new TextDecoder().decode(
      router.handle(encoder.encode(text), { hostname: "10.0.0.1", port }).reply,
    );
  for (let i = 0; i < 4; i++) assert.equal(ask("auth bob wrong", 1000 + i), "ERR");
  assert.equal(ask("auth bob bob-pw", 2000), "ERR", "locked");
  clock += 60_000;
  assert.equal(ask("auth bob bob-pw", 2001), "OK");
});

Deno.test("a v1 request from a v2 session's address is refused", () => {
  // A v2 session is found by address but trusted only with its token.
  let clock = 0;
  const router = new DatagramRouter({ credentials, now: () => clock });
  const from: Address = { hostname: "10.0.0.9", port: 7000 };
  router.state.openSession(from, "alice", { version: 2, token: "ab".repeat(16), timeoutMs: 15000 });
  clock += 1;
  assert.equal(
    new TextDecoder().decode(router.handle(new TextEncoder().encode("lap"), from).reply),
    "ERR",
  );
  assert.equal(router.handle(new TextEncoder().encode("HBT"), from).reply, undefined);
});

Deno.test("hitting the publication cap is reported as a limit event", () => {
  let clock = 0;
  const router = new DatagramRouter({
    credentials,
    now: () => clock,
    rate: { perSecond: 1e9, burst: 1e9 },
  });
  const encoder = new TextEncoder();
  const from: Address = { hostname: "10.0.0.3", port: 4000 };
  router.handle(encoder.encode("auth alice alice-pw"), from);
  let capHit: string | undefined;
  for (let i = 0; i <= 10_000 && capHit === undefined; i++) {
    clock += 1; // within the per-host rate
    capHit = router.handle(encoder.encode(`pub f${i}`), from).capHit;
  }
  assert.equal(capHit, "a user reached the publication limit");
});

Deno.test("a v2 PUB refused at the publication cap is a limit event, and so is its retransmission", () => {
  // The cap's accounting is the subject, not sealing: requests go in clear.
  const from: Address = { hostname: "10.0.0.4", port: 4000 };
  const { tick, send } = v2InClear(credentials, "alice", from, "cd".repeat(16));
  const pub = (id: number) =>
    send(id, { verb: "PUB", file: `f${id}`, size: 1, sha256: "a".repeat(64) });
  let id = 0;
  let outcome;
  do {
    tick(1); // within the per-host rate
    outcome = pub(++id);
  } while (outcome.capHit === undefined && id <= 10_001);
  assert.equal(outcome.summary, "ERR limit");
  assert.equal(outcome.capHit, "a user reached the publication limit");
  tick(1);
  const again = pub(id);
  assert.equal(again.note, "retransmission");
  assert.equal(again.capHit, "a user reached the publication limit");
});

Deno.test("v1 auth failures, which anyone can send from a victim's address, never lock v2 logins there", () => {
  const router = new DatagramRouter({ credentials, now: () => 0 });
  const encoder = new TextEncoder();
  const ask = (datagram: Uint8Array | string, hostname: string, port = 4000) =>
    new TextDecoder().decode(
      router.handle(
        typeof datagram === "string" ? encoder.encode(datagram) : datagram,
        { hostname, port },
      ).reply,
    );
  const login = (id: number, clientNonce: string) =>
    encodeV2Request({ id, body: { verb: "LOGIN", user: "alice", clientNonce } });
  for (let i = 0; i < 4; i++) assert.equal(ask("auth alice x", "10.0.0.5"), "ERR");
  for (let i = 0; i < 20; i++) assert.equal(ask(`auth user${i} x`, "10.0.0.5"), "ERR");
  assert.equal(ask("auth bob bob-pw", "10.0.0.5"), "ERR", "v1 is slowed on that host");
  assert.match(ask(login(1, "abcdef"), "10.0.0.5"), /^PS2 1 CHALLENGE /, "v2 is not");
  // Failures a v2 login proved the address of lock v1 out there too.
  for (let id = 1; id <= 4; id++) {
    const nonce = ask(login(id, `n${id}`), "10.0.0.6").split(" ")[3];
    const proof = encodeV2Request({
      id: 100 + id,
      body: { verb: "PROOF", nonce, proof: "A".repeat(43) + "=" },
    });
    assert.match(ask(proof, "10.0.0.6"), / ERR (auth|locked)/);
  }
  assert.equal(ask("auth alice alice-pw", "10.0.0.6"), "ERR");
  assert.equal(ask("auth alice alice-pw", "10.0.0.7"), "OK");
});
