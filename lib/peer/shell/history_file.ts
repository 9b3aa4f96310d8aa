/**
 * The command history kept across runs, in `<state folder>/history` (the peer's state folder:
 * `$XDG_STATE_HOME/peersync`, else `~/.local/state/peersync`, or `--state-dir`). One command a
 * line, newest last, at most {@linkcode HISTORY_LIMIT} kept; created readable by its owner only
 * (0600), since commands name files. Only commands are ever written — never what the login
 * prompts read. A missing, unreadable or unwritable file is never an error: the history then
 * lives only as long as the run.
 *
 * @module
 */

import { join } from "node:path";
import { replaceFileDurablySync, writeAllSync } from "../../util/mod.ts";
import { History, HISTORY_LIMIT } from "./history.ts";

/** The history file in the state folder `stateDir`. */
export function historyPath(stateDir: string): string {
  return join(stateDir, "history");
}

/**
 * A {@linkcode History} loaded from `path` that appends every command it remembers there.
 *
 * @example
 * ```ts ignore
 * import { openHistoryFile } from "./history_file.ts";
 * const history = openHistoryFile("/home/alice/.local/state/peersync/history");
 * history.add("lap");
 * ```
 */
export function openHistoryFile(path: string, limit = HISTORY_LIMIT): History {
  let lines: string[] = [];
  try {
    // Not a FIFO, which would block this synchronous read, and the start, for good.
    if (Deno.statSync(path).isFile) {
      lines = Deno.readTextFileSync(path).split("\n").filter((line) => line !== "");
    }
  } catch {
    // Missing or unreadable: start empty.
  }
  // Appending keeps two peers' histories from overwriting each other; trimming the file now and
  // then keeps it bounded.
  if (lines.length > 2 * limit) rewrite(path, lines.slice(-limit));
  return new FileHistory(path, lines, limit);
}

class FileHistory extends History {
  constructor(readonly path: string, entries: readonly string[], limit: number) {
    super(entries, limit);
  }

  override add(line: string): boolean {
    // A line break inside a command would split it into two entries on the next run.
    if (line.includes("\n") || !super.add(line)) return false;
    try {
      const dir = this.path.slice(0, this.path.lastIndexOf("/"));
      if (dir !== "") Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
      using file = Deno.openSync(this.path, { append: true, create: true, mode: 0o600 });
      writeAllSync(file, new TextEncoder().encode(`${this.entries.at(-1)}\n`));
    } catch {
      // Not writable: remembered for this run only.
    }
    return true;
  }
}

function rewrite(path: string, lines: readonly string[]): void {
  try {
    // Whole or not at all: a full disk or a kill half-way through must not cost the history.
    // Through a symlink to where it leads, so the link stays.
    const text = lines.map((line) => `${line}\n`).join("");
    replaceFileDurablySync(Deno.realPathSync(path), text, 0o600);
  } catch {
    // Left as it is; read again (and trimmed in memory) next time.
  }
}
