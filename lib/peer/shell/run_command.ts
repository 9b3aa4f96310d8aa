/**
 * Carrying out a command once logged in, each turned into an {@linkcode Outcome}: the lines the
 * terminal prints, whether it succeeded, and its `--json` fields. The lists (`lap`, `lpf`, `sch`)
 * are here; asking the tracker is `tracker_ask.ts`, `pub`/`unp` are `publish_command.ts`, and
 * `get` (versions, progress, cancel, seeding) is `get_command.ts`.
 *
 * @module
 */

import { hasSpace, type NameList, type Reply } from "../../protocol/mod.ts";
import { findNames, ownFiles, type TrackerLink } from "../control/mod.ts";
import { type Command } from "./commands.ts";
import { formatReply } from "./reply_lines.ts";
import { get, type RunOptions } from "./get_command.ts";
import { failed, type JsonValue, type Outcome, succeeded } from "./outcome.ts";
import { publish, unpublish } from "./publish_command.ts";
import type { Action, LoggedIn } from "./session_parts.ts";
import { ask, isNoAnswer, needsV2, unexpected } from "./tracker_ask.ts";
import { foundLines } from "./versions.ts";

export type { RunOptions } from "./get_command.ts";

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
  if ("file" in command && hasSpace(command.file) && parts.link.version === 1) {
    return failed(command.kind, "needsV2", needsV2(command.file, "name"));
  }
  switch (command.kind) {
    case "pub":
      return await publish(parts, command.file);
    case "unp":
      return await unpublish(parts, command.file);
    case "get":
      return await get(parts, command, run);
    case "lap":
      return await list(parts, "lap", (link) => link.activePeers(), (list) => ({
        peers: [...list.names],
        omitted: list.omitted,
      }));
    case "lpf":
      return await list(parts, "lpf", async (link) => {
        // OWN lists names with spaces too; an older tracker has only LPF.
        const own = await ownFiles(link);
        return own === "unsupported"
          ? await link.publishedFiles()
          : { kind: "publishedFiles", list: { names: own, omitted: 0 } };
      }, (list) => ({
        files: [...list.names],
        omitted: list.omitted,
      }));
    case "sch":
      return await search(parts, command);
  }
}

/**
 * `sch`: in v2 `FIND` (case-folded and NFC-normalised, or exact with `-e`), each name with its
 * versions; a v1 tracker or one without `FIND` gets `sch`/`SCH`, exact, names only. The long form
 * (sizes, holders, versions) on a terminal or with `-l`; else the contract's one name per line.
 */
async function search(
  parts: LoggedIn,
  command: Extract<Command, { kind: "sch" }>,
): Promise<Outcome> {
  const { text } = command;
  const found = await ask(parts, (link) => findNames(link, text, command.exact ? "exact" : "fold"));
  if (isNoAnswer(found)) return failed("sch", found.noAnswer, found.message);
  if (found === "unsupported") {
    if (hasSpace(text)) {
      return failed("sch", "needsV2", needsV2(text, "search text", parts.link.version === 2));
    }
    return await list(parts, "sch", (link) => link.search(text), (list) => ({
      text,
      files: [...list.names],
      omitted: list.omitted,
    }));
  }
  const { omitted } = found;
  const names = found.found.map((entry) => entry.name);
  // A person at a terminal gets the details; a script reading standard output keeps the
  // contract's one name per line unless it asks with -l (or reads --json).
  const long = command.long === true || Deno.stdout.isTerminal();
  const short = formatReply("sch", { kind: "found", list: { names, omitted } });
  const lines = long && names.length > 0
    ? [short[0], ...found.found.flatMap(foundLines), ...(omitted > 0 ? [short.at(-1)!] : [])]
    : short;
  // `--json` keeps its fields; `sch -l` adds each name's versions.
  const versions: { readonly [key: string]: JsonValue } = command.long !== true ? {} : {
    found: found.found.map((entry) => ({
      name: entry.name,
      versions: entry.versions.map((version) => ({
        size: version.size ?? null,
        sha256Prefix: version.digestPrefix ?? null,
        holders: version.holders,
      })),
    })),
  };
  return succeeded("sch", lines, { text, files: names, omitted, ...versions });
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
