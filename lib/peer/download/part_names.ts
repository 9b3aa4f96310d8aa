/**
 * The names a download works under in the share folder before the file gets its own: all start
 * with `.peersync-` (so they are never published or served), sit in the same folder (so the final
 * link never crosses file systems) and are one valid, fixed-length component (hashes, not the
 * name itself).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { RESERVED_NAME_PREFIX } from "../share/mod.ts";

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/**
 * The temporary name of a download with no digest to verify against (v1 holders only), which
 * starts over with every holder: `.peersync-<first 16 hex of SHA-256(file)>.part`.
 *
 * @example
 * ```ts
 * import { partFileName } from "./part_names.ts";
 * console.assert(/^\.peersync-[0-9a-f]{16}\.part$/.test(partFileName("movie.mkv")));
 * ```
 */
export function partFileName(file: string): string {
  return `${RESERVED_NAME_PREFIX}${shortHash(file)}.part`;
}

/**
 * The part file of a verified download, which a later download of the same version resumes:
 * `.peersync-<first 16 hex of SHA-256(file)>-<first 16 hex of the expected digest>.part`. The
 * digest in the name keeps a different version from resuming onto a wrong prefix.
 *
 * @example
 * ```ts
 * import { resumablePartName } from "./part_names.ts";
 * const name = resumablePartName("movie.mkv", "ab".repeat(32));
 * console.assert(/^\.peersync-[0-9a-f]{16}-abababababababab\.part$/.test(name));
 * ```
 */
export function resumablePartName(file: string, sha256: string): string {
  return `${RESERVED_NAME_PREFIX}${shortHash(file)}-${sha256.slice(0, 16)}.part`;
}

/**
 * The note beside a part file while several ranges fill it: which of its ranges are known
 * complete. A download killed mid-way resumes from there, never from a prefix with holes.
 *
 * @example
 * ```ts
 * import { resumeNoteName } from "./part_names.ts";
 * console.assert(resumeNoteName(".peersync-1-2.part") === ".peersync-1-2.resume");
 * ```
 */
export function resumeNoteName(partName: string): string {
  return partName.replace(/\.part$/, ".resume");
}
