/**
 * Size and SHA-256 of shared files, computed by streaming the file through `node:crypto` with a
 * reused 1 MiB buffer, and remembered while the file's size, modification time and inode stay
 * the same — so publishing and serving a file hash it once, not once per request. A cache opened
 * for a share folder ({@linkcode DigestCache.open}) also keeps its digests in that folder, so a
 * restarted peer does not hash its files again.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { isAbsolute, join, relative, sep } from "node:path";
import { errorText } from "../../util/mod.ts";
import {
  MAX_DIGEST_STORE_BYTES,
  MAX_DIGEST_STORE_ENTRIES,
  readDigestStore,
  removeStaleDigestTemps,
  type StoredDigest,
  writeDigestStore,
} from "./digest_store.ts";
import { hashFileRange } from "./hash_file.ts";
import { describeNotShareable, openSharedFile } from "./share_folder.ts";

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

/** How long after a new digest the cache file is written, so a burst of digests writes once. */
const DEFAULT_SAVE_DELAY_MS = 1000;

/** How a {@linkcode DigestCache} keeps its digests. */
export interface DigestCacheOptions {
  /** Entries kept; the oldest are forgotten past it. 100 000 by default. */
  readonly maxEntries?: number;
}

/** How {@linkcode DigestCache.open} keeps its digests in a share folder. */
export interface PersistentDigestCacheOptions extends DigestCacheOptions {
  /** How long after a change the file is written (changes in between are written together); 1 s. */
  readonly saveDelayMs?: number;
  /** A larger cache file is ignored; 32 MiB by default. */
  readonly maxFileBytes?: number;
}

/** Where and how a persistent cache writes itself. */
interface Store {
  /** The share folder as given. */
  readonly dir: string;
  /** Its real path: remembered paths are stored relative to it. */
  readonly realDir: string;
  readonly saveDelayMs: number;
  readonly maxFileBytes: number;
}

/**
 * Digests remembered by real path, valid while size, mtime and inode are unchanged; bounded (the
 * oldest entries are forgotten past `maxEntries`). `new DigestCache()` lives in memory only;
 * {@linkcode DigestCache.open} also keeps the digests of a share folder's files in that folder.
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
  #store: Store | undefined;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #dirty = false;
  #saving: Promise<void> = Promise.resolve();
  /** How many times a file was actually read and hashed (for tests and operators). */
  hashPasses = 0;
  /** Why the last write of the cache file failed, if it did (the cache works on in memory). */
  lastSaveError: Error | undefined;

  constructor(options: DigestCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? MAX_DIGEST_STORE_ENTRIES;
  }

  /**
   * A cache that keeps the digests of files in the share folder `dir` in
   * `dir/.peersync-digests.json`: it starts with the entries found there (a missing, corrupt or
   * oversized file, or a symlink, is ignored and later replaced; invalid entries are left out)
   * and writes the file again, atomically, `saveDelayMs` after digests change. An entry is used
   * only while the file's size, mtime and inode are those it was computed for. Files outside the
   * folder's real path are remembered in memory only. A folder that cannot be resolved gives a
   * cache in memory only. Call {@linkcode DigestCache.close} to write pending changes at the end.
   *
   * @example
   * ```ts
   * import { DigestCache, fileDigest } from "./digest_cache.ts";
   * const dir = await Deno.makeTempDir();
   * await Deno.writeTextFile(`${dir}/a.txt`, "abc");
   * const first = await DigestCache.open(dir);
   * await fileDigest(dir, "a.txt", first);
   * await first.close();
   * const second = await DigestCache.open(dir); // after a restart
   * await fileDigest(dir, "a.txt", second);
   * console.assert(second.hashPasses === 0);
   * await second.close();
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  static async open(dir: string, options: PersistentDigestCacheOptions = {}): Promise<DigestCache> {
    const cache = new DigestCache(options);
    let realDir: string;
    try {
      realDir = await Deno.realPath(dir);
    } catch {
      return cache;
    }
    const maxFileBytes = options.maxFileBytes ?? MAX_DIGEST_STORE_BYTES;
    await removeStaleDigestTemps(dir);
    const stored = await readDigestStore(dir, {
      maxBytes: maxFileBytes,
      maxEntries: cache.#maxEntries,
    });
    for (const { name, size, mtimeMs, ino, sha256 } of stored) {
      cache.#entries.delete(join(realDir, name));
      cache.#entries.set(join(realDir, name), { size, mtimeMs, ino, sha256 });
    }
    cache.#store = {
      dir,
      realDir,
      saveDelayMs: options.saveDelayMs ?? DEFAULT_SAVE_DELAY_MS,
      maxFileBytes,
    };
    return cache;
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
    const { size, sha256, mtimeMs } = digest;
    this.#entries.set(path, { size, sha256, mtimeMs, ino: digest.ino ?? null });
    if (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#changed();
  }

  /** Forgets `path`. */
  forget(path: string): void {
    if (this.#entries.delete(path)) this.#changed();
  }

  /**
   * Writes pending changes to the cache file now (a no-op for a cache in memory only, or with
   * nothing new). A failed write is kept in {@linkcode DigestCache.lastSaveError}, not thrown.
   */
  async flush(): Promise<void> {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    const saving = this.#saving.then(() => this.#save());
    this.#saving = saving;
    await saving;
  }

  /** Writes pending changes and stops writing the cache file; the cache goes on in memory. */
  async close(): Promise<void> {
    await this.flush();
    this.#store = undefined;
  }

  #changed(): void {
    if (this.#store === undefined) return;
    this.#dirty = true;
    if (this.#saveTimer !== undefined) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      void this.flush();
    }, this.#store.saveDelayMs);
  }

  async #save(): Promise<void> {
    const store = this.#store;
    if (store === undefined || !this.#dirty) return;
    this.#dirty = false;
    const entries: StoredDigest[] = [];
    for (const [path, { size, mtimeMs, ino, sha256 }] of this.#entries) {
      const name = relative(store.realDir, path);
      // Only the folder's own files: a path outside it means nothing to the next run.
      if (name === "" || name === ".." || name.startsWith(`..${sep}`) || isAbsolute(name)) {
        continue;
      }
      entries.push({ name, size, mtimeMs, ino, sha256 });
    }
    try {
      await writeDigestStore(store.dir, entries, { maxBytes: store.maxFileBytes });
      this.lastSaveError = undefined;
    } catch (error) {
      this.lastSaveError = error instanceof Error ? error : new Error(errorText(error));
    }
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
  const shared = await openSharedFile(dir, name);
  if (!shared.ok) {
    if (shared.reason === "unreadable") {
      throw new DigestError(`cannot read ${name}: ${errorText(shared.error)}`);
    }
    throw new DigestError(`cannot hash ${name}: ${describeNotShareable(shared.reason, dir)}`);
  }
  const { file } = shared;
  try {
    return await cache.digestOf(shared.path, file);
  } catch (error) {
    throw new DigestError(
      `cannot read ${name}: ${errorText(error)}`,
    );
  } finally {
    file.close();
  }
}
