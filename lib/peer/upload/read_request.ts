/**
 * Reading a downloader's request off a new connection, under one deadline for the whole of it:
 * one read for v1 (which never waits for a newline), and for a read that opens with `PS2 ` the
 * rest of the line — however the bytes are spread out, the connection is cut when the deadline
 * passes, so a request dripped a byte at a time cannot hold a connection.
 *
 * @module
 */

import { isV2TransferRequest, MAX_TRANSFER_REQUEST_BYTES } from "../../protocol/mod.ts";
import type { Connection } from "./connection.ts";

const LF = 0x0a;

/**
 * The request's bytes (for the transfer decoder), or `undefined` when the downloader closed or
 * the deadline, `timeoutMs` from now, passed first (the connection is then closed).
 */
export async function readRequest(
  connection: Connection,
  timeoutMs: number,
): Promise<Uint8Array | undefined> {
  const deadline = Date.now() + timeoutMs;
  // One byte more than the longest valid request, so an overlong one is seen as such.
  const request = new Uint8Array(MAX_TRANSFER_REQUEST_BYTES + 1);
  let length = await connection.readWithin(request, timeoutMs);
  if (length === null) return undefined;
  if (!isV2TransferRequest(request.subarray(0, length))) return request.subarray(0, length);
  while (!request.subarray(0, length).includes(LF) && length < request.length) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      connection.close();
      return undefined;
    }
    const read = await connection.readWithin(request.subarray(length), remaining);
    if (read === null) return undefined;
    length += read;
  }
  // Bytes after the newline are a protocol error: the decoder then sees no newline at the end.
  return request.subarray(0, length);
}
