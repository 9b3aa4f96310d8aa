/**
 * Where the tracker is, and which of this machine's addresses to advertise in `TCP <ip> <port>`:
 * the one other peers can reach, i.e. the local address on the way to the tracker.
 *
 * @module
 */

import { lookup } from "node:dns/promises";
import { isIpLiteral } from "../../protocol/mod.ts";

/** The tracker's host cannot be resolved, or no local address to advertise can be found. */
export class AddressError extends Error {
  override name = "AddressError";
}

/** Whether `ip` is a loopback address (127.0.0.0/8, ::1, or 127.x mapped into IPv6). */
export function isLoopback(ip: string): boolean {
  return /^127\./.test(ip) || ip === "::1" || /^::ffff:127\./i.test(ip);
}

/**
 * The local address to send to the tracker from: the loopback address of the tracker's family
 * for a loopback tracker (nothing else can reach it), else the wildcard.
 */
export function bindHostnameFor(trackerIp: string): string {
  const v6 = isIPv6(trackerIp);
  if (isLoopback(trackerIp)) return v6 ? "::1" : "127.0.0.1";
  return v6 ? "::" : "0.0.0.0";
}

/** Whether `ip` is an IPv6 literal. */
export function isIPv6(ip: string): boolean {
  return ip.includes(":");
}

/**
 * Resolves the tracker's host to an IP address once, so that replies can be matched against the
 * address they really come from. IP literals are returned as they are.
 *
 * @throws {AddressError} when the name does not resolve.
 */
export async function resolveHost(host: string): Promise<string> {
  if (isIpLiteral(host)) return host;
  try {
    // The v1 protocol is mostly spoken over IPv4; prefer it when the name has both.
    return (await lookup(host, { family: 4 })).address;
  } catch {
    try {
      return (await lookup(host)).address;
    } catch {
      throw new AddressError(`cannot resolve the tracker host ${host}`);
    }
  }
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part > 255)) {
    return undefined;
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function sameIPv4Subnet(a: string, b: string, netmask: string): boolean {
  const [x, y, mask] = [ipv4ToNumber(a), ipv4ToNumber(b), ipv4ToNumber(netmask)];
  if (x === undefined || y === undefined || mask === undefined) return false;
  return ((x & mask) >>> 0) === ((y & mask) >>> 0);
}

function isReachableCandidate(info: Deno.NetworkInterfaceInfo, family: "IPv4" | "IPv6"): boolean {
  return info.family === family && !isLoopback(info.address) &&
    !/^fe80:/i.test(info.address);
}

/**
 * Picks the address to advertise from the machine's interfaces: the one on the tracker's subnet,
 * else the first non-loopback address of the tracker's family. Pure.
 *
 * @example
 * ```ts
 * import { chooseFromInterfaces } from "./local_address.ts";
 * const interfaces: Deno.NetworkInterfaceInfo[] = [
 *   { family: "IPv4", name: "lo", address: "127.0.0.1", netmask: "255.0.0.0", scopeid: null, cidr: "127.0.0.1/8", mac: "" },
 *   { family: "IPv4", name: "eth0", address: "10.0.0.7", netmask: "255.255.255.0", scopeid: null, cidr: "10.0.0.7/24", mac: "" },
 * ];
 * console.assert(chooseFromInterfaces("10.0.0.1", interfaces) === "10.0.0.7");
 * ```
 */
export function chooseFromInterfaces(
  trackerIp: string,
  interfaces: readonly Deno.NetworkInterfaceInfo[],
): string | undefined {
  const family = isIPv6(trackerIp) ? "IPv6" : "IPv4";
  const candidates = interfaces.filter((info) => isReachableCandidate(info, family));
  const onSubnet = family === "IPv4"
    ? candidates.find((info) => sameIPv4Subnet(info.address, trackerIp, info.netmask))
    : undefined;
  return (onSubnet ?? candidates[0])?.address;
}

/** What decides the advertised address. */
export interface AdvertisedAddressOptions {
  /** The tracker's IP address (see {@linkcode resolveHost}). */
  readonly trackerIp: string;
  /** The user's `--advertise` choice, which wins. */
  readonly override?: string;
}

/**
 * The address to advertise in `TCP <ip> <port>`: the override, else the loopback address when
 * the tracker is on loopback, else the local address on the way to the tracker.
 *
 * Finding that address needs the interface list (`--allow-sys=networkInterfaces`); without that
 * permission no prompt is raised and the user is told to pass the address instead.
 *
 * @throws {AddressError} when no address can be found.
 */
export function advertisedAddress(options: AdvertisedAddressOptions): string {
  if (options.override !== undefined) return options.override;
  const { trackerIp } = options;
  if (isLoopback(trackerIp)) return trackerIp === "::1" ? "::1" : "127.0.0.1";
  const permission = Deno.permissions.querySync({ name: "sys", kind: "networkInterfaces" });
  if (permission.state === "granted") {
    const chosen = chooseFromInterfaces(trackerIp, Deno.networkInterfaces());
    if (chosen !== undefined) return chosen;
    throw new AddressError(
      `no local address reaches the tracker at ${trackerIp}; pass --advertise IP`,
    );
  }
  throw new AddressError(
    "cannot tell which local address other peers can reach; pass --advertise IP " +
      "(or allow --allow-sys=networkInterfaces)",
  );
}

/**
 * The address the upload listener binds: only loopback when only loopback is advertised, every
 * interface of the advertised family otherwise.
 */
export function listenHostname(advertised: string): string {
  if (isLoopback(advertised)) return advertised;
  return isIPv6(advertised) ? "::" : "0.0.0.0";
}
