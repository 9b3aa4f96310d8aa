/**
 * A command given on the command line (`peer.ts … get report.pdf`) instead of typed at the
 * prompt: the same words and the same rules as the prompt's, but a mistake is a usage error.
 *
 * @module
 */

import { UsageError } from "../../cli.ts";
import { describeCommandProblem, parseCommand } from "./commands.ts";
import type { Action } from "./session_parts.ts";
import { typeName } from "./words.ts";

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
 * const spaced = oneShotCommand(["get", "my report.pdf"]);
 * console.assert(spaced.kind === "get" && spaced.file === "my report.pdf");
 * ```
 */
export function oneShotCommand(words: readonly string[]): Action {
  // Each argument stays one word, spaces and all (`get "my report.pdf"`): typed back in quotes,
  // the prompt's parser reads it as the shell handed it over. Against a v1 tracker such a name
  // is refused when the command runs, with the reason (`needsV2`).
  const parsed = parseCommand(words.map((word) => typeName(word, '"')).join(" "));
  // The prompt's wording, without its pointer to `help` (the usage error points to --help).
  if (!parsed.ok) throw new UsageError(describeCommandProblem(parsed.problem));
  const { command } = parsed;
  if (command.kind === "empty" || command.kind === "xit") {
    throw new UsageError(
      `${command.kind === "xit" ? "xit" : "the command"} is not a one-shot command`,
    );
  }
  return command;
}
