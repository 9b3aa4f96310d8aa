/**
 * The `--http ADDR:PORT` value: where the tracker serves `/metrics` and its status page. The page
 * names every online user and their address, so only a loopback address is accepted unless the
 * operator says `--http-public`. Pure.
 *
 * @module
 */

import { isIP } from "node:net";

/** Where to serve HTTP. */
export interface HttpAddress {
  readonly hostname: string;
  readonly port: number;
}

/** The outcome of reading `--http`. */
export type HttpAddressResult =
  | { readonly ok: true; readonly address: HttpAddress }
  | { readonly ok: false; readonly reason: string };

/** Whether `hostname` is a loopback address (127.0.0.0/8, ::1, `localhost`). */
export function isLoopback(hostname: string): boolean {
  if (hostname === "localhost" || hostname === "::1") return true;
  if (isIP(hostname) === 4) return hostname.startsWith("127.");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(hostname);
  return mapped !== null && mapped[1].startsWith("127.");
}

/**
 * Reads `HOST:PORT` (`[v6]:PORT` for IPv6). Port 0 picks a free one.
 *
 * @example
 * ```ts
 * import { parseHttpAddress } from "./http_address.ts";
 * const local = parseHttpAddress("127.0.0.1:9100", { allowPublic: false });
 * console.assert(local.ok && local.address.port === 9100);
 * console.assert(!parseHttpAddress("0.0.0.0:9100", { allowPublic: false }).ok);
 * console.assert(parseHttpAddress("0.0.0.0:9100", { allowPublic: true }).ok);
 * ```
 */
export function parseHttpAddress(
  text: string,
  options: { readonly allowPublic: boolean },
): HttpAddressResult {
  const match = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null) {
    return {
      ok: false,
      reason: `invalid --http "${text}": expected HOST:PORT, e.g. 127.0.0.1:9100`,
    };
  }
  const hostname = match[1] ?? match[2];
  const port = Number(match[3]);
  if (port > 65535) {
    return { ok: false, reason: `invalid --http "${text}": port must be 0-65535` };
  }
  if (match[1] !== undefined && isIP(hostname) !== 6) {
    return { ok: false, reason: `invalid --http "${text}": [${hostname}] is not an IPv6 address` };
  }
  if (!options.allowPublic && !isLoopback(hostname)) {
    return {
      ok: false,
      reason: `--http ${text} is not a loopback address: the status page lists every online ` +
        "user and address to whoever can reach it; add --http-public to serve it there anyway",
    };
  }
  return { ok: true, address: { hostname, port } };
}
