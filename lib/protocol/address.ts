/**
 * Addresses as messages carry them: an IP literal and a decimal port. A peer advertises where it
 * listens and the tracker does no DNS, so a host name is never a valid address. Pure.
 *
 * @module
 */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;
const DECIMAL_PORT = /^[1-9]\d{0,4}$/;

/**
 * Whether `host` is an IPv4 or IPv6 address literal (never a host name: a peer advertises where
 * it listens, the tracker does no DNS).
 *
 * @example
 * ```ts
 * import { isIpLiteral } from "./address.ts";
 * console.assert(isIpLiteral("127.0.0.1") && isIpLiteral("::1"));
 * console.assert(!isIpLiteral("localhost"));
 * ```
 */
export function isIpLiteral(host: string): boolean {
  return IPV4.test(host) || (host.includes(":") && IPV6.test(host));
}

/**
 * Parses a decimal TCP/UDP port 1–65535, or returns `undefined`.
 *
 * @example
 * ```ts
 * import { parsePort } from "./address.ts";
 * console.assert(parsePort("5000") === 5000);
 * console.assert(parsePort("0") === undefined && parsePort("65536") === undefined);
 * ```
 */
export function parsePort(text: string): number | undefined {
  if (!DECIMAL_PORT.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/**
 * One spelling per IP address, for comparing literals: IPv6 compressed and lowercase (as the URL
 * parser writes it), an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) as its IPv4 form. A text
 * that is not an IP literal is returned unchanged.
 *
 * @example
 * ```ts
 * import { canonicalIp } from "./address.ts";
 * console.assert(canonicalIp("::FFFF:127.0.0.1") === "127.0.0.1");
 * console.assert(canonicalIp("0:0:0:0:0:0:0:1") === "::1");
 * ```
 */
export function canonicalIp(host: string): string {
  if (!host.includes(":")) return host;
  let canonical: string;
  try {
    canonical = new URL(`http://[${host}]/`).hostname.slice(1, -1);
  } catch {
    return host;
  }
  // The URL parser writes a mapped IPv4 address in hex: ::ffff:7f00:1.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped === null) return canonical;
  const high = parseInt(mapped[1], 16);
  const low = parseInt(mapped[2], 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/**
 * The host an address counts as wherever a limit is per host (the tracker's flood and login
 * guards, the uploader's slots): an IPv4 address itself (an IPv4-mapped IPv6 address as its IPv4
 * form), an IPv6 address its /64 prefix, written `2001:db8:1:2::/64`. One machine or site is
 * usually handed a whole /64, so counting single IPv6 addresses would give it 2⁶⁴ fresh
 * allowances. A text that is not an IP literal is returned unchanged.
 *
 * @example
 * ```ts
 * import { hostGroup } from "./address.ts";
 * console.assert(hostGroup("::ffff:127.0.0.2") === "127.0.0.2");
 * console.assert(hostGroup("2001:db8:1:2::5") === "2001:db8:1:2::/64");
 * console.assert(hostGroup("2001:DB8:1:2:ffff::9") === hostGroup("2001:db8:1:2::5"));
 * console.assert(hostGroup("2001:db8:1:3::5") !== hostGroup("2001:db8:1:2::5"));
 * ```
 */
export function hostGroup(hostname: string): string {
  if (!hostname.includes(":")) return hostname;
  // The form a socket reports (lowercase hex, no dotted quad) is read without the URL parser,
  // which costs ~2 µs: this runs for every datagram the tracker receives.
  const ip = PLAIN_IPV6.test(hostname) && !hostname.startsWith("::ffff:")
    ? hostname
    : canonicalIp(hostname);
  if (!ip.includes(":")) return ip;
  const halves = ip.split("::");
  if (halves.length > 2) return hostname;
  const left = halves[0] === "" ? [] : halves[0].split(":");
  const right = halves.length === 1 || halves[1] === "" ? [] : halves[1].split(":");
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return hostname;
  let prefix = "";
  for (let i = 0; i < 4; i++) {
    const group = i < left.length
      ? left[i]
      : i < left.length + missing
      ? "0"
      : right[i - left.length - missing];
    prefix += `${i === 0 ? "" : ":"}${group.length > 1 ? group.replace(LEADING_ZEROS, "") : group}`;
  }
  return `${prefix}::/64`;
}

// Colon-separated groups of 1–4 lowercase hex digits, as a socket's address is written.
const PLAIN_IPV6 = /^[0-9a-f:]{2,39}$/;
const LEADING_ZEROS = /^0+(?=.)/;

/**
 * `host:port` as a person types it, an IPv6 address in brackets, so the port cannot be read as
 * part of the address.
 *
 * @example
 * ```ts
 * import { hostPort } from "./address.ts";
 * console.assert(hostPort("::1", 7000) === "[::1]:7000");
 * console.assert(hostPort("127.0.0.1", 7000) === "127.0.0.1:7000");
 * ```
 */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
