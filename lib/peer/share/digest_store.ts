/**
 * The digest cache's file in a share folder, `.peersync-digests.json`, so that a restarted peer
 * does not hash every shared file again. Reading trusts nothing: the file may be missing, cut
 * short, corrupt, huge, a symlink or written by someone else, and every field of every entry is
 * checked; whatever does not pass is left out. Writing is atomic (a temporary file in the same
 * folder, then a rename), so a reader never sees half a file.
 *
 * ```
 * {"version":1,"entries":[
 * {"name":"movie.mkv","size":8589934592,"mtimeMs":1718000000000,"ino":1234567,"sha256":"9f9f…"}
 * ]}
 * ```
 *
 * `name` is the file's real path relative to the share folder's real path; entries are oldest
 * first.
 *
 * @module
 */

import { isAbsolute, join, sep } from "node:path";
import { encodeHex } from "../../protocol/mod.ts";
import { removeQuietly, writeAll } from "../../util/mod.ts";
import { readOwnBytes } from "./own_file.ts";
import { RESERVED_NAME_PREFIX } from "./share_folder.ts";

/** The file's name in the share folder (reserved: never published, served or downloaded). */
export const DIGEST_STORE_NAME = `${RESERVED_NAME_PREFIX}digests.json`;

/** The largest digest file read; a larger one is ignored (and replaced at the next save). */
export const MAX_DIGEST_STORE_BYTES = 32 * 1024 * 1024;

/** Entries kept, in memory and in the file. */
export const MAX_DIGEST_STORE_ENTRIES = 100_000;

/** The longest `name` accepted: a relative path, in UTF-16 code units. */
const MAX_STORED_NAME_LENGTH = 4096;

const FORMAT_VERSION = 1;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** One remembered digest, as stored. */
export interface StoredDigest {
  /** Real path relative to the share folder's real path. */
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** The inode number, or `null` where the platform has none. */
  readonly ino: number | null;
  /** 64 lowercase hex digits. */
  readonly sha256: string;
}

/** Whether `name` is a relative path that stays inside the folder it is relative to. */
function isInsideName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_STORED_NAME_LENGTH || name.includes("\0")) {
    return false;
  }
  if (isAbsolute(name)) return false;
  return name.split(sep).every((part) => part !== "" && part !== "." && part !== "..");
}

/** The entry `value` describes, or `undefined` when any field is missing or wrong. */
function validEntry(value: unknown): StoredDigest | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { name, size, mtimeMs, ino, sha256 } = value as Record<string, unknown>;
  if (typeof name !== "string" || !isInsideName(name)) return undefined;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) return undefined;
  if (typeof mtimeMs !== "number" || !Number.isFinite(mtimeMs)) return undefined;
  if (ino !== null && (typeof ino !== "number" || !Number.isInteger(ino) || ino < 0)) {
    return undefined;
  }
  if (typeof sha256 !== "string" || !SHA256_HEX.test(sha256)) return undefined;
  return { name, size, mtimeMs, ino, sha256 };
}

/**
 * The valid entries of a digest file's text, oldest first, at most `maxEntries` (the newest).
 * Anything that is not the expected JSON gives no entries; an invalid entry is left out. Pure.
 *
 * @example
 * ```ts
 * import { parseDigestStore } from "./digest_store.ts";
 * const text = JSON.stringify({
 *   version: 1,
 *   entries: [
 *     { name: "a.bin", size: 3, mtimeMs: 5, ino: 7, sha256: "ab".repeat(32) },
 *     { name: "../b.bin", size: 3, mtimeMs: 5, ino: 7, sha256: "ab".repeat(32) },
 *   ],
 * });
 * console.assert(parseDigestStore(text).map((entry) => entry.name).join() === "a.bin");
 * console.assert(parseDigestStore("{not json").length === 0);
 * ```
 */
export function parseDigestStore(
  text: string,
  maxEntries: number = MAX_DIGEST_STORE_ENTRIES,
): StoredDigest[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return [];
  const { version, entries } = parsed as Record<string, unknown>;
  if (version !== FORMAT_VERSION || !Array.isArray(entries)) return [];
  const valid: StoredDigest[] = [];
  for (const value of entries.slice(Math.max(0, entries.length - maxEntries))) {
    const entry = validEntry(value);
    if (entry !== undefined) valid.push(entry);
  }
  return valid;
}

/**
 * The text of a digest file holding `entries` (oldest first). When they would not fit in
 * `maxBytes`, the oldest are left out, so what is written can always be read back. Pure.
 *
 * @example
 * ```ts
 * import { formatDigestStore, parseDigestStore } from "./digest_store.ts";
 * const entry = { name: "a.bin", size: 3, mtimeMs: 5, ino: null, sha256: "ab".repeat(32) };
 * console.assert(parseDigestStore(formatDigestStore([entry]))[0].sha256 === entry.sha256);
 * ```
 */
export function formatDigestStore(
  entries: readonly StoredDigest[],
  maxBytes: number = MAX_DIGEST_STORE_BYTES,
): string {
  const head = `{"version":${FORMAT_VERSION},"entries":[\n`;
  const tail = "\n]}\n";
  const lines: string[] = [];
  // Every character of these lines is ASCII but `name`, which is at most 3 bytes per code unit.
  let bytes = head.length + tail.length;
  for (let i = entries.length - 1; i >= 0; i--) {
    const { name, size, mtimeMs, ino, sha256 } = entries[i];
    const line = JSON.stringify({ name, size, mtimeMs, ino, sha256 });
    const lineBytes = line.length + 2 * name.length + 2;
    if (bytes + lineBytes > maxBytes) break;
    bytes += lineBytes;
    lines.push(line);
  }
  return head + lines.reverse().join(",\n") + tail;
}

/**
 * Reads the digest file of the share folder `dir`. A missing, unreadable, oversized or
 * non-regular file (a symlink or a hard link included) gives no entries; it never throws.
 */
export async function readDigestStore(
  dir: string,
  options: { readonly maxBytes?: number; readonly maxEntries?: number } = {},
): Promise<StoredDigest[]> {
  const maxBytes = options.maxBytes ?? MAX_DIGEST_STORE_BYTES;
  const path = join(dir, DIGEST_STORE_NAME);
  try {
    const bytes = await readOwnBytes(path, maxBytes);
    if (bytes === undefined) return [];
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return parseDigestStore(text, options.maxEntries);
  } catch {
    return [];
  }
}

/** A temporary digest file older than this was left by a peer killed while it wrote it. */
const STALE_TEMP_MS = 10 * 60_000;
const TEMP_NAME = new RegExp(
  `^${RESERVED_NAME_PREFIX.replaceAll(".", "\\.")}digests-[0-9a-f]{16}\\.tmp$`,
);

/**
 * Removes the temporary digest files that peers killed while writing left in `dir` (each up to
 * the whole cache's size, hidden in the user's folder for good otherwise). A recent one may be
 * another peer's write in progress and is left. Never throws.
 */
export async function removeStaleDigestTemps(dir: string, now = Date.now()): Promise<void> {
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !TEMP_NAME.test(entry.name)) continue;
      const path = join(dir, entry.name);
      const info = await Deno.lstat(path);
      if (info.isFile && now - (info.mtime?.getTime() ?? now) > STALE_TEMP_MS) {
        await removeQuietly(path);
      }
    }
  } catch {
    // An unreadable folder: nothing to tidy that could be tidied.
  }
}

/**
 * Writes `entries` as the digest file of `dir`: into a new temporary file next to it (created
 * exclusively, so nothing planted there is followed), flushed to disk, then renamed over it.
 *
 * @throws whatever the file system throws (a read-only folder, a full disk); the temporary file
 * is removed then.
 */
export async function writeDigestStore(
  dir: string,
  entries: readonly StoredDigest[],
  options: { readonly maxBytes?: number } = {},
): Promise<void> {
  const text = formatDigestStore(entries, options.maxBytes);
  const suffix = encodeHex(crypto.getRandomValues(new Uint8Array(8)));
  const temp = join(dir, `${RESERVED_NAME_PREFIX}digests-${suffix}.tmp`);
  try {
    {
      using file = await Deno.open(temp, { write: true, createNew: true });
      await writeAll(file, new TextEncoder().encode(text));
      await file.sync();
    }
    await Deno.rename(temp, join(dir, DIGEST_STORE_NAME));
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
}
