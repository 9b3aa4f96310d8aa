/**
 * A command given on the command line (`peer.ts … get report.pdf`) instead of typed at the
 * prompt: the same words and the same rules as the prompt's, but a mistake is a usage error.
 *
 * @module
 */

import { UsageError } from "../../cli.ts";
import { formatCommandProblem, parseCommand } from "./commands.ts";
import type { Action } from "./session_parts.ts";

/**
 * The command that `words` (the arguments after the tracker) name.
 *
 * @throws {UsageError} for an unknown command, a missing or extra argument, an invalid name, or
 * `xit` (which means nothing on its own).
 *
 * @example
 * ```ts
 * import { oneShotCommand } from "./one_shot.ts";
 * console.assert(oneShotCommand(["get", "report.pdf"]).kind === "get");
 * ```
 */
export function oneShotCommand(words: readonly string[]): Action {
  // Each word must stay one word: a name with a blank would otherwise split into two.
  const blank = words.find((word) => /[ \t]/.test(word));
  if (blank !== undefined) {
    throw new UsageError(`invalid argument "${blank}": names with spaces cannot be shared in v1`);
  }
  const parsed = parseCommand(words.join(" "));
  if (!parsed.ok) {
    // The prompt's wording, without the command list the prompt appends (see --help).
    throw new UsageError(
      formatCommandProblem(parsed.problem).replace(/ Available commands.*$/, ""),
    );
  }
  const { command } = parsed;
  if (command.kind === "empty" || command.kind === "xit") {
    throw new UsageError(
      `${command.kind === "xit" ? "xit" : "the command"} is not a one-shot command`,
    );
  }
  return command;
}
