import assert from "node:assert/strict";
import { secretSalt } from "../protocol/scram.ts";
import { Authenticator } from "./authenticator.ts";

Deno.test("an unknown user's challenge looks like a plaintext user's: derived salt, same rounds", () => {
  const secret = new Uint8Array(32).fill(7);
  const authenticator = new Authenticator({
    credentials: new Map([["alice", { kind: "plain", password: "pw" }]]),
    secret,
    iterations: 5000,
  });
  const alice = authenticator.challengeFor("alice");
  const mallory = authenticator.challengeFor("mallory");
  assert.deepEqual(alice.salt, secretSalt(secret, "alice"));
  assert.deepEqual(mallory.salt, secretSalt(secret, "mallory"));
  assert.equal(alice.iterations, 5000);
  assert.equal(mallory.iterations, 5000);
  assert.ok(alice.verifier !== undefined);
  assert.equal(mallory.verifier, undefined);
  assert.equal(authenticator.challengeFor("alice").verifier, alice.verifier, "derived once");
});

Deno.test("a v1 password is accepted, wrong, or for an unknown user", () => {
  const authenticator = new Authenticator({
    credentials: new Map([["alice", { kind: "plain", password: "pw" }]]),
  });
  assert.equal(authenticator.checkPassword("alice", "pw"), undefined);
  assert.equal(authenticator.checkPassword("alice", "pw2"), "wrong password");
  assert.equal(authenticator.checkPassword("bob", "pw"), "unknown user");
});
