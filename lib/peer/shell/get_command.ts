/**
 * `get`: locate a file's holders, choose among its versions (`-v`, or most holders first with
 * the list shown), download it with a progress bar (or into a background job), say what the
 * user can do when it is cancelled, and seed what arrived.
 *
 * @module
 */

import { hasSpace } from "../../protocol/mod.ts";
import { DownloadError, downloadFromHolders, type TransferProgress } from "../download/mod.ts";
import { resolveSharedFile } from "../share/mod.ts";
import { type Command, TerminalText } from "./commands.ts";
import { formatDownloadCancelled, formatDownloaded, formatDownloadFailed } from "./reply_lines.ts";
import { failed, type Outcome, outcomeLines, succeeded } from "./outcome.ts";
import { formatSources, formatTransferStats, ProgressDisplay } from "./progress.ts";
import { publish } from "./publish_command.ts";
import type { LoggedIn } from "./session_parts.ts";
import { ask, isNoAnswer, needsV2 } from "./tracker_ask.ts";
import { chooseVersion, holderVersions, versionLines } from "./versions.ts";
import { showName } from "./words.ts";

/** How a command tells the user something while it runs, and how the user cancels it. */
export interface RunOptions {
  readonly notice: (line: string) => void;
  /**
   * Cancels this command alone (Ctrl-C at a terminal, `cancel` of a background `get`): a download
   * stops, keeps its part file and comes back as a `cancelled` outcome; a tracker request ends
   * within its timeout anyway. The session's own signal still stops everything.
   */
  readonly cancel?: AbortSignal;
  /** Where a download's progress goes instead of the progress bar (a background `get`). */
  readonly onProgress?: (progress: TransferProgress) => void;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

export async function get(
  parts: LoggedIn,
  command: Extract<Command, { kind: "get" }>,
  run: RunOptions,
): Promise<Outcome> {
  const { file } = command;
  const located = await ask(parts, (link) => link.locate(file));
  if (isNoAnswer(located) && located.noAnswer === "trackerRefused" && hasSpace(file)) {
    return failed("get", "needsV2", needsV2(file, "name", true));
  }
  if (isNoAnswer(located)) return failed("get", located.noAnswer, located.message);
  if (located.kind === "fileNotFound") {
    return failed("get", "fileNotFound", TerminalText.fileNotFound);
  }
  if (located.kind === "noActiveHolder") {
    return failed("get", "noActiveHolder", TerminalText.noActiveHolder);
  }
  // Several versions under one name are never fetched silently: with `-v` only the chosen one;
  // without, the list is shown and they are tried most holders first (refusing would let any
  // user make a name undownloadable by publishing a bogus version of it).
  const versions = holderVersions(located.holders);
  const numbered = versionLines(
    versions.map((version) => ({
      ...(version.size === undefined ? {} : { size: version.size }),
      ...(version.sha256 === undefined ? {} : { digest: version.sha256 }),
      holders: version.holders.length,
    })),
  );
  let holders = located.holders;
  if (command.version !== undefined) {
    const chosen = chooseVersion(versions, command.version);
    if (!chosen.ok) {
      run.notice(`${showName(file)} has ${plural(versions.length, "version")}:`);
      for (const line of numbered) run.notice(line);
      return failed(
        "get",
        "noSuchVersion",
        `${showName(file)}: ${chosen.reason}; choose one of those listed with get -v N`,
      );
    }
    holders = chosen.version.holders;
  } else if (versions.length > 1) {
    run.notice(
      `${showName(file)} has ${versions.length} versions; trying them most holders first ` +
        `(choose one with get -v N ${showName(file)}):`,
    );
    for (const line of numbered) run.notice(line);
  }
  const { signal, dir } = parts.options;
  // A background download draws no bar of its own: its progress goes to the job table.
  const display = run.onProgress === undefined ? new ProgressDisplay({ file }) : undefined;
  const onProgress = run.onProgress ?? ((progress: TransferProgress) => display?.update(progress));
  const cancel = run.cancel;
  try {
    // Every holder is tried (and, for a large file, several at once), and every published
    // version, most holders first; the whole file is verified before it gets its name.
    const result = await downloadFromHolders({
      file,
      dir,
      holders,
      signal: cancel === undefined ? signal : AbortSignal.any([signal, cancel]),
      rateLimitBytesPerSecond: parts.options.downloadLimit,
      parallel: parts.options.maxSources,
      maxV1Bytes: parts.options.maxV1Bytes,
      requireTls: parts.options.requireTls,
      // On stderr: standard output keeps the v1 wording word for word.
      onCleartext: (holders) =>
        parts.options.terminal.error(
          `${holders.join(", ")} offer${holders.length === 1 ? "s" : ""} no TLS (v1 or older ` +
            `peer): what comes from ${
              holders.length === 1 ? "it" : "them"
            } crosses the network in clear`,
        ),
      onProgress,
      onNotice: (line) => {
        display?.finish();
        run.notice(line);
      },
    });
    display?.finish();
    const stats = formatTransferStats(result.bytes, result.ms, result.resumedFrom);
    const sources = formatSources(result);
    // Said on standard error after the download's own lines (`notices`): standard output keeps
    // the v1 terminal's lines word for word.
    const seeding = parts.options.noSeed ? undefined : await seedDownloaded(parts, file, result);
    return succeeded("get", [
      formatDownloaded(file),
      result.verified
        ? `${stats}, SHA-256 verified${sources}`
        : `${stats}${sources} (v1 holder: not verifiable)`,
    ], {
      file,
      path: result.path,
      bytes: result.bytes,
      ms: Math.round(result.ms),
      verified: result.verified,
      ...(result.expected === undefined ? {} : { sha256: result.expected.sha256 }),
      resumedFrom: result.resumedFrom,
      sources: result.sources.map((source) => ({ user: source.user, bytes: source.bytes })),
      seeding: seeding?.ok ?? false,
    }, seeding === undefined ? undefined : [seeding.line]);
  } catch (error) {
    display?.finish();
    if (signal.aborted) throw signal.reason;
    if (cancel?.aborted) return failed("get", "cancelled", formatDownloadCancelled(file));
    if (error instanceof DownloadError) {
      return failed("get", "downloadFailed", formatDownloadFailed(file, error.message));
    }
    throw error;
  }
}

/**
 * Publishes a file just downloaded, so the next downloader can fetch it here too; a verified
 * download's digest is remembered first, so publishing does not read the file again.
 */
async function seedDownloaded(
  parts: LoggedIn,
  file: string,
  result: {
    readonly path: string;
    readonly verified: boolean;
    readonly expected?: { readonly sha256: string };
  },
): Promise<{ readonly ok: boolean; readonly line: string }> {
  if (result.verified && result.expected !== undefined) {
    const shared = await resolveSharedFile(parts.options.dir, file);
    try {
      const info = await Deno.stat(result.path);
      if (shared.ok && info.mtime !== null) {
        parts.digests.remember(shared.path, {
          size: info.size,
          sha256: result.expected.sha256,
          mtimeMs: info.mtime.getTime(),
          ino: info.ino,
        });
      }
    } catch {
      // Gone already: publishing says so below.
    }
  }
  const outcome = await publish(parts, file);
  return outcome.ok
    ? { ok: true, line: `Now sharing ${showName(file)}` }
    : { ok: false, line: `Not sharing ${showName(file)}: ${outcomeLines(outcome).join(" ")}` };
}
