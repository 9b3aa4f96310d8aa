/**
 * Writers may write fewer bytes than asked (a pipe, a socket, a file on a full disk): these loop
 * until every byte is out. Every write-all loop of the project is one of these two.
 *
 * @module
 */

/** Anything with a synchronous `writeSync` that may write fewer bytes than asked. */
export interface SyncWriter {
  writeSync(bytes: Uint8Array): number;
}

/** Anything with an asynchronous `write` that may write fewer bytes than asked. */
export interface Writer {
  write(bytes: Uint8Array): Promise<number>;
}

/**
 * Writes all of `bytes` to `writer`, synchronously.
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

/**
 * Writes all of `bytes` to `writer`.
 *
 * @example
 * ```ts
 * import { writeAll } from "./write_all.ts";
 * const chunks: number[] = [];
 * // A writer that takes at most two bytes a call.
 * const writer = { write: (bytes: Uint8Array) => Promise.resolve(chunks.push(Math.min(2, bytes.length)) && Math.min(2, bytes.length)) };
 * await writeAll(writer, new Uint8Array(5));
 * console.assert(chunks.join() === "2,2,1");
 * ```
 */
export async function writeAll(writer: Writer, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await writer.write(bytes.subarray(written));
}
