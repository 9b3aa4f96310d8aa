/**
 * Size and SHA-256 of shared files, computed by streaming the file through `node:crypto` with a
 * reused 1 MiB buffer, and remembered while the file's size, modification time and inode stay
 * the same — so publishing and serving a file hash it once, not once per request.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { TRANSFER_BUFFER_BYTES } from "../protocol/mod.ts";
import type { HashSink } from "./hash_worker.ts";
import { describeNotShareable, resolveSharedFile } from "./share_folder.ts";

/** A file's size, SHA-256 (64 lowercase hex digits) and the modification time they belong to. */
export interface FileDigest {
  readonly size: number;
  readonly sha256: string;
  readonly mtimeMs: number;
}

/** A file that cannot be hashed; `message` is one line for the user. */
export class DigestError extends Error {
  override name = "DigestError";
}

interface Entry extends FileDigest {
  readonly ino: number | null;
}

/** What identifies one version of a file without reading it. */
export interface FileVersion {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino?: number | null;
}

/** How often a long hash pass lets timers and sockets run (heartbeats must not starve). */
const YIELD_EVERY_BYTES = 16 * 1024 * 1024;

/** Lets the event loop run once. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Digests remembered by real path, valid while size, mtime and inode are unchanged. In memory;
 * bounded (the oldest entries are forgotten past `maxEntries`).
 *
 * @example
 * ```ts
 * import { DigestCache } from "./digest_cache.ts";
 * const cache = new DigestCache();
 * cache.remember("/srv/a", { size: 1, mtimeMs: 5, sha256: "0".repeat(64) });
 * console.assert(cache.lookup("/srv/a", { size: 1, mtimeMs: 5 })?.sha256 === "0".repeat(64));
 * console.assert(cache.lookup("/srv/a", { size: 1, mtimeMs: 6 }) === undefined);
 * ```
 */
export class DigestCache {
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<FileDigest>>();
  readonly #maxEntries: number;
  /** How many times a file was actually read and hashed (for tests and operators). */
  hashPasses = 0;

  constructor(options: { readonly maxEntries?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  /** The remembered digest of `path` if it was computed for this very version of the file. */
  lookup(path: string, version: FileVersion): FileDigest | undefined {
    const entry = this.#entries.get(path);
    if (
      entry === undefined || entry.size !== version.size || entry.mtimeMs !== version.mtimeMs ||
      (version.ino !== undefined && entry.ino !== null && entry.ino !== version.ino)
    ) {
      return undefined;
    }
    return { size: entry.size, sha256: entry.sha256, mtimeMs: entry.mtimeMs };
  }

  /** Remembers the digest of one version of `path`. */
  remember(path: string, digest: FileDigest & { readonly ino?: number | null }): void {
    this.#entries.delete(path);
    this.#entries.set(path, { ...digest, ino: digest.ino ?? null });
    if (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  /** Forgets `path`. */
  forget(path: string): void {
    this.#entries.delete(path);
  }

  /**
   * The digest of the open `file` (whose real path is `path`): remembered, or computed once even
   * when several callers ask at the same time.
   */
  async digestOf(path: string, file: Deno.FsFile): Promise<FileDigest> {
    const info = await file.stat();
    const version = { size: info.size, mtimeMs: info.mtime?.getTime() ?? 0, ino: info.ino };
    const known = this.lookup(path, version);
    if (known !== undefined) return known;
    const key = `${path}\0${version.size}\0${version.mtimeMs}\0${version.ino}`;
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = (async () => {
        this.hashPasses++;
        const hash = createHash("sha256");
        await hashFileRange(file, 0, version.size, hash);
        // A file written while it was hashed has another mtime now: do not remember that mix.
        const after = await file.stat();
        const sha256 = hash.digest("hex");
        const digest = { size: version.size, sha256, mtimeMs: version.mtimeMs };
        if (after.size === version.size && (after.mtime?.getTime() ?? 0) === version.mtimeMs) {
          this.remember(path, { ...digest, ino: version.ino });
        }
        return digest;
      })().finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return await pending;
  }
}

/**
 * Feeds bytes `[start, end)` of `file` into `hash`, 1 MiB at a time, letting the event loop run
 * every 16 MiB (and waiting whenever an off-thread hash is congested). Returns the number of bytes hashed (less than asked if the file is shorter).
 *
 * @example
 * ```ts ignore
 * import { createHash } from "node:crypto";
 * import { hashFileRange } from "./digest_cache.ts";
 * using file = await Deno.open("a.bin");
 * const hash = createHash("sha256");
 * await hashFileRange(file, 0, 1024, hash);
 * ```
 */
export async function hashFileRange(
  file: Deno.FsFile,
  start: number,
  end: number,
  hash: HashSink,
  buffer: Uint8Array = new Uint8Array(TRANSFER_BUFFER_BYTES),
): Promise<number> {
  file.seekSync(start, Deno.SeekMode.Start);
  let position = start;
  let sinceYield = 0;
  while (position < end) {
    const want = Math.min(buffer.length, end - position);
    // Sync reads of 1 MiB are about twice as fast as async ones (TOOLCHAIN.md); the periodic
    // yield keeps heartbeats and other transfers going during a long pass.
    const read = file.readSync(buffer.subarray(0, want));
    if (read === null) break;
    hash.update(buffer.subarray(0, read));
    if (hash.congested) await hash.ready?.();
    position += read;
    sinceYield += read;
    if (sinceYield >= YIELD_EVERY_BYTES) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }
  return position - start;
}

/**
 * Size and SHA-256 of the shared file `name` in `dir`, re-used from `cache` while the file is
 * unchanged (size, mtime and inode). Only regular files inside the share folder are read.
 *
 * @throws {DigestError} when the name is invalid or names no shareable file.
 *
 * @example
 * ```ts
 * import { fileDigest } from "./digest_cache.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "abc");
 * const { size, sha256 } = await fileDigest(dir, "a.txt");
 * console.assert(size === 3);
 * console.assert(sha256 === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function fileDigest(
  dir: string,
  name: string,
  cache: DigestCache = new DigestCache(),
): Promise<FileDigest> {
  const shared = await resolveSharedFile(dir, name);
  if (!shared.ok) {
    throw new DigestError(`cannot hash ${name}: ${describeNotShareable(shared.reason, dir)}`);
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(shared.path, { read: true });
  } catch (error) {
    throw new DigestError(
      `cannot read ${name}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    return await cache.digestOf(shared.path, file);
  } catch (error) {
    throw new DigestError(
      `cannot read ${name}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    file.close();
  }
}
