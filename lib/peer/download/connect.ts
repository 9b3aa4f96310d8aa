/**
 * Reaching a holder: its addresses in turn, each within a time limit, and a cancelled download
 * stops trying at once.
 *
 * @module
 */

import { errorText, formatSeconds } from "../../util/mod.ts";
import { cancelled, FetchError } from "./errors.ts";
import { type Address, hostPort } from "./holders.ts";

/**
 * Connects to the first of `addresses` that accepts within `connectTimeoutMs`.
 *
 * @throws {FetchError} `connect`, saying why the last address failed.
 * @throws {DownloadError} `cancelled` when `signal` aborts.
 */
export async function connectToHolder(
  addresses: readonly Address[],
  options: { readonly connectTimeoutMs: number; readonly signal?: AbortSignal },
): Promise<Deno.TcpConn> {
  let failure = "no address";
  for (const { host, port } of addresses) {
    const attempt = new AbortController();
    const timer = setTimeout(() => attempt.abort(), options.connectTimeoutMs);
    const cancel = () => attempt.abort();
    options.signal?.addEventListener("abort", cancel, { once: true });
    try {
      return await Deno.connect({ hostname: host, port, signal: attempt.signal });
    } catch (error) {
      if (options.signal?.aborted) throw cancelled();
      const where = hostPort(host, port);
      failure = attempt.signal.aborted
        ? `no connection to ${where} within ${formatSeconds(options.connectTimeoutMs)}`
        : error instanceof Deno.errors.ConnectionRefused
        ? `connection refused by ${where}`
        : `could not connect to ${where}: ${errorText(error)}`;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", cancel);
    }
  }
  throw new FetchError("connect", failure);
}
