/**
 * File-system questions and clean-ups whose failure is an answer, not an error.
 *
 * @module
 */

/**
 * Whether anything (even a dangling symlink) exists at `path`.
 *
 * @throws whatever `lstat` throws other than "not found" (a permission problem, say).
 *
 * @example
 * ```ts
 * import { exists } from "./files.ts";
 * console.assert(!(await exists("/no/such/path")));
 * ```
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Removes `path`, ignoring a file that is already gone (or cannot be removed: the caller is
 * cleaning up and has nothing better to do).
 *
 * @example
 * ```ts
 * import { removeQuietly } from "./files.ts";
 * await removeQuietly("/no/such/path");
 * ```
 */
export async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // Already gone, or never created.
  }
}
