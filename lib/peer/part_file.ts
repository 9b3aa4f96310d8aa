/**
 * The temporary file a v2 download is received into, in the share folder, under a name that
 * encodes both the file name and the expected digest — so a different version never resumes onto
 * a wrong prefix. Bytes are written at their positions (several ranges may fill it at once), and
 * hashed as they are written wherever they extend the contiguous hashed prefix; whatever arrived
 * out of order is hashed from disk at the end.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { TRANSFER_BUFFER_BYTES } from "../protocol/mod.ts";
import { hashFileRange } from "./digest_cache.ts";
import { type HashSink, OffThreadSha256 } from "./hash_worker.ts";
import { openOwnFile } from "./own_file.ts";
import { writeAllSync } from "./write_all.ts";

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/**
 * `.peersync-<first 16 hex of SHA-256(file)>-<first 16 hex of the expected digest>.part`.
 *
 * @example
 * ```ts
 * import { resumablePartName } from "./part_file.ts";
 * const name = resumablePartName("movie.mkv", "ab".repeat(32));
 * console.assert(/^\.peersync-[0-9a-f]{16}-abababababababab\.part$/.test(name));
 * ```
 */
export function resumablePartName(file: string, sha256: string): string {
  return `.peersync-${shortHash(file)}-${sha256.slice(0, 16)}.part`;
}

/**
 * The note beside a part file while several ranges fill it: the length of its prefix that is
 * known complete. A download killed mid-way resumes from there, never from a prefix with holes.
 */
export function resumeNoteName(partName: string): string {
  return partName.replace(/\.part$/, ".resume");
}

/**
 * An open part file with a running SHA-256 over its contiguous prefix.
 *
 * @example
 * ```ts
 * import { PartFile } from "./part_file.ts";
 * const dir = await Deno.makeTempDir();
 * const part = await PartFile.open(`${dir}/x.part`, 6);
 * part.writeAt(3, new TextEncoder().encode("def"));
 * part.writeAt(0, new TextEncoder().encode("abc"));
 * console.assert(await part.digest() === (await import("node:crypto")).createHash("sha256").update("abcdef").digest("hex"));
 * part.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class PartFile {
  #hash: Hash = createHash("sha256");
  #worker: OffThreadSha256 | undefined;
  #hashed = 0;
  #closed = false;

  private constructor(
    readonly path: string,
    readonly file: Deno.FsFile,
    readonly size: number,
    offThreadHash: boolean,
  ) {
    this.#worker = offThreadHash ? OffThreadSha256.start() : undefined;
  }

  /**
   * Opens (creating) the part file for a file of `size` bytes. An existing part longer than
   * `size` cannot belong to this version and is emptied. With `offThreadHash`, hashing runs on
   * a worker thread (worth it for large files; it costs a worker's start-up).
   */
  static async open(
    path: string,
    size: number,
    options: { readonly offThreadHash?: boolean } = {},
  ): Promise<PartFile> {
    // Never through a link planted under the part file's name: see own_file.ts.
    const file = await openOwnFile(path);
    try {
      if ((await file.stat()).size > size) await file.truncate(0);
      return new PartFile(path, file, size, options.offThreadHash ?? false);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  get #sink(): HashSink {
    return this.#worker ?? this.#hash;
  }

  /** Whether the writer should `await ready()` before writing more (hashing lags behind). */
  get congested(): boolean {
    return this.#worker?.congested ?? false;
  }

  /** Resolves when hashing has caught up enough to accept more bytes. */
  async ready(): Promise<void> {
    try {
      await this.#worker?.ready();
    } catch {
      this.#dropWorker();
    }
  }

  /**
   * A worker that failed (or could not load) is replaced by hashing here; what it had hashed is
   * hashed again from disk at the end.
   */
  #dropWorker(): void {
    this.#worker?.close();
    this.#worker = undefined;
    this.#resetHash();
  }

  /** Bytes currently in the file (the resumable prefix, when opened). */
  async length(): Promise<number> {
    return (await this.file.stat()).size;
  }

  /** Cuts the file to `length` bytes, forgetting any hashing past it. */
  async truncate(length: number): Promise<void> {
    await this.file.truncate(length);
    if (this.#hashed > length) this.#resetHash();
  }

  /** Hashes the first `length` bytes from disk, so writes from there on are hashed in stream. */
  async seedHash(length: number): Promise<void> {
    this.#resetHash();
    this.#hashed = await hashFileRange(this.file, 0, length, this.#sink);
  }

  /** How much of the file's start has gone into the running hash. */
  get hashedLength(): number {
    return this.#hashed;
  }

  /** Writes `bytes` at `position`, hashing them when they extend the hashed prefix. */
  writeAt(position: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.file.seekSync(position, Deno.SeekMode.Start);
    // Sync writes of whole 1 MiB buffers measured close to C speed (TOOLCHAIN.md).
    writeAllSync(this.file, bytes);
    if (position === this.#hashed) {
      try {
        this.#sink.update(bytes);
      } catch {
        this.#dropWorker();
        return;
      }
      this.#hashed += bytes.length;
    } else if (position < this.#hashed) {
      // Rewritten bytes inside the hashed prefix: start over from disk at the end.
      this.#resetHash();
    }
  }

  /**
   * Forgets written bytes from `position` on (a holder that broke the protocol): they will be
   * written again and must not stay in the running hash.
   */
  discardFrom(position: number): void {
    if (position < this.#hashed) this.#resetHash();
  }

  /** SHA-256 of the whole file: the running hash, completed from disk where needed. */
  async digest(): Promise<string> {
    const buffer = new Uint8Array(TRANSFER_BUFFER_BYTES);
    let digest: string;
    try {
      this.#hashed += await hashFileRange(this.file, this.#hashed, this.size, this.#sink, buffer);
      digest = this.#worker !== undefined ? await this.#worker.digest() : this.#hash.digest("hex");
    } catch (error) {
      if (this.#worker === undefined) throw error;
      // The worker failed: one full pass here instead.
      this.#dropWorker();
      await hashFileRange(this.file, 0, this.size, this.#hash, buffer);
      digest = this.#hash.digest("hex");
    }
    this.#resetHash();
    return digest;
  }

  /** Closes the file (once). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker?.close();
    this.file.close();
  }

  #resetHash(): void {
    if (this.#worker !== undefined) this.#worker.reset();
    else this.#hash = createHash("sha256");
    this.#hashed = 0;
  }
}
