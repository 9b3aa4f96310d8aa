/**
 * The one rule for which files of the share folder may be published and served: a valid name
 * naming a regular file whose real path (after every symlink) stays inside the folder's real path.
 *
 * @module
 */

import { join, sep } from "node:path";
import { fileNameProblem } from "../protocol/mod.ts";

/** Why a name does not name a shareable file. */
export type NotShareable = "invalid name" | "missing" | "not a regular file" | "outside the folder";

/** The result of {@linkcode resolveSharedFile}: the real path to open, or why not. */
export type SharedFile =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly reason: NotShareable };

/**
 * Resolves `name` inside the share folder `dir`.
 *
 * @example
 * ```ts ignore
 * import { resolveSharedFile } from "./share_folder.ts";
 * const shared = await resolveSharedFile("/srv/share", "notes.txt");
 * if (shared.ok) console.log(shared.path);
 * ```
 */
export async function resolveSharedFile(dir: string, name: string): Promise<SharedFile> {
  if (fileNameProblem(name) !== undefined) return { ok: false, reason: "invalid name" };
  let realDir: string;
  let realFile: string;
  try {
    realDir = await Deno.realPath(dir);
    realFile = await Deno.realPath(join(dir, name));
  } catch {
    // Missing, a dangling symlink or a symlink loop: there is nothing to serve either way.
    return { ok: false, reason: "missing" };
  }
  if (!realFile.startsWith(realDir.endsWith(sep) ? realDir : realDir + sep)) {
    return { ok: false, reason: "outside the folder" };
  }
  try {
    const info = await Deno.stat(realFile);
    return info.isFile ? { ok: true, path: realFile } : { ok: false, reason: "not a regular file" };
  } catch {
    return { ok: false, reason: "missing" };
  }
}

/** The sentence `Cannot publish <file>: …` ends with for each reason. */
export function describeNotShareable(reason: NotShareable, dir: string): string {
  switch (reason) {
    case "invalid name":
      return "not a valid file name";
    case "missing":
      return `no such file in ${dir}`;
    case "not a regular file":
      return `not a regular file in ${dir}`;
    case "outside the folder":
      return `it links to a file outside ${dir}`;
  }
}
