/**
 * Getting a file from the holders the tracker named — the one entry of every download, v1 or v2,
 * from one holder or several. It checks the name, picks the version to insist on (the size and
 * digest most holders published) and the holders that have it — and when that version fails with
 * every one of its holders, the next version in order of holders, each verified against its own
 * digest, so one user publishing a bogus digest cannot make a name undownloadable — makes sure no
 * other download of this process fills the same part file, has the part file filled, and links
 * the file into place without overwriting anything.
 *
 * The way down: this module → `fill_part.ts` (resume, verify; or a v1 stream) → `scheduler.ts`
 * (who fetches what) → `fetch_range.ts` (one connection) → `connect.ts`, `status_line.ts`. Beside
 * the way: the part files (`part_file.ts`, `complete_ranges.ts`, `resume_note.ts`) and the final
 * name (`final_name.ts`).
 *
 * @module
 */

import { resolve } from "node:path";
import type { Holder, TlsEndpoint } from "../../protocol/mod.ts";
import { removeQuietly } from "../../util/mod.ts";
import { asDownloadError, DownloadError } from "./errors.ts";
import { fillPartFile, fillStreamFile } from "./fill_part.ts";
import { checkedFinalPath, placeWithoutOverwriting } from "./final_name.ts";
import {
  addressesOf,
  type ExpectedFile,
  holderLabel,
  hostPort,
  publishedVersions,
  versionLabel,
} from "./holders.ts";
import type { PublishedVersion } from "./holders.ts";
import type {
  DownloadFileOptions,
  DownloadFromHoldersOptions,
  DownloadSettings,
  HoldersDownloadResult,
} from "./options.ts";
import { partFileName, resumablePartName } from "./part_names.ts";
import type { HolderSource } from "./scheduler.ts";

/** Part files being written by this process: two downloads never share one. */
const partsInUse = new Set<string>();

/**
 * Downloads `file` into `dir` from `holders`, verifying it against `expected` (or what the v2
 * holders published).
 *
 * @throws {DownloadError} with a one-line reason; the final name is then never created. An
 * interrupted verified download keeps its part file, and the next call for the same file and
 * digest continues from it.
 *
 * @example
 * ```ts ignore
 * import { downloadFromHolders } from "./from_holders.ts";
 * const result = await downloadFromHolders({ file: "a.bin", dir: ".", holders });
 * console.log(`${result.bytes} bytes from ${result.fromHolders.join(", ")}`);
 * ```
 */
export async function downloadFromHolders(
  options: DownloadFromHoldersOptions,
): Promise<HoldersDownloadResult> {
  const started = performance.now();
  const told = options.onCleartext;
  let toldOnce = false;
  // Said once per download, however many versions are tried.
  options = {
    ...options,
    onCleartext: (holders) => {
      if (!toldOnce) told?.(holders);
      toldOnce = true;
    },
  };
  try {
    const final = await checkedFinalPath(options);
    if (options.holders.length === 0) {
      throw new DownloadError("holders", "no holder to download from");
    }
    if (options.expected !== undefined) {
      const sources = securedSources(
        sourcesFor(options.file, options.holders, options.expected),
        options,
      );
      return await download(options, sources, options.expected, final, started);
    }
    const versions = publishedVersions(options.holders);
    if (versions.length === 0) {
      // v1 holders only: nothing to choose, nothing to verify against.
      const sources = securedSources(sourcesFor(options.file, options.holders, undefined), options);
      return await download(options, sources, undefined, final, started);
    }
    return await downloadSomeVersion(options, versions, final, started);
  } catch (error) {
    throw asDownloadError(error);
  }
}

/**
 * Tries each published version in turn (most holders first) until one is fetched and verified.
 * A version fails only when every one of its holders did (or what they sent did not match its
 * digest); a cancelled download or a local problem stops at once.
 */
async function downloadSomeVersion(
  options: DownloadFromHoldersOptions,
  versions: readonly PublishedVersion[],
  final: string,
  started: number,
): Promise<HoldersDownloadResult> {
  const failed: string[] = [];
  for (const [index, version] of versions.entries()) {
    const { expected } = version;
    try {
      const sources = securedSources(
        sourcesFor(options.file, options.holders, expected),
        options,
      );
      const result = await download(options, sources, expected, final, started);
      if (failed.length > 0) {
        options.onNotice?.(`fetched the version of ${versionLabel(version)}`);
      }
      return { ...result, expected, failedVersions: failed };
    } catch (error) {
      const failure = asDownloadError(error);
      if (failure.kind !== "holders" && failure.kind !== "mismatch") throw failure;
      // One version alone says its own reason, as it always did.
      if (versions.length === 1) throw failure;
      failed.push(`${versionLabel(version)}: ${failure.message}`);
      const next = versions[index + 1];
      if (next === undefined) {
        throw new DownloadError(
          "holders",
          `every published version failed — ${failed.join("; ")}`,
        );
      }
      options.onNotice?.(
        `the version of ${
          versionLabel(version)
        } failed (${failure.message}); trying the version of ${versionLabel(next)}`,
      );
    }
  }
  // Unreachable: the loop returns or throws on its last version.
  throw new DownloadError("holders", "no published version to download");
}

/**
 * Downloads `file` from the v1 uploader at `host:port` into `dir`. Its failures are said without
 * naming a holder.
 *
 * @throws {DownloadError} with a one-line reason; the final name is then never created.
 *
 * @example
 * ```ts ignore
 * import { downloadFile } from "./from_holders.ts";
 * const { bytes } = await downloadFile({ host: "127.0.0.1", port: 40123, file: "a.txt", dir: "." });
 * ```
 */
export async function downloadFile(options: DownloadFileOptions): Promise<HoldersDownloadResult> {
  const started = performance.now();
  try {
    const final = await checkedFinalPath(options);
    const { host, port } = options;
    const source = { addresses: [{ host, port }], mode: "v1" } as const;
    return await download(
      options,
      [{ user: hostPort(host, port), source }],
      undefined,
      final,
      started,
    );
  } catch (error) {
    throw asDownloadError(error);
  }
}

/** The holders to fetch from: those with the expected version, then v1 holders (no digest). */
function sourcesFor(
  file: string,
  holders: readonly Holder[],
  expected: ExpectedFile | undefined,
): HolderSource[] {
  const sourceOf = (holder: Holder, mode: "v1" | "v2", tls?: TlsEndpoint): HolderSource => ({
    user: holder.user,
    source: {
      label: holderLabel(holder),
      addresses: addressesOf(holder),
      mode,
      ...(tls ? { tls } : {}),
    },
  });
  // No digest anywhere: v1 holders only, each streaming what it has.
  if (expected === undefined) return holders.map((holder) => sourceOf(holder, "v1"));
  const sources: HolderSource[] = [];
  let otherVersions = 0;
  for (const holder of holders) {
    if (holder.sha256 === undefined || holder.size === undefined) continue;
    if (holder.sha256 !== expected.sha256 || holder.size !== expected.size) {
      otherVersions++;
      continue;
    }
    sources.push(sourceOf(holder, "v2", holder.tls));
  }
  // v1 holders cannot resume or range, but with a known digest what they send is verified too.
  for (const holder of holders) {
    if (holder.sha256 === undefined) sources.push(sourceOf(holder, "v1"));
  }
  if (sources.length === 0) {
    throw new DownloadError(
      "holders",
      `no holder offers the expected version of ${file} (${otherVersions} offer another)`,
    );
  }
  return sources;
}

/**
 * The sources a download may use: with `requireTls`, only those with a pinned TLS endpoint; else
 * all, and the user is told once which will send in clear.
 */
function securedSources(
  sources: HolderSource[],
  options: {
    readonly file: string;
    readonly requireTls?: boolean;
    readonly onCleartext?: (holders: readonly string[]) => void;
  },
): HolderSource[] {
  const clear = sources.filter(({ source }) => source.tls === undefined);
  if (clear.length === 0) return sources;
  const who = clear.map(({ source, user }) => source.label ?? user).join(", ");
  if (options.requireTls) {
    const secured = sources.filter(({ source }) => source.tls !== undefined);
    if (secured.length === 0) {
      throw new DownloadError(
        "holders",
        `no holder of ${options.file} offers TLS (${who} would send in clear) and --require-tls is set`,
      );
    }
    return secured;
  }
  options.onCleartext?.(clear.map(({ source, user }) => source.label ?? user));
  return sources;
}

/** One download at a time per part file, verified when there is a digest to check. */
async function download(
  settings: DownloadSettings,
  sources: readonly HolderSource[],
  expected: ExpectedFile | undefined,
  final: string,
  started: number,
): Promise<HoldersDownloadResult> {
  const { file, dir } = settings;
  const partPath = resolve(
    dir,
    expected === undefined ? partFileName(file) : resumablePartName(file, expected.sha256),
  );
  if (partsInUse.has(partPath)) {
    throw new DownloadError("local", `${file} is already being downloaded`);
  }
  partsInUse.add(partPath);
  try {
    const done = expected === undefined
      ? await fillStreamFile(settings, sources, partPath)
      : await fillPartFile(settings, sources, expected, partPath);
    try {
      await placeWithoutOverwriting(partPath, final, settings);
    } finally {
      await removeQuietly(partPath);
    }
    const { shares } = done;
    return {
      path: final,
      bytes: done.bytes,
      fromHolders: shares.filter((share) => share.bytes > 0 || share.confirmed).map((share) =>
        share.user
      ),
      resumedFrom: done.resumedFrom,
      ms: performance.now() - started,
      verified: expected !== undefined,
      sources: shares.map(({ user, bytes }) => ({ user, bytes })),
    };
  } finally {
    partsInUse.delete(partPath);
  }
}
