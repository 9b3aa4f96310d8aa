/**
 * The peer's downloader for the v1 data channel: send the file name, receive bytes until the
 * uploader closes, and put the file into the share folder without ever overwriting anything.
 * The final name appears only once the whole stream has arrived. (v1 carries no digest, so
 * nothing can be verified; v2 downloads with resume, failover and verification are
 * `downloadFromHolders` in `multi_source.ts`.)
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileNameProblem, TRANSFER_BUFFER_BYTES } from "../protocol/mod.ts";
import { openOwnFile } from "./own_file.ts";
import { isReservedName, RESERVED_NAME_PREFIX } from "./share_folder.ts";
import { writeAllSync } from "./write_all.ts";

/** A download that did not produce the file; `message` is one line for the user. */
export class DownloadError extends Error {
  override name = "DownloadError";
}

/** Where to fetch a file from and where to put it. */
export interface DownloadOptions {
  /** The uploader's address, as the tracker returned it. */
  readonly host: string;
  /** The uploader's TCP port. */
  readonly port: number;
  /** The file name to ask for and to create in `dir`. */
  readonly file: string;
  /** The share folder the file goes into. */
  readonly dir: string;
  /** Cancels the download (the temporary file is removed). */
  readonly signal?: AbortSignal;
  /** Give up when no byte arrives for this long; defaults to 15 s. */
  readonly stallTimeoutMs?: number;
  /** Give up when the connection is not established within this long; defaults to 10 s. */
  readonly connectTimeoutMs?: number;
}

/** A completed download. */
export interface DownloadResult {
  /** The path of the new file. */
  readonly path: string;
  /** How many bytes it holds. */
  readonly bytes: number;
}

const DEFAULT_STALL_TIMEOUT_MS = 15_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const encoder = new TextEncoder();

/**
 * The temporary name a download of `file` is received under, in the same folder so that the
 * final link never crosses file systems. Hashing keeps it one valid, fixed-length component.
 *
 * @example
 * ```ts
 * import { partFileName } from "./download.ts";
 * console.assert(/^\.peersync-[0-9a-f]{16}\.part$/.test(partFileName("movie.mkv")));
 * ```
 */
export function partFileName(file: string): string {
  return `.peersync-${createHash("sha256").update(file).digest("hex").slice(0, 16)}.part`;
}

/**
 * `host:port`, with an IPv6 host in brackets so the port stays readable.
 *
 * @example
 * ```ts
 * import { hostPort } from "./download.ts";
 * console.assert(hostPort("::1", 7000) === "[::1]:7000");
 * ```
 */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Whether anything (even a dangling symlink) exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Removes `path`, ignoring a file that is already gone. */
export async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // Already gone, or never created.
  }
}

/** The message of `error`, or `error` itself as text when what was thrown is not an `Error`. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `error` itself when it is a {@linkcode DownloadError}, else one carrying its message. */
export function asDownloadError(error: unknown): DownloadError {
  return error instanceof DownloadError ? error : new DownloadError(errorText(error));
}

/**
 * Runs `run` and turns whatever it throws into a {@linkcode DownloadError}, so that a caller of a
 * download always gets one typed, one-line reason, whatever went wrong inside.
 *
 * @example
 * ```ts
 * import { DownloadError, withDownloadErrors } from "./download.ts";
 * const failure = await withDownloadErrors(() => Promise.reject(new RangeError("disk full")))
 *   .catch((error) => error);
 * console.assert(failure instanceof DownloadError && failure.message === "disk full");
 * ```
 */
export async function withDownloadErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw asDownloadError(error);
  }
}

/**
 * The checks every download makes before it connects anywhere: the name is a valid file name
 * and not reserved for PeerSync's own files (`.peersync-…`), nothing exists under it in `dir`
 * yet, and the download is not cancelled already. Returns the path the file will have.
 *
 * @throws {DownloadError} saying which check failed.
 */
export async function checkedFinalPath(
  options: { readonly file: string; readonly dir: string; readonly signal?: AbortSignal },
): Promise<string> {
  const { file, dir } = options;
  const problem = fileNameProblem(file);
  if (problem !== undefined) throw new DownloadError(`invalid file name (${problem})`);
  if (isReservedName(file)) {
    throw new DownloadError(`invalid file name (${RESERVED_NAME_PREFIX}… is reserved)`);
  }
  const final = join(dir, file);
  if (await exists(final)) {
    throw new DownloadError(`${file} already exists in ${dir}; not overwriting`);
  }
  if (options.signal?.aborted) throw new DownloadError("cancelled");
  return final;
}

/**
 * Connects, closing the attempt when it takes longer than `timeoutMs` or `signal` aborts.
 * Returns the connection or throws a {@linkcode DownloadError}.
 */
async function connect(options: DownloadOptions, where: string): Promise<Deno.TcpConn> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const attempt = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    attempt.abort();
  }, timeoutMs);
  const cancel = () => attempt.abort();
  options.signal?.addEventListener("abort", cancel, { once: true });
  try {
    return await Deno.connect({
      hostname: options.host,
      port: options.port,
      signal: attempt.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw new DownloadError("cancelled");
    if (timedOut) {
      throw new DownloadError(`could not connect to ${where} within ${timeoutMs / 1000} s`);
    }
    if (error instanceof Deno.errors.ConnectionRefused) {
      throw new DownloadError(`connection refused by ${where}`);
    }
    throw new DownloadError(`could not connect to ${where}: ${errorText(error)}`);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", cancel);
  }
}

/**
 * Receives the whole stream into `temp`. Returns the byte count, or throws a
 * {@linkcode DownloadError} saying why the stream broke off.
 */
async function receive(
  conn: Deno.TcpConn,
  temp: Deno.FsFile,
  options: DownloadOptions,
): Promise<number> {
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  let failure: string | undefined;
  let closed = false;
  const stop = (reason: string) => {
    failure ??= reason;
    if (closed) return;
    closed = true;
    conn.close();
  };
  let lastProgress = Date.now();
  // One watchdog rather than a timer per read: reads come in small pieces and are many.
  const watchdog = setInterval(() => {
    if (Date.now() - lastProgress >= stallMs) {
      stop(`the peer stopped sending (no data for ${Math.round(stallMs / 1000)} s)`);
    }
  }, Math.min(1000, stallMs));
  const cancel = () => stop("cancelled");
  options.signal?.addEventListener("abort", cancel, { once: true });
  const buffer = new Uint8Array(TRANSFER_BUFFER_BYTES);
  let filled = 0;
  let total = 0;
  try {
    for (;;) {
      const read = await conn.read(buffer.subarray(filled));
      if (read === null) break;
      lastProgress = Date.now();
      filled += read;
      total += read;
      // Sync writes of whole 1 MiB buffers measured close to C speed (TOOLCHAIN.md).
      if (filled === buffer.length) {
        writeAllSync(temp, buffer);
        filled = 0;
      }
    }
    writeAllSync(temp, buffer.subarray(0, filled));
    return total;
  } catch (error) {
    if (failure !== undefined) throw new DownloadError(failure);
    if (error instanceof Deno.errors.ConnectionReset) {
      throw new DownloadError(`the connection was reset after ${total} bytes`);
    }
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
      throw new DownloadError(`cannot write into ${options.dir}: ${errorText(error)}`);
    }
    throw new DownloadError(errorText(error));
  } finally {
    clearInterval(watchdog);
    options.signal?.removeEventListener("abort", cancel);
    if (!closed) {
      closed = true;
      conn.close();
    }
  }
}

/**
 * Moves the finished temporary file to its final name without ever replacing an existing file:
 * a hard link fails when the target exists, where a rename would silently overwrite it. The
 * temporary name is left for the caller to remove.
 *
 * @throws {DownloadError} when the final name exists or cannot be created.
 */
export async function placeWithoutOverwriting(
  temp: string,
  final: string,
  options: { readonly file: string; readonly dir: string },
): Promise<void> {
  const appeared = () =>
    new DownloadError(`${options.file} appeared in ${options.dir} meanwhile; not overwriting`);
  try {
    await Deno.link(temp, final);
    return;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) throw appeared();
  }
  // No hard links here (some file systems): claim the name exclusively, then move onto the claim.
  try {
    (await Deno.open(final, { write: true, createNew: true })).close();
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) throw appeared();
    throw new DownloadError(`cannot create ${final}: ${errorText(error)}`);
  }
  try {
    await Deno.rename(temp, final);
  } catch (error) {
    await removeQuietly(final);
    throw new DownloadError(`cannot create ${final}: ${errorText(error)}`);
  }
}

/**
 * Downloads `file` from the uploader at `host:port` into `dir`.
 *
 * @throws {DownloadError} with a one-line reason; the final name is then never created.
 *
 * @example
 * ```ts ignore
 * import { downloadFile } from "./download.ts";
 * const { bytes } = await downloadFile({ host: "127.0.0.1", port: 40123, file: "a.txt", dir: "." });
 * ```
 */
export function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  return withDownloadErrors(() => download(options));
}

async function download(options: DownloadOptions): Promise<DownloadResult> {
  const { file, dir } = options;
  const final = await checkedFinalPath(options);
  const where = hostPort(options.host, options.port);
  const conn = await connect(options, where);
  try {
    const request = encoder.encode(file);
    let sent = 0;
    while (sent < request.length) sent += await conn.write(request.subarray(sent));
  } catch (error) {
    conn.close();
    throw new DownloadError(`could not send the request to ${where}: ${errorText(error)}`);
  }
  const tempPath = join(dir, partFileName(file));
  let temp: Deno.FsFile;
  try {
    temp = await openOwnFile(tempPath, { truncate: true });
  } catch (error) {
    conn.close();
    throw new DownloadError(`cannot write into ${dir}: ${errorText(error)}`);
  }
  let bytes: number;
  try {
    bytes = await receive(conn, temp, options);
  } catch (error) {
    temp.close();
    await removeQuietly(tempPath);
    throw error;
  }
  temp.close();
  try {
    if (bytes === 0) {
      throw new DownloadError("the peer sent nothing (it may no longer have the file)");
    }
    await placeWithoutOverwriting(tempPath, final, options);
  } finally {
    await removeQuietly(tempPath);
  }
  return { path: final, bytes };
}
