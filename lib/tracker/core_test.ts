import assert from "node:assert/strict";
import { encodeV2Request, type V2RequestBody } from "../protocol/mod.ts";
import { TrackerCore } from "./core.ts";
import type { Credential } from "./credentials.ts";
import type { Address } from "./state.ts";

const credentials = new Map<string, Credential>(
  ["alice", "bob"].map((user) => [user, { kind: "plain", password: `${user}-pw` }]),
);

function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const token = "0123456789abcdef0123456789abcdef";
const seeds: V2RequestBody[] = [
  { verb: "LOGIN", user: "alice", clientNonce: "abcdefabcdefabcdefabcdef" },
  {
    verb: "PROOF",
    nonce: "abcdefabcdefabcdefabcdefxyz",
    proof: "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  },
  { verb: "PUB", file: "a.bin", size: 9, sha256: "c".repeat(64) },
  { verb: "GET", file: "a.bin", offset: 0 },
  { verb: "SCH", text: "a", offset: 0 },
  { verb: "HBT" },
];
const v1Seeds = [
  "auth alice alice-pw",
  "auth bob x",
  "lap",
  "pub a.bin",
  "get a.bin",
  "sch a",
  "HBT",
  "TCP 127.0.0.1 9",
];

Deno.test("thousands of random and mutated datagrams never throw, never amplify, keep tables bounded", () => {
  let clock = 0;
  const random = generator(20261124);
  const core = new TrackerCore({
    credentials,
    now: () => clock,
    rate: { perSecond: 1e9, burst: 1e9 },
  });
  const encoder = new TextEncoder();
  let worstStrangerRatio = 0;
  for (let i = 0; i < 20_000; i++) {
    clock += random() * 50;
    const from: Address = {
      hostname: `10.0.${Math.floor(random() * 4)}.${Math.floor(random() * 250)}`,
      port: 1000 + Math.floor(random() * 30),
    };
    let datagram: Uint8Array;
    const kind = random();
    if (kind < 0.3) {
      datagram = new Uint8Array(Math.floor(random() * 80));
      for (let j = 0; j < datagram.length; j++) datagram[j] = Math.floor(random() * 256);
    } else if (kind < 0.65) {
      const body = seeds[Math.floor(random() * seeds.length)];
      const withToken = body.verb === "LOGIN" || body.verb === "PROOF" ? {} : { token };
      datagram = encodeV2Request({ id: 1 + Math.floor(random() * 100), body, ...withToken });
    } else {
      datagram = encoder.encode(v1Seeds[Math.floor(random() * v1Seeds.length)]);
    }
    // Mutate: truncate, flip bytes.
    if (random() < 0.5) datagram = datagram.slice(0, Math.floor(random() * (datagram.length + 1)));
    for (let flips = Math.floor(random() * 3); flips > 0 && datagram.length > 0; flips--) {
      datagram[Math.floor(random() * datagram.length)] = Math.floor(random() * 256);
    }
    const hadSession = core.state.sessionAt(from) !== undefined;
    const outcome = core.handle(datagram, from);
    if (!hadSession && outcome.reply) {
      const ratio = outcome.reply.length / Math.max(1, datagram.length);
      worstStrangerRatio = Math.max(worstStrangerRatio, ratio);
      assert.ok(
        outcome.reply.length <= datagram.length,
        `stranger got ${outcome.reply.length} bytes for ${datagram.length}`,
      );
    }
    if (outcome.reply) assert.ok(outcome.reply.length <= 1200);
  }
  assert.ok(worstStrangerRatio <= 1, `worst ratio ${worstStrangerRatio}`);
  assert.ok(core.state.sessionCount <= credentials.size);
});

Deno.test("a flood from one address is cut at its rate while others keep working", () => {
  let clock = 0;
  const core = new TrackerCore({
    credentials,
    now: () => clock,
    rate: { perSecond: 100, burst: 200 },
  });
  const flooder: Address = { hostname: "10.1.1.1", port: 5000 };
  const alice: Address = { hostname: "10.2.2.2", port: 6000 };
  const lap = new TextEncoder().encode("lap");
  assert.equal(
    new TextDecoder().decode(
      core.handle(new TextEncoder().encode("auth alice alice-pw"), alice).reply,
    ),
    "OK",
  );
  let answered = 0;
  let limitEvents = 0;
  for (let i = 0; i < 10_000; i++) {
    clock += 0.1; // 10 000 datagrams per second for one second
    const outcome = core.handle(lap, flooder);
    if (outcome.reply) answered++;
    if (outcome.capHit) limitEvents++;
  }
  assert.ok(answered <= 200 + 100 + 1, `${answered} answered`);
  assert.ok(limitEvents > 9000);
  assert.equal(new TextDecoder().decode(core.handle(lap, alice).reply), "No active peers");
});

Deno.test("v1 auth failures lock the user out after three, for every source", () => {
  let clock = 0;
  const core = new TrackerCore({ credentials, now: () => clock });
  const encoder = new TextEncoder();
  const ask = (text: string, port: number) =>
    new TextDecoder().decode(
      core.handle(encoder.encode(text), { hostname: "10.0.0.1", port }).reply,
    );
  for (let i = 0; i < 4; i++) assert.equal(ask("auth bob wrong", 1000 + i), "ERR");
  assert.equal(ask("auth bob bob-pw", 2000), "ERR", "locked");
  clock += 60_000;
  assert.equal(ask("auth bob bob-pw", 2001), "OK");
});

Deno.test("a v1 request from a v2 session's address is refused", () => {
  // A v2 session is found by address but trusted only with its token.
  let clock = 0;
  const core = new TrackerCore({ credentials, now: () => clock });
  const from: Address = { hostname: "10.0.0.9", port: 7000 };
  core.state.openSession(from, "alice", { version: 2, token, timeoutMs: 15000 });
  clock += 1;
  assert.equal(
    new TextDecoder().decode(core.handle(new TextEncoder().encode("lap"), from).reply),
    "ERR",
  );
  assert.equal(core.handle(new TextEncoder().encode("HBT"), from).reply, undefined);
});
