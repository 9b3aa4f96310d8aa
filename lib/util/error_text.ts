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

/**
 * Like {@linkcode errorText}, but the file-system failures people meet most are said in a few
 * plain words instead of the system's message.
 *
 * @example
 * ```ts
 * import { fileErrorText } from "./error_text.ts";
 * console.assert(fileErrorText(new Deno.errors.NotFound("open '/x'")) === "file not found");
 * ```
 */
export function fileErrorText(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "file not found";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "is a directory";
  return errorText(error);
}
