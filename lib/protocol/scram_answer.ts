/**
 * The peer's side of a SCRAM login after `CHALLENGE`: the auth message and the proof it sends in
 * `PROOF`, built one way by every client (the peer, the test client, the sealed-datagram bench).
 *
 * @module
 */

import { authMessage, clientProof, encodeBase64, type ScramClientKeys } from "./scram.ts";

/** What {@linkcode answerChallenge} needs: the login's values and the tracker's challenge. */
export interface ChallengeAnswerParts {
  readonly keys: ScramClientKeys;
  readonly user: string;
  /** The nonce the peer sent in `LOGIN`. */
  readonly clientNonce: string;
  /** The challenge's salt, decoded. */
  readonly salt: Uint8Array;
  readonly challenge: { readonly nonce: string; readonly iterations: number };
}

/**
 * The auth message (kept to check the tracker's signature and derive the session keys) and the
 * base64 proof for `PROOF`.
 *
 * @example
 * ```ts
 * import { answerChallenge } from "./scram_answer.ts";
 * import { decodeBase64, deriveClientKeys, deriveVerifier, verifyClientProof } from "./scram.ts";
 * const salt = new Uint8Array(16);
 * const keys = await deriveClientKeys("pencil", salt, 4096);
 * const challenge = { nonce: "abcXYZ", iterations: 4096 };
 * const { message, proof } = answerChallenge({ keys, user: "ann", clientNonce: "abc", salt, challenge });
 * const verifier = await deriveVerifier("pencil", salt, 4096);
 * console.assert(verifyClientProof(verifier, message, decodeBase64(proof)!));
 * ```
 */
export function answerChallenge(parts: ChallengeAnswerParts): { message: string; proof: string } {
  const { keys, user, clientNonce, salt, challenge } = parts;
  const message = authMessage({
    user,
    clientNonce,
    nonce: challenge.nonce,
    salt,
    iterations: challenge.iterations,
  });
  return { message, proof: encodeBase64(clientProof(keys.clientKey, keys.storedKey, message)) };
}
