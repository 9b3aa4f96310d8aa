/**
 * The file's own name in the share folder: checked before a download connects anywhere, and
 * taken only at the end, without ever replacing anything that is there.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { v2FileNameProblem } from "../../protocol/mod.ts";
import { delay, errorText, exists, removeQuietly } from "../../util/mod.ts";
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

/** The two file-system calls placing a file makes; tests replace them to act out other systems. */
export interface PlacingCalls {
  /** Creates `to` as a second name of `from`; fails when `to` exists. */
  link(from: string, to: string): Promise<void>;
  /** Moves `from` to `to`, replacing whatever is there. */
  rename(from: string, to: string): Promise<void>;
}

const DENO_CALLS: PlacingCalls = {
  link: (from, to) => Deno.link(from, to),
  rename: (from, to) => Deno.rename(from, to),
};

/**
 * A claim older than this was left by a process that died while placing (placing takes
 * milliseconds), so it is taken over.
 */
const STALE_CLAIM_MS = 10_000;

/**
 * Moves the finished temporary file to its final name without ever replacing an existing file:
 * a hard link fails when the target exists, where a rename would silently overwrite it. The
 * temporary name is left for the caller to remove.
 *
 * Where hard links do not exist (vfat, exFAT, some network mounts), the file is renamed into
 * place, so the final name is either absent or the whole verified file — never empty or half
 * written, even if the process dies at any moment. No rename that refuses to replace is at hand
 * (Deno has no `renameat2`), so the name is checked just before the rename, and a claim on a
 * reserved side name (`.peersync-<a>.placing`) keeps other downloads, in this process or another,
 * from placing the same name in between. What remains is a window of microseconds in which a
 * program other than PeerSync creating that very name would lose its file (docs/security.md).
 *
 * @throws {DownloadError} when the final name exists or cannot be created.
 *
 * @example
 * ```ts
 * import { placeWithoutOverwriting } from "./final_name.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/.peersync-x.part`, "done");
 * await placeWithoutOverwriting(`${dir}/.peersync-x.part`, `${dir}/a.txt`, { file: "a.txt", dir });
 * console.assert(await Deno.readTextFile(`${dir}/a.txt`) === "done");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function placeWithoutOverwriting(
  temp: string,
  final: string,
  options: { readonly file: string; readonly dir: string; readonly calls?: PlacingCalls },
): Promise<void> {
  const calls = options.calls ?? DENO_CALLS;
  const appeared = () =>
    new DownloadError(
      "exists",
      `${options.file} appeared in ${options.dir} meanwhile; not overwriting`,
    );
  try {
    await calls.link(temp, final);
    return;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) throw appeared();
  }
  // No hard links here: an exclusive claim beside the name, then a rename onto a free name.
  const claim = join(options.dir, placingClaimName(options.file));
  await takeClaim(claim, options.file);
  try {
    if (await exists(final)) throw appeared();
    await calls.rename(temp, final);
  } catch (error) {
    if (error instanceof DownloadError) throw error;
    throw new DownloadError("local", `cannot create ${final}: ${errorText(error)}`);
  } finally {
    await removeQuietly(claim);
  }
}

/**
 * The side name claimed while a file is renamed into place:
 * `.peersync-<first 16 hex of SHA-256(file)>.placing`.
 *
 * @example
 * ```ts
 * import { placingClaimName } from "./final_name.ts";
 * console.assert(/^\.peersync-[0-9a-f]{16}\.placing$/.test(placingClaimName("a.txt")));
 * ```
 */
export function placingClaimName(file: string): string {
  return `${RESERVED_NAME_PREFIX}${
    createHash("sha256").update(file).digest("hex").slice(0, 16)
  }.placing`;
}

/** How long a download waits for another one placing the same name before it gives up. */
const CLAIM_WAIT_MS = 1_000;

async function takeClaim(claim: string, file: string): Promise<void> {
  const started = Date.now();
  let tookOver = false;
  for (;;) {
    try {
      (await Deno.open(claim, { write: true, createNew: true })).close();
      return;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) {
        throw new DownloadError("local", `cannot create ${claim}: ${errorText(error)}`);
      }
    }
    if (!tookOver && await isStale(claim)) {
      tookOver = true;
      await removeQuietly(claim);
    } else if (Date.now() - started < CLAIM_WAIT_MS) {
      await delay(20);
    } else {
      throw new DownloadError("exists", `another download is placing ${file} right now`);
    }
  }
}

async function isStale(claim: string): Promise<boolean> {
  try {
    const mtime = (await Deno.lstat(claim)).mtime;
    return mtime === null || Date.now() - mtime.getTime() > STALE_CLAIM_MS;
  } catch {
    return true;
  }
}
