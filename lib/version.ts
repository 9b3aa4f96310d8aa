/**
 * The one version number of PeerSync, printed by `--version` of every program and by
 * `scripts/compile.sh`.
 *
 * @module
 */

/**
 * The release, as `MAJOR.MINOR.PATCH`.
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.assert(/^\d+\.\d+\.\d+$/.test(VERSION));
 * ```
 */
export const VERSION = "0.13.0";
