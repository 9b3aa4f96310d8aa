/**
 * The temporary files a download is received into, in the share folder, before the file gets its
 * own name. A verified download's {@linkcode PartFile} (named by `resumablePartName`) takes bytes
 * at their positions — several ranges may fill it at once, and a later run resumes it — and hashes
 * them as they are written wherever they extend the contiguous hashed prefix; whatever arrived out
 * of order is hashed from disk at the end. A download with nothing to verify against (v1 holders
 * only) has a {@linkcode StreamPartFile} (named by `partFileName`) instead, which each holder
 * fills from its start.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { TRANSFER_BUFFER_BYTES } from "../defaults.ts";
import { removeQuietly, writeAllSync } from "../../util/mod.ts";
import { hashFileRange, type HashSink, OffThreadSha256, openOwnFile } from "../share/mod.ts";

/** What a fetch writes into. */
export interface PartSink {
  /** For messages. */
  readonly path: string;
  /**
   * Called on every attempt once the holder has the request and before its first byte is
   * written; throws when the file cannot be written.
   */
  begin(): Promise<void>;
  /** Writes `bytes` at `position`. */
  writeAt(position: number, bytes: Uint8Array): void;
  /** Forgets what was written from `position` on: it will be written again. */
  discardFrom(position: number): void;
  /** Whether the writer should `await ready()` before writing more. */
  readonly congested: boolean;
  /** Resolves when more bytes may be written. */
  ready(): Promise<void>;
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
export class PartFile implements PartSink {
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
    // Never through a link planted under the part file's name: see ../share/own_file.ts.
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

  /** Nothing to prepare: what every holder sends continues the same file. */
  begin(): Promise<void> {
    return Promise.resolve();
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
    // Sync writes of whole 1 MiB buffers measured close to C speed (docs/performance.md).
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

/**
 * The temporary file of a download with no digest to check (v1 holders only): each holder's
 * stream is the whole file, so every attempt starts it afresh. It is created only once a holder
 * has the request, and removed by {@linkcode StreamPartFile.remove} when the download fails.
 *
 * @example
 * ```ts
 * import { StreamPartFile } from "./part_file.ts";
 * const dir = await Deno.makeTempDir();
 * const part = new StreamPartFile(`${dir}/x.part`);
 * await part.begin();
 * part.writeAt(0, new TextEncoder().encode("abc"));
 * await part.begin(); // another holder: from the start again
 * part.writeAt(0, new TextEncoder().encode("ab"));
 * part.close();
 * console.assert(await Deno.readTextFile(`${dir}/x.part`) === "ab");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class StreamPartFile implements PartSink {
  #file: Deno.FsFile | undefined;
  #created = false;
  readonly congested = false;

  constructor(readonly path: string) {}

  /** Creates the file, or empties it for the next holder. */
  async begin(): Promise<void> {
    if (this.#file === undefined) {
      // Never through a link planted under the part file's name: see ../share/own_file.ts.
      this.#file = await openOwnFile(this.path, { truncate: true });
      this.#created = true;
    } else {
      await this.#file.truncate(0);
    }
  }

  writeAt(position: number, bytes: Uint8Array): void {
    if (this.#file === undefined) throw new Error(`${this.path} is not open`);
    this.#file.seekSync(position, Deno.SeekMode.Start);
    // Sync writes of whole 1 MiB buffers measured close to C speed (docs/performance.md).
    writeAllSync(this.#file, bytes);
  }

  discardFrom(): void {
    // Nothing is hashed, and the next attempt empties the file anyway.
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  /** Closes the file (once). */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }

  /** Closes and removes the file — only if this download created it, never what was there. */
  async remove(): Promise<void> {
    this.close();
    if (this.#created) await removeQuietly(this.path);
  }
}
