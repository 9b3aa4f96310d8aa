/**
 * What the terminal prints for the tracker's replies and for a download's end, word for word as
 * the v1 terminal prints them. Pure: no sockets, files or clocks.
 *
 * @module
 */

import type { NameList, Reply } from "../../protocol/mod.ts";
import { type CommandName, TerminalText } from "./commands.ts";
import { showName } from "./words.ts";

/** The singular and plural nouns and the empty text of one kind of list. */
interface ListWording {
  readonly empty: string;
  readonly one: string;
  readonly many: string;
}

const PEERS: ListWording = {
  empty: TerminalText.noActivePeers,
  one: "active peer:",
  many: "active peers:",
};
const PUBLISHED: ListWording = {
  empty: TerminalText.noFilesPublished,
  one: "file published:",
  many: "files published:",
};
const FOUND: ListWording = {
  empty: TerminalText.noFilesFound,
  one: "file found:",
  many: "files found:",
};

/**
 * The lines printed for a list: the empty text, or a count line then one name per line, and a
 * closing `…and N more` line when the tracker had to leave names out. The count is the total.
 */
function listLines(list: NameList, wording: ListWording): string[] {
  const total = list.names.length + list.omitted;
  if (total === 0) return [wording.empty];
  const lines = [
    `${total} ${total === 1 ? wording.one : wording.many}`,
    ...list.names.map(showName),
  ];
  if (list.omitted > 0) lines.push(`\u2026and ${list.omitted} more`);
  return lines;
}

/** The tracker commands whose replies {@linkcode formatReply} words. */
export type TrackerCommandName = Exclude<CommandName, "xit">;

/**
 * The lines printed for the tracker's reply to a command. A `get` holder reply prints nothing
 * here: the session downloads and reports the transfer itself.
 *
 * @example
 * ```ts
 * import { formatReply } from "./reply_lines.ts";
 * const lines = formatReply("lap", { kind: "peers", list: { names: ["bob"], omitted: 0 } });
 * console.assert(lines.join("\n") === "1 active peer:\nbob");
 * ```
 */
export function formatReply(command: TrackerCommandName, reply: Reply): string[] {
  switch (reply.kind) {
    case "error":
      return [TerminalText.trackerRefused];
    case "peers":
      return listLines(reply.list, PEERS);
    case "publishedFiles":
      return listLines(reply.list, PUBLISHED);
    case "found":
      return listLines(reply.list, FOUND);
    case "published":
      return [TerminalText.published];
    case "unpublished":
      return [TerminalText.unpublished];
    case "unpublishFailed":
      return [TerminalText.unpublishFailed];
    case "fileNotFound":
      return [TerminalText.fileNotFound];
    case "noActiveHolder":
      return [TerminalText.noActiveHolder];
    case "holder":
      return [];
    case "ok":
      return [`Unexpected reply from the tracker to ${command}`];
  }
}

/** The line printed when a download succeeded. */
export function formatDownloaded(file: string): string {
  return `${showName(file)} downloaded successfully`;
}

/** The line printed when a download failed, with its one-line reason. */
export function formatDownloadFailed(file: string, reason: string): string {
  return `Download of ${showName(file)} failed: ${reason}`;
}

/**
 * What the terminal says when the user cancelled a download (Ctrl-C): its part file stays, and
 * the same command picks it up again.
 *
 * @example
 * ```ts
 * import { formatDownloadCancelled } from "./reply_lines.ts";
 * console.assert(formatDownloadCancelled("a.bin").includes("get a.bin"));
 * ```
 */
export function formatDownloadCancelled(file: string): string {
  // The name as it is typed back, so the command shown can be copied as it stands.
  const name = showName(file);
  return `Download of ${name} cancelled; what arrived is kept: get ${name} resumes it`;
}
