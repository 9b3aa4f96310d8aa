/**
 * Sizes and durations as the user reads them, in one wording everywhere: messages, the progress
 * bar and the line after a download.
 *
 * @module
 */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/**
 * Bytes in binary units with one decimal (`0 B`, `1023 B`, `1.5 KiB`, `5.0 MiB`).
 *
 * @example
 * ```ts
 * import { formatBytes } from "./format.ts";
 * console.assert(formatBytes(1023) === "1023 B");
 * console.assert(formatBytes(5 * 1024 * 1024) === "5.0 MiB");
 * ```
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * A duration as `0.4 s`, `12 s`, `3:05` or `1:02:03` (a progress bar's time left, a download's
 * time taken).
 *
 * @example
 * ```ts
 * import { formatDuration } from "./format.ts";
 * console.assert(formatDuration(400) === "0.4 s");
 * console.assert(formatDuration(185_000) === "3:05");
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const pad = (value: number) => String(value).padStart(2, "0");
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor(seconds / 60) % 60;
  return hours > 0
    ? `${hours}:${pad(minutes)}:${pad(seconds % 60)}`
    : `${minutes}:${pad(seconds % 60)}`;
}

/**
 * A timeout or a wait in whole seconds (`5 s`, `30 s`), or tenths below one (`0.2 s`): how a
 * message names a configured time.
 *
 * @example
 * ```ts
 * import { formatSeconds } from "./format.ts";
 * console.assert(formatSeconds(5000) === "5 s");
 * console.assert(formatSeconds(200) === "0.2 s");
 * ```
 */
export function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}
