/**
 * PeerSync's own working files in the share folder (part files, resume notes) are opened only when
 * they are what PeerSync would have left there: a regular file with no other name. Anything else
 * planted under such a name — a symlink leading out of the folder, a hard link to a file elsewhere,
 * a FIFO, a directory — is refused and left as it is, so a download never writes, truncates or
 * blocks on something outside the share folder.
 *
 * @module
 */

import { writeAllSync } from "../../util/mod.ts";

/** A working file's name is taken by something PeerSync did not leave there. */
export class NotOwnFileError extends Error {
  override name = "NotOwnFileError";
  constructor(readonly path: string, what: string) {
    super(`${path} is ${what}, not a file PeerSync left there; remove it and try again`);
  }
}

/** Another download (in this process or another peer's) is writing the working file. */
export class FileInUseError extends Error {
  override name = "FileInUseError";
  constructor(readonly path: string) {
    super(`${path} is being written by another download (another peer on this share folder?)`);
  }
}

function describe(info: Deno.FileInfo): string {
  if (info.isSymlink) return "a symbolic link";
  if (info.isDirectory) return "a directory";
  if (!info.isFile) return "not a regular file";
  return `a file with ${info.nlink} names (a hard link)`;
}

/** Whether `info` is a regular file with one name. */
function isOwn(info: Deno.FileInfo): boolean {
  return info.isFile && !info.isSymlink && (info.nlink === null || info.nlink === 1);
}

/** `lstat`, or `undefined` when nothing has the name. */
function lstatOrNothing(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * Opens `path` for reading and writing: creates it when nothing has the name (exclusively, so a
 * link planted meanwhile makes the open fail rather than be followed), or opens the regular file
 * that is there and checks it is still the one looked at. It is then locked (an exclusive
 * advisory lock, held until it is closed), so two downloads never write one file; `truncate`
 * empties it once the lock is held.
 *
 * @throws {NotOwnFileError} when the name is taken by anything else.
 * @throws {FileInUseError} when another download holds the lock.
 *
 * @example
 * ```ts
 * import { openOwnFile } from "./own_file.ts";
 * const dir = await Deno.makeTempDir();
 * const file = await openOwnFile(`${dir}/.peersync-x.part`);
 * file.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function openOwnFile(
  path: string,
  options: { readonly truncate?: boolean } = {},
): Promise<Deno.FsFile> {
  const before = lstatOrNothing(path);
  if (before !== undefined && !isOwn(before)) throw new NotOwnFileError(path, describe(before));
  const file = before === undefined
    ? await Deno.open(path, { read: true, write: true, createNew: true })
    : await Deno.open(path, { read: true, write: true });
  try {
    if (before !== undefined) {
      const opened = await file.stat();
      // Swapped between the look and the open: whatever it is now, it is not what was checked.
      if (!isOwn(opened) || opened.ino !== before.ino || opened.dev !== before.dev) {
        throw new NotOwnFileError(path, "replaced while it was opened");
      }
    }
    if (!await file.tryLock(true)) throw new FileInUseError(path);
    if (options.truncate) await file.truncate(0);
    return file;
  } catch (error) {
    file.close();
    throw error;
  }
}

/**
 * Reads `path` when it is a regular file with one name and at most `maxBytes`; `undefined` when
 * nothing has the name, or something else does (a link, a FIFO that would block the open, a file
 * too large to be ours), or it grew while being read (someone is writing it).
 */
export async function readOwnBytes(
  path: string,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const info = lstatOrNothing(path);
  if (info === undefined || !isOwn(info) || info.size > maxBytes) return undefined;
  using file = await Deno.open(path, { read: true });
  const opened = await file.stat();
  if (opened.ino !== info.ino || !opened.isFile || opened.size > maxBytes) return undefined;
  const buffer = new Uint8Array(opened.size + 1);
  let length = 0;
  for (;;) {
    const read = await file.read(buffer.subarray(length));
    if (read === null) break;
    length += read;
    if (length > opened.size) return undefined;
  }
  return buffer.subarray(0, length);
}

/** {@linkcode readOwnBytes}, as UTF-8 text. */
export async function readOwnText(path: string, maxBytes: number): Promise<string | undefined> {
  const bytes = await readOwnBytes(path, maxBytes);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

/**
 * Replaces `path` with `text`: written to a new temporary name beside it (created exclusively),
 * then renamed over it — a rename replaces a planted link instead of writing where it points.
 */
export function replaceOwnTextSync(path: string, text: string): void {
  const temp = `${path}.tmp`;
  try {
    // A stale one from a crash, or anything planted: the name is ours, the thing behind it is not
    // touched (removing a link removes the link).
    Deno.removeSync(temp);
  } catch {
    // Nothing there.
  }
  try {
    const file = Deno.openSync(temp, { write: true, createNew: true });
    try {
      writeAllSync(file, new TextEncoder().encode(text));
    } finally {
      file.close();
    }
    Deno.renameSync(temp, path);
  } catch (error) {
    try {
      Deno.removeSync(temp);
    } catch {
      // Never created.
    }
    throw error;
  }
}
