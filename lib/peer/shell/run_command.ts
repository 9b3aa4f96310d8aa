/**
 * Carrying out a command once logged in: ask the tracker (and say in one line why it could not
 * answer, restoring a session the tracker lost first), publish with size and digest, download
 * with a progress bar, and turn every outcome into an {@linkcode Outcome}: the lines the terminal
 * prints, whether it succeeded, and its `--json` fields.
 *
 * @module
 */

import type { NameList, Reply } from "../../protocol/mod.ts";
import { abortable } from "../../util/mod.ts";
import {
  canFailOver,
  failOverOnce,
  isClosed,
  isNotResponding,
  restoreOnce,
  SessionLostError,
  type TrackerLink,
  TrackerRefusedError,
  UnexpectedReplyError,
  V2ClientClosedError,
} from "../control/mod.ts";
import { DownloadError, downloadFromHolders } from "../download/mod.ts";
import { describeNotShareable, DigestError, fileDigest, resolveSharedFile } from "../share/mod.ts";
import {
  formatDownloaded,
  formatDownloadFailed,
  formatReply,
  TerminalText,
  type TrackerCommandName,
} from "./commands.ts";
import { failed, type FailureKind, type Outcome, outcomeLines, succeeded } from "./outcome.ts";
import { formatSources, formatTransferStats, ProgressDisplay } from "./progress.ts";
import type { Action, LoggedIn } from "./session_parts.ts";

/** How a command tells the user something while it runs (a download's notices). */
export interface RunOptions {
  readonly notice: (line: string) => void;
}

/**
 * Carries out `command` and returns what it came to.
 *
 * @throws whatever is not the tracker's or a download's doing (a stop signal, a bug).
 */
export async function runCommand(
  parts: LoggedIn,
  command: Action,
  run: RunOptions,
): Promise<Outcome> {
  switch (command.kind) {
    case "pub":
      return await publish(parts, command.file);
    case "unp":
      return await unpublish(parts, command.file);
    case "get":
      return await get(parts, command.file, run);
    case "lap":
      return await list(parts, "lap", (link) => link.activePeers(), (list) => ({
        peers: [...list.names],
        omitted: list.omitted,
      }));
    case "lpf":
      return await list(parts, "lpf", (link) => link.publishedFiles(), (list) => ({
        files: [...list.names],
        omitted: list.omitted,
      }));
    case "sch":
      return await list(parts, "sch", (link) => link.search(command.text), (list) => ({
        text: command.text,
        files: [...list.names],
        omitted: list.omitted,
      }));
  }
}

/** The tracker could not answer: what the terminal prints, and its kind. */
interface NoAnswer {
  readonly noAnswer: FailureKind;
  readonly message: string;
}

function noAnswer(kind: FailureKind, message: string): NoAnswer {
  return { noAnswer: kind, message };
}

function isNoAnswer<T>(value: T | NoAnswer): value is NoAnswer {
  return typeof value === "object" && value !== null && "noAnswer" in value;
}

/** A reply that is not the one the command expects: the tracker's `ERR`, or nonsense. */
function unexpected(command: TrackerCommandName, reply: Reply): Outcome {
  return failed(command, "trackerRefused", formatReply(command, reply).join(" "));
}

/** A command that only asks the tracker for a list, and prints it. */
async function list(
  parts: LoggedIn,
  command: "lap" | "lpf" | "sch",
  question: (link: TrackerLink) => Promise<Reply>,
  fields: (list: NameList) => { readonly [key: string]: string[] | string | number },
): Promise<Outcome> {
  const reply = await ask(parts, question);
  if (isNoAnswer(reply)) return failed(command, reply.noAnswer, reply.message);
  const expected = { lap: "peers", lpf: "publishedFiles", sch: "found" }[command];
  if (reply.kind !== expected || !("list" in reply)) return unexpected(command, reply);
  return succeeded(command, formatReply(command, reply), fields(reply.list));
}

/** Asks the tracker, turning the failures every command shares into a {@linkcode NoAnswer}. */
async function ask<T>(
  parts: LoggedIn,
  question: (link: TrackerLink) => Promise<T>,
  mayRestore = true,
): Promise<T | NoAnswer> {
  const asked = parts.link;
  try {
    return await abortable(question(asked), parts.signal);
  } catch (error) {
    if (isNotResponding(error)) {
      // With several trackers, the command is asked once more of the next that answers.
      if (mayRestore && canFailOver(parts) && await failOverOnce(parts)) {
        return await ask(parts, question, false);
      }
      return noAnswer("trackerNotResponding", TerminalText.trackerNotResponding);
    }
    if (error instanceof UnexpectedReplyError) {
      return noAnswer("trackerRefused", `Unexpected reply from the tracker: ${error.reason}`);
    }
    // Restored meanwhile (a heartbeat noticed first, and the old link is closed or refused):
    // just ask the new session.
    const lostMeanwhile = error instanceof SessionLostError ||
      error instanceof V2ClientClosedError ||
      isClosed(error);
    if (lostMeanwhile && mayRestore && parts.link !== asked) {
      return await ask(parts, question, false);
    }
    if (error instanceof SessionLostError) {
      if (mayRestore && parts.link.version === 2) {
        if (await restoreOnce(parts)) return await ask(parts, question, false);
        if (canFailOver(parts) && await failOverOnce(parts, "lost")) {
          return await ask(parts, question, false);
        }
        return noAnswer(
          "sessionLost",
          `The tracker had lost this session, and logging in again failed (${
            parts.lastRestoreFailure ?? "no answer"
          })`,
        );
      }
      return noAnswer("sessionLost", `The tracker refused the request: ${error.message}`);
    }
    if (error instanceof TrackerRefusedError) {
      // `ERR broad`: the tracker would not count that many names; a longer text narrows it.
      return noAnswer(
        "trackerRefused",
        error.code === "broad" ? TerminalText.searchTooBroad : TerminalText.trackerRefused,
      );
    }
    throw error;
  }
}

async function publish(parts: LoggedIn, file: string): Promise<Outcome> {
  const { dir } = parts.options;
  const shared = await resolveSharedFile(dir, file);
  if (!shared.ok) {
    return failed(
      "pub",
      "notShareable",
      `Cannot publish ${file}: ${describeNotShareable(shared.reason, dir)}`,
    );
  }
  let meta: { size: number; sha256: string; mtimeMs?: number } = { size: 0, sha256: "" };
  if (parts.link.version === 2) {
    // v2 publishes size and digest so downloaders can verify; v1 has no field for them.
    try {
      meta = await fileDigest(dir, file, parts.digests);
    } catch (error) {
      if (error instanceof DigestError) {
        return failed("pub", "notShareable", `Cannot publish ${file}: ${error.message}`);
      }
      throw error;
    }
  }
  const reply = await ask(
    parts,
    (link) => link.publish(file, { size: meta.size, sha256: meta.sha256 }),
  );
  if (isNoAnswer(reply)) return failed("pub", reply.noAnswer, reply.message);
  if (reply.kind !== "published") return unexpected("pub", reply);
  parts.published.add(file);
  if (meta.mtimeMs !== undefined) {
    parts.versions?.set(file, { size: meta.size, sha256: meta.sha256, mtimeMs: meta.mtimeMs });
  }
  return succeeded(
    "pub",
    formatReply("pub", reply),
    parts.link.version === 2 ? { file, size: meta.size, sha256: meta.sha256 } : { file },
  );
}

async function unpublish(parts: LoggedIn, file: string): Promise<Outcome> {
  const reply = await ask(parts, (link) => link.unpublish(file));
  if (isNoAnswer(reply)) return failed("unp", reply.noAnswer, reply.message);
  // Either way the tracker no longer lists it, so it must no longer be served.
  if (reply.kind === "unpublished" || reply.kind === "unpublishFailed") {
    parts.published.delete(file);
    parts.versions?.delete(file);
  }
  if (reply.kind === "unpublished") return succeeded("unp", formatReply("unp", reply), { file });
  if (reply.kind === "unpublishFailed") {
    return failed("unp", "unpublishFailed", TerminalText.unpublishFailed);
  }
  return unexpected("unp", reply);
}

async function get(parts: LoggedIn, file: string, run: RunOptions): Promise<Outcome> {
  const located = await ask(parts, (link) => link.locate(file));
  if (isNoAnswer(located)) return failed("get", located.noAnswer, located.message);
  if (located.kind === "fileNotFound") {
    return failed("get", "fileNotFound", TerminalText.fileNotFound);
  }
  if (located.kind === "noActiveHolder") {
    return failed("get", "noActiveHolder", TerminalText.noActiveHolder);
  }
  const { signal, dir } = parts.options;
  const display = new ProgressDisplay({ file });
  try {
    // Every holder is tried (and, for a large file, several at once), and every published
    // version, most holders first; the whole file is verified before it gets its name.
    const result = await downloadFromHolders({
      file,
      dir,
      holders: located.holders,
      signal,
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
      onProgress: (progress) => display.update(progress),
      onNotice: (line) => {
        display.finish();
        run.notice(line);
      },
    });
    display.finish();
    const stats = formatTransferStats(result.bytes, result.ms);
    const sources = formatSources(result);
    // Said on standard error: standard output keeps the v1 terminal's lines word for word.
    const seeding = parts.options.noSeed ? undefined : await seedDownloaded(parts, file, result);
    if (seeding !== undefined) parts.notify(seeding.line);
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
    });
  } catch (error) {
    display.finish();
    if (signal.aborted) throw signal.reason;
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
    ? { ok: true, line: `Now sharing ${file}` }
    : { ok: false, line: `Not sharing ${file}: ${outcomeLines(outcome).join(" ")}` };
}
