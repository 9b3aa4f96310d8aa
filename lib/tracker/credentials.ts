/**
 * The tracker's credentials file: one `user secret` pair per line, where the secret is either a
 * plaintext password or a SCRAM-SHA-256 verifier in PostgreSQL's format
 * (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, as `deno task passwd` prints).
 * Blank lines and lines starting with `#` are skipped so operators can annotate the file.
 *
 * @module
 */

import { createHash } from "node:crypto";
import {
  decodeUtf8,
  DEFAULT_SCRAM_ITERATIONS,
  isValidField,
  MAX_PASSWORD_BYTES,
  MAX_SCRAM_ITERATIONS,
  MAX_USER_NAME_BYTES,
  MIN_SCRAM_ITERATIONS,
} from "../protocol/mod.ts";
import {
  constantTimeEqual,
  deriveClientKeys,
  deriveClientKeysSync,
  parseVerifier,
  SCRAM_VERIFIER_PREFIX,
  type ScramVerifier,
  secretSalt,
} from "../protocol/scram.ts";
import { fileErrorText, withoutBom } from "../util/mod.ts";

/** A user whose password the tracker knows in clear. */
export interface PlainCredential {
  readonly kind: "plain";
  readonly password: string;
}

/** A user the tracker knows only by a SCRAM-SHA-256 verifier. */
export interface ScramCredential {
  readonly kind: "scram";
  readonly verifier: ScramVerifier;
  /** Never present: declared so `credential.password` reads as `undefined` on any credential. */
  readonly password?: never;
}

/** What the tracker knows about one user. */
export type Credential = PlainCredential | ScramCredential;

/** A credentials file that cannot be used, with the place of the problem. */
export class CredentialsError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`);
    this.name = "CredentialsError";
  }
}

const INVALID_VERIFIER = "invalid SCRAM-SHA-256 verifier: expected " +
  "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> in base64 with iterations " +
  `${MIN_SCRAM_ITERATIONS}–${MAX_SCRAM_ITERATIONS}`;

/**
 * Parses the text of a credentials file. Throws {@linkcode CredentialsError} naming the line of
 * the first problem, so a typo never silently locks a user out.
 *
 * @example
 * ```ts
 * import { parseCredentials } from "./credentials.ts";
 * const users = parseCredentials("alice secret\n# comment\nbob hunter2\n", "credentials.txt");
 * const bob = users.get("bob");
 * console.assert(bob?.kind === "plain" && bob.password === "hunter2");
 * ```
 */
export function parseCredentials(text: string, file: string): Map<string, Credential> {
  const users = new Map<string, Credential>();
  // A byte-order mark (editors on Windows write one) is not part of the first user's name.
  const lines = withoutBom(text).split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].replace(/\r$/, "");
    if (line.trim() === "" || line.startsWith("#")) continue;
    const fields = line.split(" ");
    const lineNumber = index + 1;
    if (fields.length !== 2) {
      throw new CredentialsError(
        file,
        lineNumber,
        "expected `user password` separated by one space",
      );
    }
    const [user, secret] = fields;
    if (!isValidField(user, MAX_USER_NAME_BYTES)) {
      throw new CredentialsError(file, lineNumber, "invalid user name");
    }
    if (user.includes(",")) {
      throw new CredentialsError(
        file,
        lineNumber,
        "invalid user name: a comma would split it in v2 holder lists",
      );
    }
    let credential: Credential;
    if (secret.startsWith(SCRAM_VERIFIER_PREFIX)) {
      const verifier = parseVerifier(secret);
      if (verifier === undefined) {
        throw new CredentialsError(file, lineNumber, INVALID_VERIFIER);
      }
      credential = { kind: "scram", verifier };
    } else {
      if (!isValidField(secret, MAX_PASSWORD_BYTES)) {
        throw new CredentialsError(file, lineNumber, "invalid password");
      }
      credential = { kind: "plain", password: secret };
    }
    if (users.has(user)) throw new CredentialsError(file, lineNumber, `duplicate user ${user}`);
    users.set(user, credential);
  }
  return users;
}

/** Reads and parses a credentials file, turning I/O failures into {@linkcode CredentialsError}. */
export async function loadCredentials(file: string): Promise<Map<string, Credential>> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (error) {
    throw new CredentialsError(
      file,
      undefined,
      `cannot read credentials: ${fileErrorText(error)}`,
    );
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) throw new CredentialsError(file, undefined, "not valid UTF-8");
  const users = parseCredentials(text, file);
  // Taken as it stands, a file with nobody in it (emptied by mistake, caught half-written, the
  // wrong file) would withdraw every user's publications from the database.
  if (users.size === 0) {
    throw new CredentialsError(file, undefined, "no users in it (only blank lines and comments)");
  }
  return users;
}

/**
 * Whether `password`, offered in clear (v1 `auth`), is this user's. Synchronous: a verifier is
 * checked by running PBKDF2 with its salt and iterations on the calling thread (about 2 ms at
 * 4096 rounds) and comparing StoredKey; a plaintext password by a constant-time comparison.
 *
 * @example
 * ```ts
 * import { checkPlaintextPassword } from "./credentials.ts";
 * console.assert(checkPlaintextPassword({ kind: "plain", password: "pw" }, "pw"));
 * console.assert(!checkPlaintextPassword({ kind: "plain", password: "pw" }, "pw2"));
 * ```
 */
export function checkPlaintextPassword(credential: Credential, password: string): boolean {
  if (credential.kind === "plain") {
    // Hashing first makes the comparison take the same time whatever the lengths.
    return constantTimeEqual(digest(credential.password), digest(password));
  }
  const { salt, iterations, storedKey } = credential.verifier;
  return constantTimeEqual(deriveClientKeysSync(password, salt, iterations).storedKey, storedKey);
}

/**
 * Like {@linkcode checkPlaintextPassword} for a verifier, but PBKDF2 runs off the calling thread
 * (WebCrypto), so a verifier of a million rounds does not stall the tracker's loop.
 *
 * @example
 * ```ts
 * import { checkPasswordAgainstVerifier } from "./credentials.ts";
 * import { deriveVerifier } from "../protocol/scram.ts";
 * const verifier = await deriveVerifier("pw", new Uint8Array(16), 4096);
 * console.assert(await checkPasswordAgainstVerifier(verifier, "pw"));
 * ```
 */
export async function checkPasswordAgainstVerifier(
  verifier: ScramVerifier,
  password: string,
): Promise<boolean> {
  const { storedKey } = await deriveClientKeys(password, verifier.salt, verifier.iterations);
  return constantTimeEqual(storedKey, verifier.storedKey);
}

function digest(text: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(text, "utf8").digest());
}

/** What {@linkcode verifierFor} needs. */
export interface VerifierForOptions {
  readonly user: string;
  readonly credential: Credential;
  /**
   * The tracker's secret: a plaintext user's salt is derived from it and the user name
   * ({@linkcode secretSalt}), the same derivation a tracker uses to answer an unknown user.
   */
  readonly secret: Uint8Array;
  /** PBKDF2 rounds for a plaintext user (default {@linkcode DEFAULT_SCRAM_ITERATIONS}). */
  readonly iterations?: number;
}

/**
 * The SCRAM verifier a v2 login is checked against: the stored one for a verifier line, or one
 * derived from the password for a plaintext line, so plaintext users can log in with v2 too.
 * Synchronous, as the tracker's datagram loop is: deriving runs PBKDF2 on the calling thread
 * (about 2 ms at 4096 rounds), so caching the result per user is the caller's job. The same
 * user, secret and password always give the same verifier.
 *
 * @example
 * ```ts
 * import { verifierFor } from "./credentials.ts";
 * const verifier = verifierFor({
 *   user: "alice",
 *   credential: { kind: "plain", password: "pw" },
 *   secret: new Uint8Array(32),
 * });
 * console.assert(verifier.iterations === 4096 && verifier.salt.length === 16);
 * ```
 */
export function verifierFor(options: VerifierForOptions): ScramVerifier {
  const { user, credential, secret, iterations = DEFAULT_SCRAM_ITERATIONS } = options;
  if (credential.kind === "scram") return credential.verifier;
  const salt = secretSalt(secret, user);
  const { storedKey, serverKey } = deriveClientKeysSync(credential.password, salt, iterations);
  return { iterations, salt, storedKey, serverKey };
}

/**
 * Whether `user` can have a line in a credentials file: a valid field that does not start with
 * `#` (such a line would be a comment) and holds no `,` (v2 `HOLDERS` pages separate a holder's
 * fields, its user first, with commas).
 *
 * @example
 * ```ts
 * import { isStorableUserName } from "./credentials.ts";
 * console.assert(isStorableUserName("alice"));
 * console.assert(!isStorableUserName("#alice") && !isStorableUserName("al ice"));
 * console.assert(!isStorableUserName("al,ice"));
 * ```
 */
export function isStorableUserName(user: string): boolean {
  return isValidField(user, MAX_USER_NAME_BYTES) && !user.startsWith("#") && !user.includes(",");
}

/** What {@linkcode setCredentialLine} changes. */
export interface SetCredentialLineOptions {
  /** The credentials file's current text ("" for a new file). */
  readonly text: string;
  /** The file's name, for error messages. */
  readonly file: string;
  readonly user: string;
  /** The new secret: a plaintext password or a verifier text. */
  readonly secret: string;
}

/**
 * The credentials file text with `user`'s line set to `user secret`: that user's line is replaced
 * in place, or a line is appended, and every other byte — comments, blank lines, line endings —
 * stays as it was. Throws {@linkcode CredentialsError} if the text, before or after, is not a
 * valid credentials file, so a broken file is never made worse; throws `RangeError` for a user
 * name that {@linkcode isStorableUserName} refuses.
 *
 * @example
 * ```ts
 * import { setCredentialLine } from "./credentials.ts";
 * const text = setCredentialLine({ text: "# users\nbob pw\n", file: "c", user: "alice", secret: "x" });
 * console.assert(text === "# users\nbob pw\nalice x\n");
 * ```
 */
export function setCredentialLine(options: SetCredentialLineOptions): string {
  const { text, file, user, secret } = options;
  if (!isStorableUserName(user)) throw new RangeError(`invalid user name ${JSON.stringify(user)}`);
  parseCredentials(text, file);
  const newLine = `${user} ${secret}`;
  const lines = text.split("\n");
  const index = lines.findIndex((line, at) => {
    const content = at === 0 ? withoutBom(line) : line;
    return !content.startsWith("#") && content.replace(/\r$/, "").split(" ")[0] === user;
  });
  let result: string;
  if (index >= 0) {
    const bom = index === 0 && lines[0].startsWith("\uFEFF") ? "\uFEFF" : "";
    lines[index] = bom + newLine + (lines[index].endsWith("\r") ? "\r" : "");
    result = lines.join("\n");
  } else {
    const ending = text.includes("\r\n") ? "\r\n" : "\n";
    const separator = text === "" || text.endsWith("\n") ? "" : ending;
    result = `${text}${separator}${newLine}${ending}`;
  }
  parseCredentials(result, file);
  return result;
}
