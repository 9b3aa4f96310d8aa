/**
 * Where Tab completion at the peer's prompt finds its names: the share folder (read when Tab is
 * pressed after `pub`), the user's own publications, and the names the last `sch` or `lpf`
 * listed (remembered by {@linkcode ListedNames}). The completing itself is `completion.ts`, pure.
 *
 * @module
 */

import { v2FileNameProblem } from "../../protocol/mod.ts";
import { RESERVED_NAME_PREFIX } from "../share/mod.ts";
import { complete, type Completer } from "./completion.ts";
import { ALL_COMMAND_NAMES } from "./local_commands.ts";
import type { Outcome } from "./outcome.ts";

/** The names the last successful `sch` or `lpf` listed, for completing `get`. */
export class ListedNames {
  #names: readonly string[] = [];

  /** Remembers the names of `outcome` when it is a successful `sch` or `lpf`. */
  note(outcome: Outcome): void {
    if (!outcome.ok || (outcome.command !== "sch" && outcome.command !== "lpf")) return;
    const files = outcome.data.files;
    if (!Array.isArray(files)) return;
    this.#names = files.filter((name): name is string => typeof name === "string");
  }

  get names(): readonly string[] {
    return this.#names;
  }
}

/**
 * The files `pub` could publish from `dir`: not PeerSync's own working files, nor names `pub`
 * refuses. A name with a control character or a bidi override was listed cleaned for display
 * (`evil\u202etxt.exe` as `eviltxt.exe`) and Tab inserted that other, missing name.
 */
function shareFolderFiles(dir: string): string[] {
  const files: string[] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (
        entry.isFile && !entry.name.startsWith(RESERVED_NAME_PREFIX) &&
        v2FileNameProblem(entry.name) === undefined
      ) files.push(entry.name);
    }
  } catch {
    // An unreadable folder completes nothing.
  }
  return files;
}

/** The completer of a session sharing `dir`, publishing `published`. */
export function sessionCompleter(
  dir: string,
  published: ReadonlySet<string>,
  listed: ListedNames,
): Completer {
  return (line, cursor) =>
    complete(line, cursor, {
      // The session's own commands (help, jobs, cancel) are typed at the same prompt.
      commands: ALL_COMMAND_NAMES,
      files: () => shareFolderFiles(dir),
      published: () => published,
      found: () => listed.names,
    });
}
