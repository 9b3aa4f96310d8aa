/**
 * The share folder as {@linkcode FolderFile} stamps (size and modification time, no reading):
 * all its shareable files, or just some names. What `seed` and a session compare their
 * publications against.
 *
 * @module
 */

import { join } from "node:path";
import type { FolderFile } from "./reconcile_plan.ts";
import { resolveSharedFile } from "./share_folder.ts";

/** The stamp of `name` in `dir`, or `undefined` when it is not a shareable regular file. */
export async function stampOf(dir: string, name: string): Promise<FolderFile | undefined> {
  const shared = await resolveSharedFile(dir, name);
  if (!shared.ok) return undefined;
  try {
    const info = await Deno.stat(join(dir, name));
    if (!info.isFile) return undefined;
    return { size: info.size, mtimeMs: info.mtime?.getTime() ?? 0 };
  } catch {
    // Gone between the check and the stat: the next look will not find it either.
    return undefined;
  }
}

/**
 * The stamps of `names` (all the folder's shareable files when omitted) that are shareable
 * regular files of `dir` now.
 *
 * @example
 * ```ts
 * import { listShareFolder } from "./folder_listing.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "abc");
 * const files = await listShareFolder(dir);
 * console.assert(files.get("a.txt")?.size === 3);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function listShareFolder(
  dir: string,
  names?: Iterable<string>,
): Promise<Map<string, FolderFile>> {
  const files = new Map<string, FolderFile>();
  if (names === undefined) {
    const all: string[] = [];
    for await (const entry of Deno.readDir(dir)) all.push(entry.name);
    names = all;
  }
  for (const name of names) {
    const stamp = await stampOf(dir, name);
    if (stamp !== undefined) files.set(name, stamp);
  }
  return files;
}
