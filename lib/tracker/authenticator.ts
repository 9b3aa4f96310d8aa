/**
 * Who may log in: the users of the credentials file and the checks a login's credentials pass —
 * a v1 password compared, or the salt, round count and verifier a v2 challenge is built from. It
 * opens no session (that is `state.ts`) and counts no failures (that is `guard.ts`). Pure apart
 * from PBKDF2: {@linkcode Authenticator.verifyPassword} runs it off the thread, a bounded number
 * at a time.
 *
 * @module
 */

import { DEFAULT_SCRAM_ITERATIONS } from "../protocol/mod.ts";
import { constantTimeEqual, type ScramVerifier, secretSalt } from "../protocol/scram.ts";
import {
  checkPasswordAgainstVerifier,
  checkPlaintextPassword,
  type Credential,
  verifierFor,
} from "./credentials.ts";
import { MAX_VERIFICATIONS_IN_FLIGHT } from "./defaults.ts";

/** Why a user's credentials were refused. */
export type CredentialRefusal = "unknown user" | "wrong password";

/**
 * A password check: decided at once (plaintext users, unknown users), pending while PBKDF2 runs
 * off the thread (verifier users), or refused because too many checks are already running.
 */
export type PasswordCheck =
  | { readonly kind: "done"; readonly refusal?: CredentialRefusal }
  | { readonly kind: "pending"; readonly result: Promise<CredentialRefusal | undefined> }
  | { readonly kind: "busy" };

/** What a v2 `CHALLENGE` for one user is built from. */
export interface ChallengeParameters {
  readonly salt: Uint8Array;
  readonly iterations: number;
  /** Absent for an unknown user, whose challenge only looks real. */
  readonly verifier?: ScramVerifier;
}

/** What an {@linkcode Authenticator} needs. */
export interface AuthenticatorOptions {
  readonly credentials: ReadonlyMap<string, Credential>;
  /**
   * Secret for derived salts (plaintext and unknown users); random by default, so a restart
   * changes plaintext users' salts.
   */
  readonly secret?: Uint8Array;
  /** PBKDF2 rounds for plaintext and unknown users (default {@linkcode DEFAULT_SCRAM_ITERATIONS}). */
  readonly iterations?: number;
  /** Verifier checks running at once at most (default {@linkcode MAX_VERIFICATIONS_IN_FLIGHT}). */
  readonly maxVerificationsInFlight?: number;
}

/**
 * Checks credentials against the credentials file.
 *
 * @example
 * ```ts
 * import { Authenticator } from "./authenticator.ts";
 * const authenticator = new Authenticator({
 *   credentials: new Map([["alice", { kind: "plain", password: "pw" }]]),
 * });
 * console.assert(authenticator.checkPassword("alice", "pw") === undefined);
 * console.assert(authenticator.checkPassword("alice", "nope") === "wrong password");
 * console.assert(authenticator.challengeFor("mallory").verifier === undefined);
 * ```
 */
export class Authenticator {
  #credentials: ReadonlyMap<string, Credential>;
  readonly #secret: Uint8Array;
  readonly #iterations: number;
  // Derived once per plaintext user (bounded by the credentials file), then reused.
  readonly #plainVerifiers = new Map<string, ScramVerifier>();
  readonly #maxInFlight: number;
  #inFlight = 0;

  constructor(options: AuthenticatorOptions) {
    this.#credentials = options.credentials;
    this.#secret = options.secret ?? crypto.getRandomValues(new Uint8Array(32));
    this.#iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
    this.#maxInFlight = options.maxVerificationsInFlight ?? MAX_VERIFICATIONS_IN_FLIGHT;
  }

  /**
   * Checks a password offered in clear (v1 `auth`) without blocking: a verifier user's PBKDF2
   * (up to a million rounds, half a second on this thread) runs off it, at most
   * `maxVerificationsInFlight` at once; past that the check is `busy`.
   */
  verifyPassword(user: string, password: string): PasswordCheck {
    const credential = this.#credentials.get(user);
    if (credential === undefined) return { kind: "done", refusal: "unknown user" };
    if (credential.kind === "plain") {
      return checkPlaintextPassword(credential, password)
        ? { kind: "done" }
        : { kind: "done", refusal: "wrong password" };
    }
    if (this.#inFlight >= this.#maxInFlight) return { kind: "busy" };
    this.#inFlight++;
    const result = checkPasswordAgainstVerifier(credential.verifier, password)
      .then((ok): CredentialRefusal | undefined => ok ? undefined : "wrong password")
      .catch((): CredentialRefusal => "wrong password")
      .finally(() => this.#inFlight--);
    return { kind: "pending", result };
  }

  /**
   * Swaps in a reloaded credentials file; later logins see only its users and passwords.
   * Returns the users no longer in it, whose sessions and publications the caller ends.
   */
  replaceCredentials(credentials: ReadonlyMap<string, Credential>): string[] {
    const removed = [...this.#credentials.keys()].filter((user) => !credentials.has(user));
    this.#credentials = credentials;
    // A plaintext password may have changed: derive its verifier again when next needed.
    this.#plainVerifiers.clear();
    return removed;
  }

  /** Checks a password offered in clear (v1 `auth`); `undefined` when it is the user's. */
  checkPassword(user: string, password: string): CredentialRefusal | undefined {
    const credential = this.#credentials.get(user);
    if (credential === undefined) return "unknown user";
    return checkPlaintextPassword(credential, password) ? undefined : "wrong password";
  }

  /**
   * The salt, rounds and verifier of `user`'s v2 challenge. An unknown user gets a salt derived
   * from the secret and the default rounds, like a plaintext user, so user names cannot be probed.
   */
  challengeFor(user: string): ChallengeParameters {
    const verifier = this.#verifierOf(user);
    if (verifier !== undefined) {
      return { salt: verifier.salt, iterations: verifier.iterations, verifier };
    }
    return { salt: secretSalt(this.#secret, user), iterations: this.#iterations };
  }

  /**
   * Whether `verifier`, taken for a challenge moments ago, is still `user`'s: a reload in between
   * may have removed the user or changed the password, and the proof must not outlive that.
   */
  stillAccepts(user: string, verifier: ScramVerifier): boolean {
    const current = this.#verifierOf(user);
    return current !== undefined && constantTimeEqual(current.storedKey, verifier.storedKey) &&
      constantTimeEqual(current.serverKey, verifier.serverKey);
  }

  #verifierOf(user: string): ScramVerifier | undefined {
    const credential = this.#credentials.get(user);
    if (credential === undefined) return undefined;
    if (credential.kind === "scram") return credential.verifier;
    let verifier = this.#plainVerifiers.get(user);
    if (verifier === undefined) {
      verifier = verifierFor({
        user,
        credential,
        secret: this.#secret,
        iterations: this.#iterations,
      });
      this.#plainVerifiers.set(user, verifier);
    }
    return verifier;
  }
}
