/**
 * One connection to one holder, fetching one range of a file into a part file — the only place a
 * download touches a socket. A v2 holder gets the v2 request and answers with a status line; a
 * v1 holder gets the bare file name and streams the whole file, the bytes before the range read
 * and dropped. Without a size to fetch up to (a v1 download with no digest), the range is the
 * whole stream and its end is the file's. Every way a holder can fail is a typed
 * {@linkcode FetchError} saying whether another holder should be tried; bytes are never written
 * outside the range, and a stall is noticed by one watchdog per connection.
 *
 * @module
 */

import { dirname } from "node:path";
import {
  encodeTransferRequest,
  MAX_TRANSFER_STATUS_BYTES,
  type TlsEndpoint,
} from "../../protocol/mod.ts";
import { TRANSFER_BUFFER_BYTES } from "../defaults.ts";

/** Bytes waiting in the buffer are written out at least this often. */
const PARTIAL_FLUSH_MS = 250;
import {
  errorText,
  formatBytes,
  formatSeconds,
  type TokenBucket,
  writeAll,
} from "../../util/mod.ts";
import { connectToHolder } from "./connect.ts";
import { cancelled, DownloadError, FetchError } from "./errors.ts";
import type { Address, ExpectedFile } from "./holders.ts";
import type { PartSink } from "./part_file.ts";
import { StallWatch } from "./stall_watch.ts";
import { readStatus } from "./status_line.ts";

/** A holder as the fetcher sees it. */
export interface Source {
  /** For messages: `alice (127.0.0.1:4000)`; without one, failures are said on their own. */
  readonly label?: string;
  /** Addresses to try in order (the observed one, then the claimed one). */
  readonly addresses: readonly Address[];
  /** `v2`: ranges with a status line; `v1`: the whole stream from byte 0, no status. */
  readonly mode: "v1" | "v2";
  /** The holder's TLS port and pinned certificate fingerprint: the transfer goes over TLS. */
  readonly tls?: TlsEndpoint;
}

/**
 * Bytes `[pos, end)` still to fetch. The fetcher advances `pos`; a scheduler may lower `end`. An
 * `end` of `Infinity` is a whole v1 stream of unknown length: the fetcher sets `end` where the
 * stream ended.
 */
export interface RangeTask {
  pos: number;
  end: number;
}

/** What every fetch of one download shares. */
export interface FetchContext {
  readonly file: string;
  /**
   * The size and digest every holder must serve; `undefined` when there is nothing to check
   * against (v1 holders only, which stream the whole file).
   */
  readonly expected: ExpectedFile | undefined;
  readonly part: PartSink;
  /** A holder that sends less than `minSpeedBytesPerSecond`'s worth in this long is left. */
  readonly stallTimeoutMs: number;
  readonly minSpeedBytesPerSecond: number;
  readonly connectTimeoutMs: number;
  /** A v2 holder's whole status line must arrive within this long of the connection. */
  readonly statusTimeoutMs: number;
  /**
   * The most a stream of unknown length (a v1 holder, nothing to check against) may send; past
   * it the holder is broken and its bytes are discarded.
   */
  readonly maxStreamBytes: number;
  readonly signal?: AbortSignal;
  /** Download rate limit shared by every connection, if any. */
  readonly bucket?: TokenBucket;
  /** Called with the count of bytes written (negative when bytes are discarded). */
  readonly onBytes: (bytes: number) => void;
}

/**
 * One line for the user about a holder's failure: `alice (127.0.0.1:4000): stalled …`, or the
 * reason alone for a source without a label.
 */
export function describeFailure(source: Source, error: unknown): string {
  const reason = errorText(error);
  return source.label === undefined ? reason : `${source.label}: ${reason}`;
}

/**
 * Fetches `task` from `source` into `context.part`, advancing `task.pos` as bytes are written.
 * Resolves when `task.pos` reaches `task.end` (and, for a range that ends where it was asked to,
 * the holder closed right after it). A holder that breaks the protocol has this attempt's bytes
 * discarded (`task.pos` goes back), and so has any failed attempt at a stream of unknown length:
 * the next holder's stream may be another file.
 *
 * @throws {FetchError} when this holder cannot complete the range (try another).
 * @throws {DownloadError} `cancelled` when the context's signal aborts, `local` when the part
 * file cannot be written.
 */
export async function fetchRange(
  source: Source,
  task: RangeTask,
  context: FetchContext,
): Promise<void> {
  if (context.signal?.aborted) throw cancelled();
  if (source.mode === "v1" && context.expected?.size === 0) {
    // v1 closes without a byte both for an empty file and for a file it does not have.
    throw new FetchError(
      "refused",
      "speaks v1, which cannot tell an empty file from a missing one",
    );
  }
  const conn = await connectToHolder(
    source.addresses,
    source.tls ? { ...context, tls: source.tls } : context,
  );
  const attemptStart = task.pos;
  let failure: FetchError | DownloadError | undefined;
  let closed = false;
  const stop = (reason: FetchError | DownloadError) => {
    failure ??= reason;
    if (closed) return;
    closed = true;
    conn.close();
  };
  const stallMs = context.stallTimeoutMs;
  const connected = performance.now();
  const watch = new StallWatch(
    { windowMs: stallMs, minBytesPerSecond: context.minSpeedBytesPerSecond },
    connected,
  );
  let statusRead = source.mode === "v1" || context.expected === undefined;
  // One watchdog rather than a timer per read: reads come in small pieces and are many. A holder
  // that drips is as stalled as one that stops: what counts is progress at the minimum speed.
  const watchdog = setInterval(() => {
    const now = performance.now();
    if (!statusRead && now - connected >= context.statusTimeoutMs) {
      stop(
        new FetchError(
          "stalled",
          `sent no status line within ${formatSeconds(context.statusTimeoutMs)}`,
        ),
      );
    }
    const verdict = watch.check(now);
    if (verdict.stalled) stop(new FetchError("stalled", verdict.reason));
  }, Math.max(10, Math.min(1000, Math.min(stallMs, context.statusTimeoutMs) / 4)));
  const cancel = () => stop(cancelled());
  context.signal?.addEventListener("abort", cancel, { once: true });
  try {
    await exchange(conn, source, task, context, {
      progressed: (bytes) => watch.add(bytes, performance.now()),
      statusRead: () => statusRead = true,
    });
  } catch (error) {
    const reason = failure ??
      (error instanceof FetchError || error instanceof DownloadError
        ? error
        : error instanceof Deno.errors.ConnectionReset
        ? new FetchError("dropped", `reset the connection at byte ${task.pos}`)
        : new FetchError("dropped", errorText(error)));
    const worthless = reason instanceof FetchError &&
      (reason.kind === "protocol" || context.expected === undefined);
    if (worthless && task.pos > attemptStart) {
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

/** The request, the status line and the bytes. */
async function exchange(
  conn: Deno.Conn,
  source: Source,
  task: RangeTask,
  context: FetchContext,
  events: { readonly progressed: (bytes: number) => void; readonly statusRead: () => void },
): Promise<void> {
  const { part, expected, bucket } = context;
  const { progressed } = events;
  const size = expected?.size ?? Infinity;
  const requestedEnd = task.end;
  const v2 = source.mode === "v2" && expected !== undefined;
  try {
    await writeAll(
      conn,
      v2
        ? encodeTransferRequest({
          file: context.file,
          offset: task.pos,
          ...(task.end < size ? { length: task.end - task.pos } : {}),
          sha256: expected.sha256,
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
  if (v2) incoming = await readStatus(conn, buffer, expected, progressed);
  // The data that came with the status line counts against the cap like every later read (up to
  // a whole chunk of it once went free: a capped 1 MiB download ran ~10 % fast).
  if (bucket !== undefined && incoming > 0) await bucket.take(incoming);
  events.statusRead();
  try {
    await part.begin();
  } catch (error) {
    throw new DownloadError(
      "local",
      `cannot write into ${dirname(part.path)}: ${errorText(error)}`,
    );
  }
  // v1 streams the file from byte 0: what comes before the range is read and dropped.
  let skip = v2 ? 0 : task.pos;
  let filled = 0;
  let flushedAt = performance.now();
  // A local write failure (a full disk) is no holder's fault: the whole download stops, keeping
  // what was written for a resume once there is room.
  let writeFailed = false;
  const flush = () => {
    const take = Math.min(filled, Math.max(0, task.end - task.pos));
    try {
      part.writeAt(task.pos, buffer.subarray(0, take));
    } catch (error) {
      writeFailed = true;
      throw new DownloadError("local", `cannot write into ${part.path}: ${errorText(error)}`);
    }
    task.pos += take;
    context.onBytes(take);
    filled = 0;
  };
  // The end this connection will deliver up to, unless a scheduler lowers `task.end`.
  const streamEnd = v2 ? requestedEnd : size;
  // A stream of unknown length is cut off at a size: a v1 holder could send forever.
  const streamLimit = task.end === Infinity ? context.maxStreamBytes : Infinity;
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
        if (task.pos + filled + incoming > streamLimit) {
          throw new FetchError(
            "protocol",
            `sent more than ${
              formatBytes(streamLimit)
            }, the most a v1 holder may send (--max-v1-size); treated as broken`,
          );
        }
        const room = task.end - (task.pos + filled);
        if (incoming > room && task.end >= streamEnd) {
          throw new FetchError("protocol", "sent more bytes than asked for");
        }
        filled += Math.max(0, Math.min(incoming, room));
        incoming = 0;
        // A slow holder fills the buffer slowly: what arrived is also written out a few times a
        // second, so progress (a background job's, the bar's) moves instead of jumping per MiB.
        const due = performance.now() - flushedAt >= PARTIAL_FLUSH_MS;
        if (filled === buffer.length || task.pos + filled >= task.end || (due && filled > 0)) {
          flushedAt = performance.now();
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
        if (task.end === Infinity) {
          // A whole stream of unknown length: its end is the file's end.
          if (task.pos === 0) {
            throw new FetchError(
              "refused",
              "the peer sent nothing (it may no longer have the file)",
            );
          }
          task.end = task.pos;
          return;
        }
        throw new FetchError(
          "dropped",
          `closed the connection at byte ${task.pos} of ${task.end}`,
        );
      }
      progressed(read);
      incoming = read;
      if (bucket !== undefined) await bucket.take(read);
    }
  }
}
