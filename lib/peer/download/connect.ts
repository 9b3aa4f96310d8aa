/**
 * Reaching a holder: its addresses in turn, each within a time limit, and a cancelled download
 * stops trying at once. A holder with a pinned TLS endpoint is reached on its TLS port, and the
 * connection is returned only once the holder has proved it owns the pinned certificate.
 *
 * @module
 */

import type { TlsEndpoint } from "../../protocol/mod.ts";
import { errorText, formatSeconds } from "../../util/mod.ts";
import { cancelled, FetchError } from "./errors.ts";
import { type Address, hostPort } from "./holders.ts";
import { pinnedCertificate, startPinnedTls } from "./pinned_tls.ts";

/**
 * Connects to the first of `addresses` that accepts within `connectTimeoutMs` (on `tls.port`,
 * with the holder's certificate checked against `tls.fingerprint`, when `tls` is given).
 *
 * @throws {FetchError} `connect`, saying why the last address failed; `identity` when a holder
 * answered with another certificate.
 * @throws {DownloadError} `cancelled` when `signal` aborts.
 */
export async function connectToHolder(
  addresses: readonly Address[],
  options: {
    readonly connectTimeoutMs: number;
    readonly signal?: AbortSignal;
    readonly tls?: TlsEndpoint;
  },
): Promise<Deno.Conn> {
  const { tls, connectTimeoutMs } = options;
  let failure = new FetchError("connect", "no address");
  for (const address of addresses) {
    const host = address.host;
    const port = tls?.port ?? address.port;
    const conn = await connectTcp(host, port, options).catch((error: unknown) => {
      if (error instanceof FetchError) return error;
      throw error;
    });
    if (conn instanceof FetchError) {
      failure = failure.kind === "identity" ? failure : conn;
      continue;
    }
    if (tls === undefined) return conn;
    try {
      const certPem = await pinnedCertificate(host, port, tls.fingerprint, connectTimeoutMs);
      return await startPinnedTls(conn, certPem, connectTimeoutMs);
    } catch (error) {
      try {
        conn.close();
      } catch {
        // Closed with the failed TLS connection.
      }
      if (options.signal?.aborted) throw cancelled();
      if (!(error instanceof FetchError)) throw error;
      failure = failure.kind === "identity" ? failure : error;
    }
  }
  throw failure;
}

async function connectTcp(
  host: string,
  port: number,
  options: { readonly connectTimeoutMs: number; readonly signal?: AbortSignal },
): Promise<Deno.TcpConn> {
  const attempt = new AbortController();
  const timer = setTimeout(() => attempt.abort(), options.connectTimeoutMs);
  const cancel = () => attempt.abort();
  options.signal?.addEventListener("abort", cancel, { once: true });
  try {
    return await Deno.connect({ hostname: host, port, signal: attempt.signal });
  } catch (error) {
    if (options.signal?.aborted) throw cancelled();
    const where = hostPort(host, port);
    throw new FetchError(
      "connect",
      attempt.signal.aborted
        ? `no connection to ${where} within ${formatSeconds(options.connectTimeoutMs)}`
        : error instanceof Deno.errors.ConnectionRefused
        ? `connection refused by ${where}`
        : `could not connect to ${where}: ${errorText(error)}`,
    );
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", cancel);
  }
}
