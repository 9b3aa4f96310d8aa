/**
 * Tab completion at the prompt: what the word under the cursor may become. The command word
 * completes to a command name; the argument of `pub` to a file in the share folder, of `unp` to
 * one of the user's own publications, of `get` to a name the last `sch` or `lpf` listed. A name
 * is inserted the way the shell reads it back (`words.ts`): in the quotes the word was begun
 * with, else with a backslash before each space. Pure: the session injects where the names come
 * from.
 *
 * @module
 */

import { COMMAND_NAMES } from "./commands.ts";
import { typeName, type WordAtEnd, wordAtEnd } from "./words.ts";

/** What Tab may put in place of `line.slice(start, cursor)`. */
export interface Completion {
  readonly start: number;
  /** Sorted, no duplicates; empty when nothing fits. */
  readonly candidates: readonly string[];
}

/** What a terminal calls on Tab, with the line and the cursor (an index into `line`). */
export type Completer = (line: string, cursor: number) => Completion;

/** Where the names to complete come from; each is asked only when its command is typed. */
export interface CompletionSources {
  /** The command words; {@linkcode COMMAND_NAMES} by default. */
  readonly commands?: readonly string[];
  /** Files in the share folder (for `pub`). */
  readonly files: () => Iterable<string>;
  /** The user's own publications (for `unp`). */
  readonly published: () => Iterable<string>;
  /** Names the last `sch` or `lpf` listed (for `get`). */
  readonly found: () => Iterable<string>;
}

/**
 * The completions of the word before `cursor` in `line`.
 *
 * @example
 * ```ts
 * import { complete } from "./completion.ts";
 * const sources = { files: () => ["notes.txt", "movie.mkv"], published: () => [], found: () => [] };
 * console.assert(complete("pu", 2, sources).candidates.join() === "pub");
 * const file = complete("pub no", 6, sources);
 * console.assert(file.start === 4 && file.candidates.join() === "notes.txt");
 * ```
 */
export function complete(line: string, cursor: number, sources: CompletionSources): Completion {
  const before = line.slice(0, cursor);
  const word = wordAtEnd(before);
  if (word === undefined) return { start: cursor, candidates: [] };
  if (word.wordsBefore === 0) {
    return matching(word, sources.commands ?? COMMAND_NAMES);
  }
  const leading = before.length - before.trimStart().length;
  const command = before.slice(leading).split(/[ \t]/, 1)[0];
  const source = { pub: sources.files, unp: sources.published, get: sources.found }[command];
  // Only one argument is taken: after it there is nothing to complete.
  if (source === undefined || word.wordsBefore > 1) return { start: word.start, candidates: [] };
  return matching(word, source());
}

/**
 * The names that start with what `word` means so far, typed the way `word` was begun (in its
 * quotes, or with backslashes), so that what Tab inserts reads back as the name.
 */
function matching(word: WordAtEnd, names: Iterable<string>): Completion {
  const candidates = new Set<string>();
  for (const name of names) {
    if (name.startsWith(word.text)) candidates.add(typeName(name, word.quote));
  }
  return { start: word.start, candidates: [...candidates].sort() };
}

/**
 * The longest text every one of `candidates` starts with.
 *
 * @example
 * ```ts
 * import { commonPrefix } from "./completion.ts";
 * console.assert(commonPrefix(["report-1.pdf", "report-2.pdf"]) === "report-");
 * ```
 */
export function commonPrefix(candidates: readonly string[]): string {
  if (candidates.length === 0) return "";
  // By character, so a prefix never ends inside a surrogate pair.
  let prefix = Array.from(candidates[0]);
  for (const candidate of candidates) {
    while (!candidate.startsWith(prefix.join(""))) prefix = prefix.slice(0, -1);
  }
  return prefix.join("");
}
