/**
 * The tracker's credentials file: one `user password` pair per line. Blank lines and lines
 * starting with `#` are skipped so operators can annotate the file.
 *
 * @module
 */

import {
  decodeUtf8,
  isValidField,
  MAX_PASSWORD_BYTES,
  MAX_USER_NAME_BYTES,
} from "../protocol/mod.ts";

/** What the tracker knows about one user. */
export interface Credential {
  readonly kind: "plain";
  readonly password: string;
}

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

/**
 * Parses the text of a credentials file. Throws {@linkcode CredentialsError} naming the line of
 * the first problem, so a typo never silently locks a user out.
 *
 * @example
 * ```ts
 * import { parseCredentials } from "./credentials.ts";
 * const users = parseCredentials("alice secret\n# comment\nbob hunter2\n", "credentials.txt");
 * console.assert(users.get("bob")?.password === "hunter2");
 * ```
 */
export function parseCredentials(text: string, file: string): Map<string, Credential> {
  const users = new Map<string, Credential>();
  const lines = text.split("\n");
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
    const [user, password] = fields;
    if (!isValidField(user, MAX_USER_NAME_BYTES)) {
      throw new CredentialsError(file, lineNumber, "invalid user name");
    }
    if (!isValidField(password, MAX_PASSWORD_BYTES)) {
      throw new CredentialsError(file, lineNumber, "invalid password");
    }
    if (users.has(user)) throw new CredentialsError(file, lineNumber, `duplicate user ${user}`);
    users.set(user, { kind: "plain", password });
  }
  return users;
}

/** Reads and parses a credentials file, turning I/O failures into {@linkcode CredentialsError}. */
export async function loadCredentials(file: string): Promise<Map<string, Credential>> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (error) {
    const problem = error instanceof Deno.errors.NotFound
      ? "file not found"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : error instanceof Deno.errors.IsADirectory
      ? "is a directory"
      : String(error instanceof Error ? error.message : error);
    throw new CredentialsError(file, undefined, `cannot read credentials: ${problem}`);
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) throw new CredentialsError(file, undefined, "not valid UTF-8");
  return parseCredentials(text, file);
}
