/**
 * The one file-name rule, applied on both sides of every channel: a name that breaks it is never
 * opened, created, published or normalised into a valid one.
 *
 * @module
 */

import { MAX_FILE_NAME_BYTES } from "./limits.ts";
import { utf8Length } from "./text.ts";

/** Why a string is not a valid PeerSync file name. */
export type FileNameProblem =
  | "empty"
  | "too long"
  | "whitespace or control character"
  | "bidi override or isolate"
  | "path separator"
  | "dot name"
  | "not well-formed Unicode";

// Unicode White_Space covers U+0085, U+00A0, U+2028 …; Cc covers every C0/C1 control.
const FORBIDDEN_CHARACTER = /[\p{White_Space}\p{Cc}]/u;
const PATH_SEPARATOR = /[/\\]/;
// Bidi embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069) make a name display in
// another order than it is stored ("exe.txt" shown for "txt.exe"): refused, as PROTOCOL.md says.
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/**
 * Returns what is wrong with `name` as a file name, or `undefined` when it is valid.
 *
 * @example
 * ```ts
 * import { fileNameProblem } from "./file_name.ts";
 * console.assert(fileNameProblem("report.pdf") === undefined);
 * console.assert(fileNameProblem("../etc/passwd") === "path separator");
 * ```
 */
export function fileNameProblem(name: string): FileNameProblem | undefined {
  if (name.length === 0) return "empty";
  if (!name.isWellFormed()) return "not well-formed Unicode";
  if (utf8Length(name) > MAX_FILE_NAME_BYTES) return "too long";
  if (FORBIDDEN_CHARACTER.test(name)) return "whitespace or control character";
  if (BIDI_CONTROL.test(name)) return "bidi override or isolate";
  if (PATH_SEPARATOR.test(name)) return "path separator";
  if (name === "." || name === "..") return "dot name";
  return undefined;
}

/**
 * Whether `name` is a valid PeerSync file name.
 *
 * @example
 * ```ts
 * import { isValidFileName } from "./file_name.ts";
 * console.assert(isValidFileName("a.txt"));
 * console.assert(!isValidFileName("a b"));
 * ```
 */
export function isValidFileName(name: string): boolean {
  return fileNameProblem(name) === undefined;
}

/**
 * Whether `token` may stand as one space-separated field of a message (user name, password,
 * search text): non-empty, well-formed, at most `maxBytes`, no whitespace or control characters.
 * (Bidi controls are not refused here: a password may hold any of them; what is displayed is
 * cleaned at the terminal instead.)
 *
 * @example
 * ```ts
 * import { isValidField } from "./file_name.ts";
 * console.assert(isValidField("alice", 255));
 * console.assert(!isValidField("al ice", 255));
 * ```
 */
export function isValidField(token: string, maxBytes: number): boolean {
  return token.length > 0 && token.isWellFormed() && !FORBIDDEN_CHARACTER.test(token) &&
    utf8Length(token) <= maxBytes;
}
