/**
 * The one rule for which files of the share folder may be published and served: a valid name
 * naming a regular file whose real path (after every symlink) stays inside the folder's real path,
 * and that is not one of PeerSync's own files there (names starting with `.peersync-`: part files,
 * resume notes, the digest cache), neither by its name nor by what it links to.
 *
 * @module
 */

import { basename, join, sep } from "node:path";
import { v2FileNameProblem } from "../../protocol/mod.ts";

/** Why a name does not name a shareable file. */
export type NotShareable =
  | "invalid name"
  | "reserved name"
  | "missing"
  | "not a regular file"
  | "outside the folder";

/** Names PeerSync keeps its own files under in a share folder; they are never published or served. */
export const RESERVED_NAME_PREFIX = ".peersync-";

/**
 * Whether `name` is reserved for PeerSync's own files (part files, resume notes, digest cache).
 *
 * @example
 * ```ts
 * import { isReservedName } from "./share_folder.ts";
 * console.assert(isReservedName(".peersync-digests.json"));
 * console.assert(!isReservedName("peersync-notes.txt"));
 * ```
 */
export function isReservedName(name: string): boolean {
  return name.startsWith(RESERVED_NAME_PREFIX);
}

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
  // Names with spaces too: only v2 ever asks for one (a v1 request cannot hold a space).
  if (v2FileNameProblem(name) !== undefined) return { ok: false, reason: "invalid name" };
  if (isReservedName(name)) return { ok: false, reason: "reserved name" };
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
  // A link to one of PeerSync's own files would serve it under another name.
  if (isReservedName(basename(realFile))) return { ok: false, reason: "reserved name" };
  try {
    const info = await Deno.stat(realFile);
    return info.isFile ? { ok: true, path: realFile } : { ok: false, reason: "not a regular file" };
  } catch {
    return { ok: false, reason: "missing" };
  }
}

/** The result of {@linkcode openSharedFile}: the open file and its real path, or why not. */
export type OpenedSharedFile =
  | { readonly ok: true; readonly file: Deno.FsFile; readonly path: string }
  | { readonly ok: false; readonly reason: NotShareable | "unreadable"; readonly error?: unknown };

/**
 * Opens the shareable file `name` of `dir` for reading ({@linkcode resolveSharedFile}), and makes
 * sure what was opened is what the name leads to inside the folder: a name swapped for a symlink
 * out of the folder between the look and the open (by anyone who can write in the folder) would
 * otherwise be followed, and its target read, hashed or sent. The caller closes the file.
 *
 * @example
 * ```ts
 * import { openSharedFile } from "./share_folder.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "abc");
 * const opened = await openSharedFile(dir, "a.txt");
 * if (opened.ok) opened.file.close();
 * console.assert(opened.ok);
 * console.assert(!(await openSharedFile(dir, "../etc/passwd")).ok);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function openSharedFile(dir: string, name: string): Promise<OpenedSharedFile> {
  const shared = await resolveSharedFile(dir, name);
  if (!shared.ok) return shared;
  let file: Deno.FsFile;
  try {
    file = await Deno.open(shared.path, { read: true });
  } catch (error) {
    return { ok: false, reason: "unreadable", error };
  }
  try {
    const opened = await file.stat();
    // Looked at again after the open: a swap before it shows as a link or another file there
    // now. The real path is the folder's real path and the name, one component, so its lstat
    // is the name itself, not what a link swapped in since leads to.
    const now = await Deno.lstat(shared.path);
    if (!opened.isFile || !now.isFile || opened.ino !== now.ino || opened.dev !== now.dev) {
      file.close();
      return { ok: false, reason: "missing" };
    }
    return { ok: true, file, path: shared.path };
  } catch (error) {
    file.close();
    return { ok: false, reason: "unreadable", error };
  }
}

/** The sentence `Cannot publish <file>: …` ends with for each reason. */
export function describeNotShareable(reason: NotShareable, dir: string): string {
  switch (reason) {
    case "invalid name":
      return "not a valid file name";
    case "reserved name":
      return `names starting with ${RESERVED_NAME_PREFIX} are PeerSync's own files`;
    case "missing":
      return `no such file in ${dir}`;
    case "not a regular file":
      return `not a regular file in ${dir}`;
    case "outside the folder":
      return `it links to a file outside ${dir}`;
  }
}
