import assert from "node:assert/strict";
import { encodeV2Request } from "../protocol/mod.ts";
import {
  authMessage,
  clientProof,
  decodeBase64,
  deriveClientKeysSync,
  encodeBase64,
} from "../protocol/scram.ts";
import { DatagramRouter } from "./datagram_router.ts";
import type { Address } from "./state.ts";

const credentials = new Map([["alice", { kind: "plain" as const, password: "alice-pw" }]]);
const text = (bytes: Uint8Array | undefined) => bytes && new TextDecoder().decode(bytes);

/** Alice's `LOGIN` from `from`: the challenge's nonce, salt and rounds, as the router sent them. */
function askChallenge(router: DatagramRouter, from: Address, clientNonce: string): string[] {
  const challenge = text(
    router.handle(
      encodeV2Request({ id: 1, body: { verb: "LOGIN", user: "alice", clientNonce } }),
      from,
    ).reply,
  )?.split(" ");
  assert.equal(challenge?.[2], "CHALLENGE");
  return challenge!.slice(3);
}

/** Alice's `PROOF` (with her right password) for a challenge, as the router answers it. */
function answerChallenge(
  router: DatagramRouter,
  from: Address,
  clientNonce: string,
  [nonce, saltText, iterationsText]: string[],
): string | undefined {
  const salt = decodeBase64(saltText)!;
  const iterations = Number(iterationsText);
  const keys = deriveClientKeysSync("alice-pw", salt, iterations);
  const message = authMessage({ user: "alice", clientNonce, nonce, salt, iterations });
  const proof = encodeBase64(clientProof(keys.clientKey, keys.storedKey, message));
  return text(
    router.handle(encodeV2Request({ id: 2, body: { verb: "PROOF", nonce, proof } }), from).reply,
  );
}

Deno.test("a handshake reply answers only a byte-identical retransmission from the same address, for 5 s", () => {
  let clock = 0;
  const router = new DatagramRouter({ credentials, now: () => clock });
  const from: Address = { hostname: "10.0.0.1", port: 5000 };
  const login = encodeV2Request({
    id: 1,
    body: { verb: "LOGIN", user: "alice", clientNonce: "abcdef" },
  });
  const first = text(router.handle(login, from).reply);
  assert.match(first ?? "", /^PS2 1 CHALLENGE /);
  clock += 4000;
  assert.equal(text(router.handle(login, from).reply), first, "a retransmission within 5 s");
  // The same id with other bytes is a new request, not the remembered reply.
  const other = encodeV2Request({
    id: 1,
    body: { verb: "LOGIN", user: "alice", clientNonce: "abcdeg" },
  });
  const second = text(router.handle(other, from).reply);
  assert.match(second ?? "", /^PS2 1 CHALLENGE abcdeg/);
  // The same bytes from another port of the same host are a new request too.
  const third = text(router.handle(login, { hostname: "10.0.0.1", port: 5001 }).reply);
  assert.notEqual(third, first);
  clock += 1001;
  const late = text(router.handle(login, from).reply);
  assert.match(late ?? "", /^PS2 1 CHALLENGE abcdef/);
  assert.notEqual(late, first, "after 5 s the request is handled anew");
});

Deno.test("a login whose user is removed from the credentials between challenge and proof is refused", () => {
  const from: Address = { hostname: "10.0.0.2", port: 6000 };
  for (const removed of [false, true]) {
    const router = new DatagramRouter({ credentials, now: () => 0 });
    const clientNonce = "nonce" + (removed ? "b" : "a");
    const challenge = askChallenge(router, from, clientNonce);
    if (removed) router.replaceCredentials(new Map());
    const reply = answerChallenge(router, from, clientNonce, challenge);
    assert.match(reply ?? "", removed ? /^PS2 2 ERR auth/ : /^PS2 2 WELCOME /);
  }
});

Deno.test("a login storm from a few hosts does not forget another host's pending challenge", () => {
  const router = new DatagramRouter({ credentials, now: () => 0 });
  const from: Address = { hostname: "10.0.0.9", port: 6000 };
  const clientNonce = "legitimate";
  const challenge = askChallenge(router, from, clientNonce);
  // While alice computes her proof, three hosts send LOGINs as fast as their flood limit lets
  // them (a burst of 4,000 each): three times the table, were it shared first come first served.
  for (let i = 0; i < 12_000; i++) {
    const host = { hostname: `10.0.1.${1 + (i % 3)}`, port: 1000 + (i % 50) };
    const storm = encodeV2Request({
      id: i + 1,
      body: { verb: "LOGIN", user: "alice", clientNonce: `storm${i}` },
    });
    router.handle(storm, host);
  }
  const reply = answerChallenge(router, from, clientNonce, challenge);
  assert.match(reply ?? "", /^PS2 2 WELCOME /);
});
