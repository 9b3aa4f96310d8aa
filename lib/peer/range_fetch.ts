/**
 * One connection to one holder, fetching one range of a file into a {@linkcode PartFile}: the v2
 * request and status line, or — for a holder that only speaks v1 — the v1 request, skipping the
 * bytes before the range. Every way a holder can fail is a typed {@linkcode FetchError} that says
 * whether another holder should be tried; bytes are never written outside the range.
 *
 * @module
 */

import {
  decodeTransferStatus,
  encodeTransferRequest,
  MAX_TRANSFER_STATUS_BYTES,
  TRANSFER_BUFFER_BYTES,
} from "../protocol/mod.ts";
import { DownloadError } from "./download.ts";
import type { PartFile } from "./part_file.ts";
import type { TokenBucket } from "./rate_limit.ts";

/** A holder as the fetcher sees it. */
export interface Source {
  /** For messages: `alice (127.0.0.1:4000)`. */
  readonly label: string;
  /** Addresses to try in order (the observed one, then the claimed one). */
  readonly addresses: readonly { readonly host: string; readonly port: number }[];
  /** `v2`: ranges with a status line; `v1`: the whole stream from byte 0, no status. */
  readonly mode: "v1" | "v2";
}

/** Bytes `[pos, end)` still to fetch. The fetcher advances `pos`; a scheduler may lower `end`. */
export interface RangeTask {
  pos: number;
  end: number;
}

/** How a holder failed. */
export type FetchFailure =
  /** Could not connect. */
  | "connect"
  /** `PS2 ERR busy`. */
  | "busy"
  /** Another `PS2 ERR`, or an `OK` for another version. */
  | "refused"
  /** The holder closed without a byte: probably a v1 uploader that did not understand v2. */
  | "nostatus"
  /** No byte for the stall timeout. */
  | "stalled"
  /** The connection ended before the range was complete. */
  | "dropped"
  /** The holder sent what the protocol does not allow (garbage status, too many bytes). */
  | "protocol";

/** One holder failed this range; `message` is short, for a one-line report. */
export class FetchError extends Error {
  override name = "FetchError";
  constructor(readonly kind: FetchFailure, message: string) {
    super(message);
  }
}

/** What every fetch of one download shares. */
export interface FetchContext {
  readonly file: string;
  readonly size: number;
  readonly sha256: string;
  readonly part: PartFile;
  readonly stallTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly signal?: AbortSignal;
  /** Download rate limit shared by every connection, if any. */
  readonly bucket?: TokenBucket;
  /** Called with the count of bytes written (negative when bytes are discarded). */
  readonly onBytes: (bytes: number) => void;
}

const LF = 0x0a;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

async function connectTo(source: Source, context: FetchContext): Promise<Deno.TcpConn> {
  let failure = "no address";
  for (const { host, port } of source.addresses) {
    const attempt = new AbortController();
    const timer = setTimeout(() => attempt.abort(), context.connectTimeoutMs);
    const cancel = () => attempt.abort();
    context.signal?.addEventListener("abort", cancel, { once: true });
    try {
      return await Deno.connect({ hostname: host, port, signal: attempt.signal });
    } catch (error) {
      if (context.signal?.aborted) throw new DownloadError("cancelled");
      failure = attempt.signal.aborted
        ? `no connection within ${seconds(context.connectTimeoutMs)}`
        : error instanceof Deno.errors.ConnectionRefused
        ? "connection refused"
        : errorText(error);
    } finally {
      clearTimeout(timer);
      context.signal?.removeEventListener("abort", cancel);
    }
  }
  throw new FetchError("connect", failure);
}

/**
 * Fetches `task` from `source` into `context.part`, advancing `task.pos` as bytes are written.
 * Resolves when `task.pos` reaches `task.end` (and, for a range that ends where it was asked to,
 * the holder closed right after it). A holder that breaks the protocol has this attempt's bytes
 * discarded (`task.pos` goes back).
 *
 * @throws {FetchError} when this holder cannot complete the range (try another).
 * @throws {DownloadError} `cancelled` when the context's signal aborts.
 */
export async function fetchRange(
  source: Source,
  task: RangeTask,
  context: FetchContext,
): Promise<void> {
  if (context.signal?.aborted) throw new DownloadError("cancelled");
  if (source.mode === "v1" && context.size === 0) {
    // v1 closes without a byte both for an empty file and for a file it does not have.
    throw new FetchError(
      "refused",
      "speaks v1, which cannot tell an empty file from a missing one",
    );
  }
  const conn = await connectTo(source, context);
  const attemptStart = task.pos;
  let failure: FetchError | DownloadError | undefined;
  let closed = false;
  const stop = (reason: FetchError | DownloadError) => {
    failure ??= reason;
    if (closed) return;
    closed = true;
    conn.close();
  };
  let lastProgress = Date.now();
  const stallMs = context.stallTimeoutMs;
  // One watchdog rather than a timer per read: reads come in small pieces and are many.
  const watchdog = setInterval(() => {
    if (Date.now() - lastProgress >= stallMs) {
      stop(new FetchError("stalled", `stopped sending (no data for ${seconds(stallMs)})`));
    }
  }, Math.max(10, Math.min(1000, stallMs / 2)));
  const cancel = () => stop(new DownloadError("cancelled"));
  context.signal?.addEventListener("abort", cancel, { once: true });
  try {
    await exchange(conn, source, task, context, () => lastProgress = Date.now());
  } catch (error) {
    const reason = failure ??
      (error instanceof FetchError || error instanceof DownloadError
        ? error
        : error instanceof Deno.errors.ConnectionReset
        ? new FetchError("dropped", `reset the connection at byte ${task.pos}`)
        : new FetchError("dropped", errorText(error)));
    if (reason instanceof FetchError && reason.kind === "protocol" && task.pos > attemptStart) {
      context.onBytes(attemptStart - task.pos);
      context.part.discardFrom(attemptStart);
      task.pos = attemptStart;
    }
    throw reason;
  } finally {
    clearInterval(watchdog);
    context.signal?.removeEventListener("abort", cancel);
    if (!closed) {
      closed = true;
      conn.close();
    }
  }
}

async function sendAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let sent = 0;
  while (sent < bytes.length) sent += await conn.write(bytes.subarray(sent));
}

/** The request, the status line and the bytes. */
async function exchange(
  conn: Deno.TcpConn,
  source: Source,
  task: RangeTask,
  context: FetchContext,
  progressed: () => void,
): Promise<void> {
  const { part, size, bucket } = context;
  const requestedEnd = task.end;
  const v2 = source.mode === "v2";
  try {
    await sendAll(
      conn,
      v2
        ? encodeTransferRequest({
          file: context.file,
          offset: task.pos,
          ...(task.end < size ? { length: task.end - task.pos } : {}),
          sha256: context.sha256,
        })
        : new TextEncoder().encode(context.file),
    );
  } catch (error) {
    throw new FetchError("dropped", `could not send the request: ${errorText(error)}`);
  }
  const chunk = bucket?.chunkBytes(TRANSFER_BUFFER_BYTES) ?? TRANSFER_BUFFER_BYTES;
  const buffer = new Uint8Array(Math.max(chunk, MAX_TRANSFER_STATUS_BYTES));
  // Bytes at buffer[0, incoming) arrived but are not yet looked at.
  let incoming = 0;
  if (v2) incoming = await readStatus(conn, buffer, context, progressed);
  // v1 streams the file from byte 0: what comes before the range is read and dropped.
  let skip = v2 ? 0 : task.pos;
  let filled = 0;
  // A local write failure (a full disk) is no holder's fault: the whole download stops, keeping
  // what was written for a resume once there is room.
  let writeFailed = false;
  const flush = () => {
    const take = Math.min(filled, Math.max(0, task.end - task.pos));
    try {
      part.writeAt(task.pos, buffer.subarray(0, take));
    } catch (error) {
      writeFailed = true;
      throw new DownloadError(`cannot write into ${part.path}: ${errorText(error)}`);
    }
    task.pos += take;
    context.onBytes(take);
    filled = 0;
  };
  // The end this connection will deliver up to, unless a scheduler lowers `task.end`.
  const streamEnd = v2 ? requestedEnd : size;
  try {
    await receive();
  } catch (error) {
    // What arrived in order before a drop or stall is good to keep; a liar's bytes are not.
    if (!writeFailed && !(error instanceof FetchError && error.kind === "protocol")) flush();
    throw error;
  }

  async function receive(): Promise<void> {
    for (;;) {
      if (incoming > 0) {
        if (skip > 0) {
          const dropped = Math.min(skip, incoming);
          buffer.copyWithin(filled, filled + dropped, filled + incoming);
          incoming -= dropped;
          skip -= dropped;
        }
        const room = task.end - (task.pos + filled);
        if (incoming > room && task.end >= streamEnd) {
          throw new FetchError("protocol", "sent more bytes than asked for");
        }
        filled += Math.max(0, Math.min(incoming, room));
        incoming = 0;
        if (filled === buffer.length || task.pos + filled >= task.end) {
          flush();
          // Verification runs on another thread; do not outrun it by more than a few MiB.
          if (part.congested) await part.ready();
        }
      }
      if (task.pos >= task.end && skip === 0) {
        // A range cut short (by the scheduler, or a v1 stream of more than we need): hang up.
        if (task.end < streamEnd) return;
        // Otherwise the holder must close right here: one more read proves it.
      }
      const capacity = Math.min(chunk, buffer.length - filled);
      const read = await conn.read(buffer.subarray(filled, filled + capacity));
      if (read === null) {
        flush();
        if (task.pos >= task.end) return;
        throw new FetchError(
          "dropped",
          `closed the connection at byte ${task.pos} of ${task.end}`,
        );
      }
      progressed();
      incoming = read;
      if (bucket !== undefined) await bucket.take(read);
    }
  }
}

/**
 * Reads the status line into the start of `buffer`, checks it, and moves whatever data followed
 * it to the start. Returns the number of data bytes already in the buffer.
 */
async function readStatus(
  conn: Deno.TcpConn,
  buffer: Uint8Array,
  context: FetchContext,
  progressed: () => void,
): Promise<number> {
  let length = 0;
  let newline = -1;
  while (newline < 0) {
    const read = await conn.read(buffer.subarray(length));
    if (read === null) {
      if (length === 0) throw new FetchError("nostatus", "closed without a status line");
      throw new FetchError("protocol", "closed in the middle of the status line");
    }
    progressed();
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
  if (status.size !== context.size || status.sha256 !== context.sha256) {
    throw new FetchError(
      "refused",
      `offers another version (${status.size} bytes, SHA-256 ${status.sha256.slice(0, 16)}…)`,
    );
  }
  buffer.copyWithin(0, newline + 1, length);
  return length - newline - 1;
}
