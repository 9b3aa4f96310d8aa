/**
 * The peer's option values that are more than a string — a tracker address, counts, rates,
 * sizes, a timeout — each parsed into a number or refused with one {@linkcode UsageError} line.
 * Pure.
 *
 * @module
 */

import { UsageError } from "../cli.ts";
import { parsePort } from "../protocol/mod.ts";

/** The longest `--timeout`: ten minutes. */
export const MAX_TIMEOUT_MS = 600_000;

/**
 * Milliseconds from 1 to {@linkcode MAX_TIMEOUT_MS}.
 *
 * @example
 * ```ts
 * import { parseTimeout } from "./option_values.ts";
 * console.assert(parseTimeout("300", "--timeout") === 300);
 * ```
 */
export function parseTimeout(text: string, flag: string): number {
  const ms = /^[1-9]\d{0,8}$/.test(text) ? Number(text) : NaN;
  if (!(ms <= MAX_TIMEOUT_MS)) {
    throw new UsageError(`invalid ${flag} ${text} (expected 1-${MAX_TIMEOUT_MS} ms)`);
  }
  return ms;
}

/**
 * `host:port` or `[v6]:port`: a tracker given in one option.
 *
 * @example
 * ```ts
 * import { parseTrackerAddress } from "./option_values.ts";
 * const { host, port } = parseTrackerAddress("[::1]:5000", "--tracker");
 * console.assert(host === "::1" && port === 5000);
 * ```
 */
export function parseTrackerAddress(
  text: string,
  flag: string,
): { readonly host: string; readonly port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):([^:]+)$/.exec(text);
  const port = match ? parsePort(match[3]) : undefined;
  if (!match || port === undefined) {
    throw new UsageError(`invalid ${flag} "${text}": expected HOST:PORT with PORT 1-65535`);
  }
  return { host: match[1] ?? match[2], port };
}

/** A whole number from 1 to `max`. */
export function parseCount(text: string, flag: string, max = 999_999): number {
  if (!/^[1-9]\d{0,5}$/.test(text) || Number(text) > max) {
    throw new UsageError(`invalid ${flag} ${text} (expected 1-${max})`);
  }
  return Number(text);
}

const UNITS: Record<string, number> = {
  "": 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** `500000`, `512k`, `10M`, `1G` → bytes per second. */
export function parseRate(text: string, flag: string): number {
  const rate = bytesOf(text, /^(\d+(?:\.\d+)?)([kKmMgG]?)$/);
  if (!(rate >= 1)) {
    throw new UsageError(`invalid ${flag} ${text} (expected bytes per second, e.g. 10M)`);
  }
  return rate;
}

/** `1000000`, `512k`, `64G`, `1T` → bytes, at most 2⁵³ − 1. */
export function parseSize(text: string, flag: string): number {
  const size = bytesOf(text, /^(\d+(?:\.\d+)?)([kKmMgGtT]?)$/);
  if (!(size >= 1 && size <= Number.MAX_SAFE_INTEGER)) {
    throw new UsageError(`invalid ${flag} ${text} (expected a size in bytes, e.g. 64G)`);
  }
  return size;
}

/** A number with an optional binary unit suffix, as `pattern` allows it; NaN when it does not. */
function bytesOf(text: string, pattern: RegExp): number {
  const match = pattern.exec(text);
  return match ? Math.floor(Number(match[1]) * UNITS[match[2].toLowerCase()]) : NaN;
}
