/**
 * Carrying out a command once logged in: ask the tracker (and say in one line why it could not
 * answer, restoring a session the tracker lost first), publish with size and digest, download
 * with a progress bar, and turn every outcome into the lines the terminal prints.
 *
 * @module
 */

import type { Reply } from "../../protocol/mod.ts";
import { abortable } from "../../util/mod.ts";
import {
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
  type Command,
  formatDownloaded,
  formatDownloadFailed,
  formatReply,
  TerminalText,
} from "./commands.ts";
import { formatSources, formatTransferStats, ProgressDisplay } from "./progress.ts";
import type { LoggedIn } from "./session_parts.ts";

/** A command that does something (not an empty line, not `xit`). */
export type Action = Exclude<Command, { kind: "empty" | "xit" }>;

/**
 * Carries out `command` and returns the lines to print.
 *
 * @throws whatever is not the tracker's or a download's doing (a stop signal, a bug).
 */
export async function runCommand(parts: LoggedIn, command: Action): Promise<string[]> {
  switch (command.kind) {
    case "pub":
      return await publish(parts, command.file);
    case "unp":
      return await unpublish(parts, command.file);
    case "get":
      return await get(parts, command.file);
    case "lap":
      return await list(parts, "lap", (link) => link.activePeers());
    case "lpf":
      return await list(parts, "lpf", (link) => link.publishedFiles());
    case "sch":
      return await list(parts, "sch", (link) => link.search(command.text));
  }
}

/** A command that only asks the tracker for a list, and prints it. */
async function list(
  parts: LoggedIn,
  command: "lap" | "lpf" | "sch",
  question: (link: TrackerLink) => Promise<Reply>,
): Promise<string[]> {
  const reply = await ask(parts, question);
  return typeof reply === "string" ? [reply] : formatReply(command, reply);
}

/** Asks the tracker, turning the failures every command shares into one printed line. */
async function ask<T>(
  parts: LoggedIn,
  question: (link: TrackerLink) => Promise<T>,
  mayRestore = true,
): Promise<T | string> {
  const asked = parts.link;
  try {
    return await abortable(question(asked), parts.signal);
  } catch (error) {
    if (isNotResponding(error)) return TerminalText.trackerNotResponding;
    if (error instanceof UnexpectedReplyError) {
      return `Unexpected reply from the tracker: ${error.reason}`;
    }
    // Restored meanwhile (a heartbeat noticed first, and the old link is closed or refused):
    // just ask the new session.
    const lostMeanwhile = error instanceof SessionLostError || error instanceof V2ClientClosedError;
    if (lostMeanwhile && mayRestore && parts.link !== asked) {
      return await ask(parts, question, false);
    }
    if (error instanceof SessionLostError) {
      if (mayRestore && parts.link.version === 2) {
        if (await restoreOnce(parts)) return await ask(parts, question, false);
        return `The tracker had lost this session, and logging in again failed (${
          parts.lastRestoreFailure ?? "no answer"
        })`;
      }
      return `The tracker refused the request: ${error.message}`;
    }
    if (error instanceof TrackerRefusedError) return TerminalText.trackerRefused;
    throw error;
  }
}

async function publish(parts: LoggedIn, file: string): Promise<string[]> {
  const { dir } = parts.options;
  const shared = await resolveSharedFile(dir, file);
  if (!shared.ok) return [`Cannot publish ${file}: ${describeNotShareable(shared.reason, dir)}`];
  let meta = { size: 0, sha256: "" };
  if (parts.link.version === 2) {
    // v2 publishes size and digest so downloaders can verify; v1 has no field for them.
    try {
      meta = await fileDigest(dir, file, parts.digests);
    } catch (error) {
      if (error instanceof DigestError) return [`Cannot publish ${file}: ${error.message}`];
      throw error;
    }
  }
  const reply = await ask(
    parts,
    (link) => link.publish(file, { size: meta.size, sha256: meta.sha256 }),
  );
  if (typeof reply === "string") return [reply];
  if (reply.kind === "published") parts.published.add(file);
  return formatReply("pub", reply);
}

async function unpublish(parts: LoggedIn, file: string): Promise<string[]> {
  const reply = await ask(parts, (link) => link.unpublish(file));
  if (typeof reply === "string") return [reply];
  // Either way the tracker no longer lists it, so it must no longer be served.
  if (reply.kind === "unpublished" || reply.kind === "unpublishFailed") {
    parts.published.delete(file);
  }
  return formatReply("unp", reply);
}

async function get(parts: LoggedIn, file: string): Promise<string[]> {
  const located = await ask(parts, (link) => link.locate(file));
  if (typeof located === "string") return [located];
  if (located.kind !== "holders") return formatReply("get", located);
  const { terminal, signal, dir } = parts.options;
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
        terminal.error(
          `${holders.join(", ")} offer${holders.length === 1 ? "s" : ""} no TLS (v1 or older ` +
            `peer): what comes from ${
              holders.length === 1 ? "it" : "them"
            } crosses the network in clear`,
        ),
      onProgress: (progress) => display.update(progress),
      onNotice: (line) => {
        display.finish();
        terminal.print(line);
      },
    });
    display.finish();
    const stats = formatTransferStats(result.bytes, result.ms);
    const sources = formatSources(result);
    return [
      formatDownloaded(file),
      result.verified
        ? `${stats}, SHA-256 verified${sources}`
        : `${stats}${sources} (v1 holder: not verifiable)`,
    ];
  } catch (error) {
    display.finish();
    if (signal.aborted) throw signal.reason;
    if (error instanceof DownloadError) return [formatDownloadFailed(file, error.message)];
    throw error;
  }
}
