/**
 * Feeding part of a file to SHA-256 without starving the event loop: the one read loop behind
 * every digest of a shared file and every verification of a download.
 *
 * @module
 */

import { TRANSFER_BUFFER_BYTES } from "../defaults.ts";
import { delay } from "../../util/mod.ts";
import type { HashSink } from "./hash_worker.ts";

/** How often a long hash pass lets timers and sockets run (heartbeats must not starve). */
const YIELD_EVERY_BYTES = 16 * 1024 * 1024;

/**
 * Feeds bytes `[start, end)` of `file` into `hash`, up to 1 MiB at a time, letting the event loop run
 * every 16 MiB (and waiting whenever an off-thread hash is congested). Returns the number of
 * bytes hashed (less than asked if the file is shorter).
 *
 * @example
 * ```ts ignore
 * import { createHash } from "node:crypto";
 * import { hashFileRange } from "./hash_file.ts";
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
  // No larger than the range: a new 1 MiB buffer for each small file of a big folder cost 4-8×
  // the CPU of the hashing itself (docs/performance.md).
  buffer: Uint8Array = new Uint8Array(Math.max(1, Math.min(TRANSFER_BUFFER_BYTES, end - start))),
): Promise<number> {
  file.seekSync(start, Deno.SeekMode.Start);
  let position = start;
  let sinceYield = 0;
  while (position < end) {
    const want = Math.min(buffer.length, end - position);
    // Sync reads of 1 MiB are about twice as fast as async ones (docs/performance.md); the
    // periodic yield keeps heartbeats and other transfers going during a long pass.
    const read = file.readSync(buffer.subarray(0, want));
    if (read === null) break;
    hash.update(buffer.subarray(0, read));
    if (hash.congested) await hash.ready?.();
    position += read;
    sinceYield += read;
    if (sinceYield >= YIELD_EVERY_BYTES) {
      sinceYield = 0;
      await delay(0);
    }
  }
  return position - start;
}
