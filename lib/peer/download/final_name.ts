/**
 * The file's own name in the share folder: checked before a download connects anywhere, and
 * taken only at the end, without ever replacing anything that is there.
 *
 * @module
 */

import { join } from "node:path";
import { v2FileNameProblem } from "../../protocol/mod.ts";
import { errorText, exists, removeQuietly } from "../../util/mod.ts";
import { isReservedName, RESERVED_NAME_PREFIX } from "../share/mod.ts";
import { cancelled, DownloadError } from "./errors.ts";

/**
 * The checks every download makes before it connects anywhere: the name is a valid file name
 * and not reserved for PeerSync's own files (`.peersync-…`), nothing exists under it in `dir`
 * yet, and the download is not cancelled already. Returns the path the file will have.
 *
 * @throws {DownloadError} saying which check failed.
 */
export async function checkedFinalPath(
  options: { readonly file: string; readonly dir: string; readonly signal?: AbortSignal },
): Promise<string> {
  const { file, dir } = options;
  const problem = v2FileNameProblem(file);
  if (problem !== undefined) throw new DownloadError("invalid", `invalid file name (${problem})`);
  if (isReservedName(file)) {
    throw new DownloadError("invalid", `invalid file name (${RESERVED_NAME_PREFIX}… is reserved)`);
  }
  const final = join(dir, file);
  if (await exists(final)) {
    throw new DownloadError("exists", `${file} already exists in ${dir}; not overwriting`);
  }
  if (options.signal?.aborted) throw cancelled();
  return final;
}

/**
 * Moves the finished temporary file to its final name without ever replacing an existing file:
 * a hard link fails when the target exists, where a rename would silently overwrite it. The
 * temporary name is left for the caller to remove.
 *
 * @throws {DownloadError} when the final name exists or cannot be created.
 */
export async function placeWithoutOverwriting(
  temp: string,
  final: string,
  options: { readonly file: string; readonly dir: string },
): Promise<void> {
  const appeared = () =>
    new DownloadError(
      "exists",
      `${options.file} appeared in ${options.dir} meanwhile; not overwriting`,
    );
  try {
    await Deno.link(temp, final);
    return;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) throw appeared();
  }
  // No hard links here (some file systems): claim the name exclusively, then move onto the claim.
  try {
    (await Deno.open(final, { write: true, createNew: true })).close();
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) throw appeared();
    throw new DownloadError("local", `cannot create ${final}: ${errorText(error)}`);
  }
  try {
    await Deno.rename(temp, final);
  } catch (error) {
    await removeQuietly(final);
    throw new DownloadError("local", `cannot create ${final}: ${errorText(error)}`);
  }
}
