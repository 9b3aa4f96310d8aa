/**
 * One line out of whatever was thrown.
 *
 * @module
 */

/**
 * The message of `error`, or `error` itself as text when what was thrown is not an `Error`.
 *
 * @example
 * ```ts
 * import { errorText } from "./error_text.ts";
 * console.assert(errorText(new RangeError("disk full")) === "disk full");
 * console.assert(errorText("gone") === "gone");
 * ```
 */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
