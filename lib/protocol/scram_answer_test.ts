import assert from "node:assert/strict";
import { answerChallenge } from "./scram_answer.ts";
import {
  authMessage,
  decodeBase64,
  deriveClientKeys,
  deriveVerifier,
  verifyClientProof,
} from "./scram.ts";

Deno.test("answerChallenge gives the auth message of the login and a proof the tracker's verifier accepts", async () => {
  const salt = new Uint8Array(16).fill(7);
  const keys = await deriveClientKeys("pencil", salt, 4096);
  const challenge = { nonce: "abcXYZ", iterations: 4096 };
  const answer = answerChallenge({ keys, user: "ann", clientNonce: "abc", salt, challenge });
  const expected = authMessage({
    user: "ann",
    clientNonce: "abc",
    nonce: "abcXYZ",
    salt,
    iterations: 4096,
  });
  assert.equal(answer.message, expected);
  const verifier = await deriveVerifier("pencil", salt, 4096);
  assert.ok(verifyClientProof(verifier, answer.message, decodeBase64(answer.proof)!));
  const other = await deriveVerifier("pen", salt, 4096);
  assert.ok(!verifyClientProof(other, answer.message, decodeBase64(answer.proof)!));
});
