/**
 * The part files earlier downloads left in the share folder, for `jobs`: a part file's name is
 * hashed (`.peersync-<name hash>-<digest>.part`), so which file it belongs to is found by hashing
 * the names this session knows (its jobs, its publications) — `partOwner`, pure — and the folder
 * is read by `listPartFiles`.
 *
 * @module
 */

import { join } from "node:path";
import { formatBytes } from "../../util/mod.ts";
import { displayText } from "../../protocol/display_text.ts";
import { showName } from "./words.ts";
import { partFileName } from "../download/mod.ts";

/** A verified download's part file, which `get` resumes: both hashes are 16 hex digits. */
const RESUMABLE_PART = /^\.peersync-[0-9a-f]{16}-[0-9a-f]{16}\.part$/;

/** One part file in the share folder. */
export interface PartFileEntry {
  readonly name: string;
  readonly bytes: number;
}

/**
 * Which of `names` the part file `partName` was made for, if any.
 *
 * @example
 * ```ts
 * import { partOwner } from "./part_files.ts";
 * import { resumablePartName } from "../download/mod.ts";
 * const part = resumablePartName("a.bin", "cd".repeat(32));
 * console.assert(partOwner(part, ["b.bin", "a.bin"]) === "a.bin");
 * console.assert(partOwner(part, ["b.bin"]) === undefined);
 * ```
 */
export function partOwner(partName: string, names: Iterable<string>): string | undefined {
  for (const name of names) {
    const prefix = partFileName(name).replace(/\.part$/, "-");
    if (partName.startsWith(prefix)) return name;
  }
  return undefined;
}

/** The resumable part files in `dir`, by name; none when it cannot be read. */
export async function listPartFiles(dir: string): Promise<PartFileEntry[]> {
  const found: PartFileEntry[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !RESUMABLE_PART.test(entry.name)) continue;
      try {
        const info = await Deno.lstat(join(dir, entry.name));
        if (info.isFile) found.push({ name: entry.name, bytes: info.size });
      } catch {
        // Gone meanwhile.
      }
    }
  } catch {
    // An unreadable folder has nothing to list here; `get` says what is wrong with it.
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The lines `jobs` adds for part files that no active job is filling: the file each belongs to
 * when a known name hashes to it, and how to resume.
 *
 * @example
 * ```ts
 * import { partFileLines } from "./part_files.ts";
 * import { resumablePartName } from "../download/mod.ts";
 * const name = resumablePartName("a.bin", "cd".repeat(32));
 * const lines = partFileLines([{ name, bytes: 2048 }], ["a.bin"]);
 * console.assert(lines[1] === "  a.bin: part file of 2.0 KiB; get a.bin resumes it");
 * ```
 */
export function partFileLines(
  parts: readonly PartFileEntry[],
  known: Iterable<string>,
): string[] {
  if (parts.length === 0) return [];
  const names = [...known];
  return [
    `Part files in the share folder (${parts.length}):`,
    ...parts.map((part) => {
      const owner = partOwner(part.name, names);
      return owner === undefined
        ? `  ${part.name}: part file of ${
          formatBytes(part.bytes)
        }; get the same file again to resume it`
        : `  ${displayText(owner)}: part file of ${formatBytes(part.bytes)}; get ${
          displayText(showName(owner))
        } resumes it`;
    }),
  ];
}
