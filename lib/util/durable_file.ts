/**
 * Writing a small file whole or not at all: the text goes to a new temporary name beside it
 * (created exclusively), is flushed to disk, and only then takes the file's name — by a hard link
 * when nothing may be replaced, by a rename when the file is replaced. A full disk, a write error
 * or a process killed half-way leaves the old file (or no file) and never half of the new one.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { writeAll, writeAllSync } from "./write_all.ts";

function tempNameFor(path: string): string {
  const suffix = Array.from(
    crypto.getRandomValues(new Uint8Array(6)),
    (byte) => byte.toString(16).padStart(2, "0"),
  ).join("");
  return join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
}

function removeSyncQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // Never created, or already gone.
  }
}

/**
 * Creates `path` holding `text`, with `mode`, all at once; never replaces anything there.
 *
 * @throws {Deno.errors.AlreadyExists} when `path` exists; else whatever the file system throws
 * (the temporary file is removed then).
 *
 * @example
 * ```ts
 * import { writeNewFileDurably } from "./durable_file.ts";
 * const dir = await Deno.makeTempDir();
 * await writeNewFileDurably(`${dir}/key.pem`, "secret", 0o600);
 * console.assert(await Deno.readTextFile(`${dir}/key.pem`) === "secret");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeNewFileDurably(path: string, text: string, mode: number) {
  const temp = tempNameFor(path);
  try {
    {
      using file = await Deno.open(temp, { write: true, createNew: true, mode });
      // The umask may have taken bits the file should have.
      await Deno.chmod(temp, mode);
      await writeAll(file, new TextEncoder().encode(text));
      await file.sync();
    }
    await Deno.link(temp, path);
  } finally {
    removeSyncQuietly(temp);
  }
}

/**
 * Replaces `path` (or creates it) with `text`, with `mode`, all at once: a reader sees the old
 * file or the new one. A symlink under the name is replaced, not followed.
 *
 * @throws whatever the file system throws; the old file is then untouched.
 *
 * @example
 * ```ts
 * import { replaceFileDurablySync } from "./durable_file.ts";
 * const dir = await Deno.makeTempDir();
 * replaceFileDurablySync(`${dir}/history`, "lap\n", 0o600);
 * console.assert(await Deno.readTextFile(`${dir}/history`) === "lap\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function replaceFileDurablySync(path: string, text: string, mode: number): void {
  const temp = tempNameFor(path);
  try {
    {
      using file = Deno.openSync(temp, { write: true, createNew: true, mode });
      Deno.chmodSync(temp, mode);
      writeAllSync(file, new TextEncoder().encode(text));
      file.syncSync();
    }
    Deno.renameSync(temp, path);
  } catch (error) {
    removeSyncQuietly(temp);
    throw error;
  }
}
