/**
 * The v2 holder's answer before any byte: `PS2 OK <size> <sha256>` for the version asked for, or
 * `PS2 ERR <code> <message>` — read, bounded and turned into a typed {@linkcode FetchError}.
 *
 * @module
 */

import { decodeTransferStatus, MAX_TRANSFER_STATUS_BYTES } from "../../protocol/mod.ts";
import { FetchError } from "./errors.ts";
import type { ExpectedFile } from "./holders.ts";

const LF = 0x0a;

/**
 * Reads the status line into the start of `buffer` (at least {@linkcode MAX_TRANSFER_STATUS_BYTES}
 * long), checks it against `expected`, and moves whatever data followed it to the start. Returns
 * the number of data bytes already in the buffer.
 *
 * @throws {FetchError} `busy`, `refused` (another code, another version), `nostatus` (closed
 * without a byte: a v1 holder) or `protocol` (anything that is no status line).
 */
export async function readStatus(
  conn: Deno.Conn,
  buffer: Uint8Array,
  expected: ExpectedFile,
  progressed: (bytes: number) => void,
): Promise<number> {
  let length = 0;
  let newline = -1;
  while (newline < 0) {
    const read = await conn.read(buffer.subarray(length));
    if (read === null) {
      if (length === 0) throw new FetchError("nostatus", "closed without a status line");
      throw new FetchError("protocol", "closed in the middle of the status line");
    }
    progressed(read);
    const searchFrom = length;
    length += read;
    newline = buffer.subarray(searchFrom, Math.min(length, MAX_TRANSFER_STATUS_BYTES)).indexOf(LF);
    if (newline >= 0) newline += searchFrom;
    else if (length >= MAX_TRANSFER_STATUS_BYTES) {
      throw new FetchError("protocol", "sent no valid status line");
    }
  }
  const decoded = decodeTransferStatus(buffer.subarray(0, newline + 1));
  if (!decoded.ok) throw new FetchError("protocol", `sent an invalid status line`);
  const { status } = decoded;
  if (!status.ok) {
    const message = status.message.length > 0 ? `: ${status.message}` : "";
    throw new FetchError(status.code === "busy" ? "busy" : "refused", `${status.code}${message}`);
  }
  if (status.size !== expected.size || status.sha256 !== expected.sha256) {
    throw new FetchError(
      "refused",
      `offers another version (${status.size} bytes, SHA-256 ${status.sha256.slice(0, 16)}…)`,
    );
  }
  buffer.copyWithin(0, newline + 1, length);
  return length - newline - 1;
}
