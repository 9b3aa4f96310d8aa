/**
 * File names with spaces on the v2 wire (docs/protocol.md, "Names with spaces"). v2 carries any
 * name the file-name rule allows plus U+0020 spaces; since fields are separated by spaces, a name
 * travels with each space written as a backslash (`my report.pdf` is `my\report.pdf`).
 *
 * Why `\`: a path separator, so no valid name can hold it and the encoding is unambiguous; and it
 * is the identity on every name valid before spaces were allowed, so every message about such a
 * name stays byte for byte what it was. An older program that meets an encoded name reads a path
 * separator and refuses it as an invalid name; it never takes it for another file.
 * (Percent-encoding would have changed the bytes of every name holding `%`, valid today. `/`
 * would have turned `../a`, refused today, into the valid `.. a`.)
 *
 * @module
 */

import { type FileNameProblem, fileNameProblem } from "./file_name.ts";

const SPACE = / /g;
const BACKSLASH = /\\/g;

/**
 * Returns what is wrong with `name` as a v2 file name (the file-name rule, with U+0020 spaces
 * allowed anywhere), or `undefined` when it is valid.
 *
 * @example
 * ```ts
 * import { v2FileNameProblem } from "./wire_name.ts";
 * console.assert(v2FileNameProblem("my report.pdf") === undefined);
 * console.assert(v2FileNameProblem("tab\there") === "whitespace or control character");
 * ```
 */
export function v2FileNameProblem(name: string): FileNameProblem | undefined {
  // A space and an `x` are both one byte and neither a separator nor a dot: the rest of the
  // rule judges the name exactly as it would without its spaces.
  return fileNameProblem(name.replace(SPACE, "x"));
}

/** Whether `name` holds a space, so that only v2 can carry it (v1 never lists it). */
export function hasSpace(name: string): boolean {
  return name.includes(" ");
}

/**
 * The wire form of a v2 name or search text: each space written as `\`.
 *
 * @example
 * ```ts
 * import { encodeWireName } from "./wire_name.ts";
 * console.assert(encodeWireName("my report.pdf") === "my\\report.pdf");
 * console.assert(encodeWireName("100%.txt") === "100%.txt");
 * ```
 */
export function encodeWireName(name: string): string {
  return name.replace(SPACE, "\\");
}

/**
 * The name a wire field stands for: each `\` read as a space. Never fails; the caller checks the
 * result with {@linkcode v2FileNameProblem}.
 *
 * @example
 * ```ts
 * import { decodeWireName } from "./wire_name.ts";
 * console.assert(decodeWireName("my\\report.pdf") === "my report.pdf");
 * ```
 */
export function decodeWireName(field: string): string {
  return field.replace(BACKSLASH, " ");
}

/**
 * Decodes a wire field into a valid v2 file name, or `undefined` when it is none.
 *
 * @example
 * ```ts
 * import { readWireName } from "./wire_name.ts";
 * console.assert(readWireName("a\\b.txt") === "a b.txt");
 * console.assert(readWireName("../a") === undefined);
 * console.assert(readWireName("..") === undefined);
 * ```
 */
export function readWireName(field: string): string | undefined {
  const name = decodeWireName(field);
  return v2FileNameProblem(name) === undefined ? name : undefined;
}
