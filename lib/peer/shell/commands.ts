/**
 * What the user types at the `> ` prompt: parsing a line into a typed command, the usage of each
 * command and the words for a line that cannot be carried out, and the terminal's fixed texts
 * (`reply_lines.ts` turns the tracker's replies into lines). Pure: no sockets, files or clocks.
 *
 * @module
 */

import {
  type FileNameProblem,
  isValidField,
  MAX_DATAGRAM_BYTES,
  utf8Length,
  v2FileNameProblem,
} from "../../protocol/mod.ts";
import { splitWords, type WordsProblem } from "./words.ts";

/** The command words of the peer's terminal, in the order the welcome text lists them. */
export const COMMAND_NAMES = ["get", "lap", "lpf", "pub", "sch", "unp", "xit"] as const;

/** One command word. */
export type CommandName = typeof COMMAND_NAMES[number];

/** The line printed after a successful login (the v1 terminal's welcome). */
export const AVAILABLE_COMMANDS = `Available commands are: ${COMMAND_NAMES.join(", ")}.`;

/** Fixed texts of the peer's terminal, word for word as the v1 terminal prints them. */
export const TerminalText = {
  usernamePrompt: "Enter username: ",
  passwordPrompt: "Enter password: ",
  commandPrompt: "> ",
  welcome: "Welcome to PeerSync!",
  authenticationFailed: "Authentication failed. Please try again.",
  goodbye: "Goodbye!",
  trackerNotResponding: "Tracker not responding",
  trackerRefused: "The tracker refused the request",
  searchTooBroad: "Search too broad; type more of the name",
  publicationLimit: "The tracker refused the request: this user holds as many publications as it " +
    "allows (unp some first)",
  published: "File published successfully",
  unpublished: "File unpublished successfully",
  unpublishFailed: "File unpublication failed",
  noActivePeers: "No active peers",
  noFilesPublished: "No files published",
  noFilesFound: "No files found",
  fileNotFound: "File not found",
  noActiveHolder: "No active peer has this file",
} as const;

/** A command line that parsed into something to do. */
export type Command =
  | { readonly kind: "empty" }
  | { readonly kind: "lap" }
  | { readonly kind: "lpf" }
  | { readonly kind: "xit" }
  | {
    readonly kind: "get";
    readonly file: string;
    /** `get -v N|DIGEST`: the version chosen, when a name has several (see `versions.ts`). */
    readonly version?: VersionChoice;
  }
  | { readonly kind: "pub"; readonly file: string }
  | { readonly kind: "unp"; readonly file: string }
  | {
    readonly kind: "sch";
    readonly text: string;
    /** `sch -e`: case-sensitive, as v1 (the default in v2 folds case and normalisation). */
    readonly exact?: true;
    /** `sch -l`: sizes, holders and versions, also when standard output is not a terminal. */
    readonly long?: true;
  };

/** Which version `get -v` asked for: its number in the list, or a prefix of its SHA-256. */
export type VersionChoice =
  | { readonly kind: "number"; readonly number: number }
  | { readonly kind: "digest"; readonly prefix: string };

/** Why a command line cannot be carried out; {@linkcode formatCommandProblem} words it. */
export type CommandProblem =
  | { readonly kind: "unknownCommand"; readonly word: string }
  | { readonly kind: "missingArgument"; readonly command: CommandName }
  | { readonly kind: "extraArgument"; readonly command: CommandName }
  | { readonly kind: "unknownOption"; readonly command: CommandName; readonly option: string }
  | {
    readonly kind: "invalidFileName";
    readonly command: CommandName;
    readonly file: string;
    readonly problem: FileNameProblem;
  }
  | { readonly kind: "invalidSearchText"; readonly text: string }
  | { readonly kind: "badQuoting"; readonly problem: WordsProblem }
  | { readonly kind: "invalidVersion"; readonly text: string }
  | { readonly kind: "lineTooLong"; readonly length: number };

/** The result of {@linkcode parseCommand}. */
export type ParsedCommand =
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly problem: CommandProblem };

const COMMAND_SET: ReadonlySet<string> = new Set(COMMAND_NAMES);
const DIGEST_PREFIX = /^[0-9a-f]{4,64}$/;
const VERSION_NUMBER = /^[1-9][0-9]{0,3}$/;
/**
 * The longest line read as a command, in UTF-16 units: the longest that can be valid (a search
 * text filling a datagram, every character escaped) is well under it. A longer one (a file pasted
 * by mistake) is refused before it is split into words, which would cost seconds and memory by
 * the megabyte, and is never repeated back whole.
 */
export const MAX_COMMAND_LINE = 8192;
// The request is `sch <text>` in one datagram.
const MAX_SEARCH_TEXT_BYTES = MAX_DATAGRAM_BYTES - utf8Length("sch ");

function ok(command: Command): ParsedCommand {
  return { ok: true, command };
}

function problem(problem: CommandProblem): ParsedCommand {
  return { ok: false, problem };
}

/**
 * Parses one typed-in line (without its line ending).
 *
 * @example
 * ```ts
 * import { parseCommand } from "./commands.ts";
 * const parsed = parseCommand("pub notes.txt");
 * console.assert(parsed.ok && parsed.command.kind === "pub");
 * ```
 */
export function parseCommand(line: string): ParsedCommand {
  if (line.length > MAX_COMMAND_LINE) return problem({ kind: "lineTooLong", length: line.length });
  // Only ASCII blanks separate words (`words.ts`), so that an exotic space (U+00A0, U+2028 …)
  // stays inside the argument and is reported as an invalid character, not silently split on.
  const split = splitWords(line.replace(/\r$/, ""));
  if (!split.ok) return problem({ kind: "badQuoting", problem: split.problem });
  const words = split.words;
  if (words.length === 0) return ok({ kind: "empty" });
  const [word, ...rest] = words;
  let args = rest;
  if (!COMMAND_SET.has(word)) return problem({ kind: "unknownCommand", word });
  const command = word as CommandName;
  switch (command) {
    case "lap":
    case "lpf":
    case "xit":
      return args.length === 0
        ? ok({ kind: command })
        : problem({ kind: "extraArgument", command });
    case "get":
    case "pub":
    case "unp":
    case "sch": {
      // Options come first and only before a last word (`sch -e` alone searches for "-e").
      const options = new Set<string>();
      let version: VersionChoice | undefined;
      while (args.length > 1) {
        if (command === "sch" && (args[0] === "-e" || args[0] === "-l")) {
          options.add(args[0]);
          args = args.slice(1);
        } else if (command === "get" && args[0] === "-v" && args.length > 2) {
          version = parseVersionChoice(args[1]);
          if (version === undefined) return problem({ kind: "invalidVersion", text: args[1] });
          args = args.slice(2);
        } else if (command === "get" && args[0] === "-v" && args.length === 2) {
          // `get -v 2`: a version and no name, not a name too many.
          return problem({ kind: "missingArgument", command });
        } else if (args[0].length > 1 && args[0].startsWith("-")) {
          // Before a last word, a dash word can only be a mistyped option, not a second name.
          return problem({ kind: "unknownOption", command, option: args[0] });
        } else break;
      }
      if (args.length === 0) return problem({ kind: "missingArgument", command });
      if (args.length > 1) return problem({ kind: "extraArgument", command });
      const [arg] = args;
      if (command === "sch") {
        // A quoted text may hold spaces (v2 searches names with spaces); nothing else blank.
        return isValidField(arg.replaceAll(" ", "x"), MAX_SEARCH_TEXT_BYTES)
          ? ok(
            {
              kind: "sch",
              text: arg,
              ...(options.has("-e") ? { exact: true } : {}),
              ...(options.has("-l") ? { long: true } : {}),
            } as const,
          )
          : problem({ kind: "invalidSearchText", text: arg });
      }
      // Spaces are allowed here; a v1 session refuses such a name when it runs the command.
      const nameProblem = v2FileNameProblem(arg);
      if (nameProblem !== undefined) {
        return problem({ kind: "invalidFileName", command, file: arg, problem: nameProblem });
      }
      return ok(
        command === "get" && version !== undefined
          ? { kind: "get", file: arg, version }
          : { kind: command, file: arg },
      );
    }
  }
}

function parseVersionChoice(text: string): VersionChoice | undefined {
  if (VERSION_NUMBER.test(text)) return { kind: "number", number: Number(text) };
  if (DIGEST_PREFIX.test(text)) return { kind: "digest", prefix: text };
  return undefined;
}

/** How each tracker command is typed: `help` and the unknown-option line show it. */
export const COMMAND_USAGE: Readonly<Record<CommandName, string>> = {
  get: "get [-v N] FILE",
  lap: "lap",
  lpf: "lpf",
  pub: "pub FILE",
  sch: "sch [-e] [-l] TEXT",
  unp: "unp FILE",
  xit: "xit",
};

/** What each command expects after its word, for the usage lines. */
const ARGUMENT: Readonly<
  Record<CommandName, { readonly missing: string; readonly extra: string }>
> = {
  get: {
    missing: "needs a file name",
    extra: 'takes only one file name (quote a name with spaces: "my file.txt")',
  },
  pub: {
    missing: "needs a file name",
    extra: 'takes only one file name (quote a name with spaces: "my file.txt")',
  },
  unp: {
    missing: "needs a file name",
    extra: 'takes only one file name (quote a name with spaces: "my file.txt")',
  },
  sch: {
    missing: "needs a search text",
    extra: 'takes only one search text (quote a text with spaces: "my file")',
  },
  lap: { missing: "takes no argument", extra: "takes no argument" },
  lpf: { missing: "takes no argument", extra: "takes no argument" },
  xit: { missing: "takes no argument", extra: "takes no argument" },
};

/**
 * What is wrong with a command line, in one sentence, with no pointer to where to read more
 * (the prompt adds `help`, a one-shot command `--help`).
 *
 * @example
 * ```ts
 * import { describeCommandProblem } from "./commands.ts";
 * console.assert(describeCommandProblem({ kind: "missingArgument", command: "pub" }) ===
 *   "pub needs a file name");
 * ```
 */
export function describeCommandProblem(problem: CommandProblem): string {
  switch (problem.kind) {
    case "unknownCommand":
      return `Unknown command "${problem.word}"`;
    case "missingArgument":
      return `${problem.command} ${ARGUMENT[problem.command].missing}`;
    case "extraArgument":
      return `${problem.command} ${ARGUMENT[problem.command].extra}`;
    case "unknownOption":
      return `unknown option ${problem.option} for ${problem.command}; ` +
        `usage: ${COMMAND_USAGE[problem.command]}`;
    case "invalidFileName":
      return `Invalid file name "${problem.file}": ${problem.problem}`;
    case "badQuoting":
      return `Cannot read the line: ${problem.problem} (type a name with spaces as ` +
        `"my file.txt" or my\\ file.txt)`;
    case "invalidVersion":
      return `Invalid version "${problem.text}": give its number in the list (get -v 2 NAME) ` +
        "or the first 4 or more hex digits of its SHA-256";
    case "lineTooLong":
      return `Line too long (${problem.length} characters): a command is at most ` +
        `${MAX_COMMAND_LINE}; nothing done`;
    case "invalidSearchText":
      return `Invalid search text "${problem.text}": it must be at most ${MAX_SEARCH_TEXT_BYTES} ` +
        "bytes without control characters";
  }
}

/**
 * The one line the prompt prints for a command that cannot be carried out: what is wrong and,
 * for a mistyped command or its arguments, where `help` says more — never the whole command
 * list again (the welcome printed it once, `help` prints it on demand).
 *
 * @example
 * ```ts
 * import { formatCommandProblem } from "./commands.ts";
 * console.assert(formatCommandProblem({ kind: "unknownCommand", word: "lsp" }) ===
 *   'Unknown command "lsp". Type help for the list of commands.');
 * console.assert(formatCommandProblem({ kind: "missingArgument", command: "pub" }) ===
 *   "pub needs a file name. Type help pub for its usage.");
 * ```
 */
export function formatCommandProblem(problem: CommandProblem): string {
  const text = describeCommandProblem(problem);
  switch (problem.kind) {
    case "unknownCommand":
      return `${text}. Type help for the list of commands.`;
    case "missingArgument":
    case "extraArgument":
      return `${text}. Type help ${problem.command} for its usage.`;
    default:
      return text;
  }
}
