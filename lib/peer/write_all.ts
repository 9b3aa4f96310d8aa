/**
 * One helper for the short writes a sync writer may make: loop until every byte is out.
 *
 * @module
 */

/** Anything with a synchronous `writeSync` that may write fewer bytes than asked. */
export interface SyncWriter {
  writeSync(bytes: Uint8Array): number;
}

/**
 * Writes all of `bytes` to `writer`.
 *
 * @example
 * ```ts
 * import { writeAllSync } from "./write_all.ts";
 * writeAllSync(Deno.stdout, new TextEncoder().encode(""));
 * ```
 */
export function writeAllSync(writer: SyncWriter, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writer.writeSync(bytes.subarray(written));
}
