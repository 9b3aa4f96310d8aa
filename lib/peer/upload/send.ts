/**
 * Writing to a downloader: a status line alone, or a status line and a range of a file, under
 * the server's rate limit and speed floor — then a half-close and a short linger, so the last
 * bytes are not destroyed by a reset. A reader that stops reading is cut after a stall; one that
 * reads too slowly is cut by the {@linkcode SpeedFloor}.
 *
 * @module
 */

import { encodeTransferStatus, type TransferStatus } from "../../protocol/mod.ts";
import { TRANSFER_BUFFER_BYTES } from "../defaults.ts";
import type { TokenBucket } from "../../util/mod.ts";
import type { Connection } from "./connection.ts";
import { type MinSpeed, SpeedFloor } from "./speed_floor.ts";

// A peer that sent its name in two writes (name, then newline) still has a byte unread when the
// file is complete; closing over unread data makes the kernel send a reset that can destroy the
// file's tail in flight. So the uploader half-closes and waits this long for the peer to hang up.
const LINGER_MS = 2000;
const LINGER_BUFFER_BYTES = 512;
// A downloader that stops reading must not hold a descriptor and a 1 MiB buffer forever.
const STALL_TIMEOUT_MS = 30_000;

/** What to send: `head` (a status line, or nothing for v1), then bytes `[start, end)` of `file`. */
export interface RangeToSend {
  readonly file: Deno.FsFile;
  readonly head: Uint8Array;
  readonly start: number;
  readonly end: number;
}

/** The limits a range is sent under, and what to count. */
export interface SendLimits {
  readonly bucket: TokenBucket | undefined;
  readonly minSpeed: MinSpeed;
  /** File bytes handed to the kernel. */
  readonly onSent: (bytes: number) => void;
  /** The reader fell below the speed floor; the connection is closed. */
  readonly onTooSlow: () => void;
}

/** Sends one status line, half-closes and lingers. */
export async function sendStatus(connection: Connection, status: TransferStatus): Promise<void> {
  await connection.writeAllWithin(encodeTransferStatus(status), STALL_TIMEOUT_MS);
  await connection.conn.closeWrite();
  await linger(connection);
}

/**
 * Sends `range`, half-closes and lingers, while a watchdog holds the reader to the speed floor.
 * A file that ends early drops the connection, so the downloader sees a short transfer rather
 * than a complete one.
 */
export async function sendRange(
  connection: Connection,
  range: RangeToSend,
  limits: SendLimits,
): Promise<void> {
  const { head, start, end } = range;
  const watchdog = watchSpeed(connection, head.length + end - start, limits);
  try {
    await send(connection, range, limits);
  } finally {
    clearInterval(watchdog);
  }
}

/** Checks the reader against the floor a few times a window; a slow one loses its connection. */
function watchSpeed(
  connection: Connection,
  total: number,
  limits: SendLimits,
): ReturnType<typeof setInterval> | undefined {
  if (limits.minSpeed.bytesPerSecond <= 0) return undefined;
  const floor = new SpeedFloor(limits.minSpeed, performance.now());
  const base = connection.written;
  return setInterval(() => {
    const sent = connection.written - base;
    if (floor.check(performance.now(), sent, total - sent) === "slow" && !connection.closed) {
      limits.onTooSlow();
      connection.close();
    }
  }, Math.max(10, Math.min(1000, limits.minSpeed.windowMs / 5)));
}

async function send(connection: Connection, range: RangeToSend, limits: SendLimits) {
  const { file, head, start, end } = range;
  const { bucket } = limits;
  const chunk = bucket?.chunkBytes(TRANSFER_BUFFER_BYTES) ?? TRANSFER_BUFFER_BYTES;
  const buffer = new Uint8Array(head.length + chunk);
  buffer.set(head);
  let filled = head.length;
  if (start > 0) file.seekSync(start, Deno.SeekMode.Start);
  let position = start;
  while (position < end && !connection.closed) {
    const want = Math.min(chunk, end - position);
    // Sync reads of 1 MiB measured about twice as fast as async ones (docs/performance.md) and
    // block the event loop only briefly.
    const read = file.readSync(buffer.subarray(filled, filled + want));
    if (read === null) {
      // The file shrank under us: never let a short transfer look complete.
      connection.close();
      return;
    }
    if (bucket !== undefined) await bucket.take(read);
    await connection.writeAllWithin(buffer.subarray(0, filled + read), STALL_TIMEOUT_MS);
    limits.onSent(read);
    position += read;
    filled = 0;
  }
  if (filled > 0) await connection.writeAllWithin(buffer.subarray(0, filled), STALL_TIMEOUT_MS);
  if (connection.closed) return;
  await connection.conn.closeWrite();
  await linger(connection);
}

/** Waits up to `LINGER_MS` for the downloader to hang up, reading and dropping what it sends. */
async function linger(connection: Connection): Promise<void> {
  const sink = new Uint8Array(LINGER_BUFFER_BYTES);
  const deadline = Date.now() + LINGER_MS;
  while (!connection.closed) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return;
    if (await connection.readWithin(sink, remaining) === null) return;
  }
}
