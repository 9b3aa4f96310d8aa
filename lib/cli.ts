/**
 * Command-line parsing shared by the three programs (tracker, peer, passwd): one option table yields both the parser and the
 * help text, and usage errors become one line and exit status 2.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { errorText } from "./util/mod.ts";
import { VERSION } from "./version.ts";

/** The exit statuses every program uses for the same kind of outcome. */
export const CliExit = {
  ok: 0,
  /** The program ran and something failed (a file, the network, a refused login). */
  failure: 1,
  /** The command line is wrong: one line on standard error says what. */
  usage: 2,
} as const;

/** The options every program has, spelled the same way. */
export const STANDARD_OPTIONS = {
  help: { type: "boolean", short: "h", description: "show this help and exit" },
  version: { type: "boolean", short: "V", description: "print the version and exit" },
} as const satisfies Record<string, OptionSpec>;

/**
 * What `--version` prints: the program's name and the one PeerSync version.
 *
 * @example
 * ```ts
 * import { versionText } from "./cli.ts";
 * console.assert(versionText("peersync-peer").startsWith("peersync-peer "));
 * ```
 */
export function versionText(name: string): string {
  return `${name} ${VERSION}`;
}

/** The one line a usage error prints, the same in every program. */
export function usageLine(name: string, message: string): string {
  return `${name}: ${message} (see --help)`;
}

/** A command-line option, described once for parsing and for `--help`. */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly value?: string;
  readonly description: string;
  readonly default?: string;
  /** A string option that may be given more than once (read it with {@linkcode stringOptions}). */
  readonly multiple?: boolean;
}

/** Everything `--help` says about a program. */
export interface CommandSpec {
  readonly name: string;
  /** How to run it from the project, shown after the usage line: `deno task peer …`. */
  readonly invocation?: string;
  /** What it does; may span lines. */
  readonly summary: string;
  readonly positionals: readonly {
    readonly name: string;
    readonly description: string;
    /** Shown as `[name]` in the usage line. */
    readonly optional?: boolean;
  }[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples?: readonly string[];
}

/** The command line is wrong; the message is one line for the user. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parsed options and positionals. */
export interface ParsedCommandLine {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  /** Every value of each `multiple` option given (its last one is also in `values`). */
  readonly lists?: Readonly<Record<string, readonly string[]>>;
  readonly positionals: readonly string[];
}

/**
 * Parses `args` against `spec`, throwing {@linkcode UsageError} with a readable message.
 *
 * @example
 * ```ts
 * import { parseCommandLine } from "./cli.ts";
 * const parsed = parseCommandLine(["--host", "::1", "5000"], {
 *   name: "demo",
 *   summary: "",
 *   positionals: [{ name: "port", description: "" }],
 *   options: { host: { type: "string", description: "" } },
 * });
 * console.assert(parsed.values.host === "::1" && parsed.positionals[0] === "5000");
 * ```
 */
export function parseCommandLine(args: readonly string[], spec: CommandSpec): ParsedCommandLine {
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string; default?: string; multiple?: boolean }
  > = {};
  for (const [name, option] of Object.entries(spec.options)) {
    options[name] = { type: option.type };
    if (option.short) options[name].short = option.short;
    if (option.multiple) options[name].multiple = true;
    if (option.default !== undefined) options[name].default = option.default;
  }
  try {
    const { values, positionals: marked } = parseArgs({
      args: withNegativeNumbers(args, spec.options),
      options,
      allowPositionals: true,
      strict: true,
    });
    const positionals = marked.map((word) =>
      word.startsWith(POSITIONAL_MARK) ? word.slice(POSITIONAL_MARK.length) : word
    );
    const single: Record<string, string | boolean | undefined> = {};
    const lists: Record<string, readonly string[]> = {};
    for (const [name, value] of Object.entries(values)) {
      if (Array.isArray(value)) {
        lists[name] = value.map(String);
        single[name] = lists[name].at(-1);
      } else {
        single[name] = value as string | boolean | undefined;
      }
    }
    return { values: single, lists, positionals };
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

const NEGATIVE_NUMBER = /^-\d/;
// Marks a word that is a positional even though it starts with `-`; no real argument starts with
// NUL.
const POSITIONAL_MARK = "\0";

/**
 * `word` marked so that {@linkcode parseCommandLine} returns it as a positional as it stands, even
 * when it looks like an option: a program's own command takes options of its own (`sch -l TEXT`).
 */
export function asPositional(word: string): string {
  return `${POSITIONAL_MARK}${word}`;
}

/**
 * `args` with each negative number (`-1`, `-0.5`) kept as the word it is, not a short option: as
 * an option's value it is joined to the option (`--max-sessions=-1`), elsewhere marked as a
 * positional. No program has a digit for a short option, so the user meant a value, and the
 * message should say what is wrong with it, not "needs a value" or "unknown option -1".
 */
function withNegativeNumbers(
  args: readonly string[],
  specOptions: Readonly<Record<string, OptionSpec>>,
): string[] {
  const takesValue = new Set<string>();
  for (const [name, option] of Object.entries(specOptions)) {
    if (option.type !== "string") continue;
    takesValue.add(`--${name}`);
    if (option.short) takesValue.add(`-${option.short}`);
  }
  const result: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const word = args[index];
    if (word === "--") {
      result.push(...args.slice(index));
      break;
    }
    const next = args[index + 1];
    if (takesValue.has(word) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      result.push(
        `${word.startsWith("--") ? word : `--${shortToLong(word, specOptions)}`}=${next}`,
      );
      index++;
    } else if (NEGATIVE_NUMBER.test(word)) {
      result.push(asPositional(word));
    } else {
      result.push(word);
    }
  }
  return result;
}

function shortToLong(flag: string, specOptions: Readonly<Record<string, OptionSpec>>): string {
  const short = flag.slice(1);
  return Object.entries(specOptions).find(([, option]) => option.short === short)?.[0] ?? short;
}

/** node:util's parse errors, said the way the rest of our messages are. */
function describeParseError(error: unknown): string {
  const message = errorText(error);
  const code = (error as { code?: string }).code;
  const option = /'([^']+)'/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${option}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    // Node words it "'-h, --help'" or "'--dir <value>'": name the long flag.
    const flag = option?.split(/[ ,]+/).find((word) => word.startsWith("--")) ?? option;
    const takesNone = message.includes("does not take an argument");
    return `option ${flag} ${takesNone ? "takes no value" : "needs a value"}`;
  }
  // Other messages can span lines with hints; the user gets the first one.
  return message.split("\n")[0].replace(/\. To specify.*$/, "");
}

const HELP_COLUMN = 30;
const HELP_WIDTH = 80;

/** `text` in lines of at most `width`, continued at the help text's description column. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(HELP_COLUMN)}`);
}

/** The `--help` text of a command, generated from its spec: usage line first, as is customary. */
export function helpText(spec: CommandSpec): string {
  const usage = [
    `Usage: ${spec.name} [options]`,
    ...spec.positionals.map((positional) =>
      positional.optional ? `[${positional.name}]` : `<${positional.name}>`
    ),
  ].join(" ");
  const lines = [
    `${usage}${spec.invocation ? `   (${spec.invocation})` : ""}`,
    "",
    spec.summary,
    "",
  ];
  const row = (flag: string, description: string) =>
    // A flag too wide for its column gets the description on the next line.
    `  ${
      flag.length < HELP_COLUMN - 2
        ? flag.padEnd(HELP_COLUMN - 2)
        : `${flag}\n${" ".repeat(HELP_COLUMN)}`
    }${wrap(description, HELP_WIDTH - HELP_COLUMN)}`;
  if (spec.positionals.length > 0) {
    lines.push("Arguments:");
    for (const positional of spec.positionals) {
      const shown = positional.optional ? `[${positional.name}]` : `<${positional.name}>`;
      lines.push(row(shown, positional.description));
    }
    lines.push("");
  }
  lines.push("Options:");
  for (const [name, option] of Object.entries(spec.options)) {
    const flag = `${option.short ? `-${option.short}, ` : "    "}--${name}${
      option.value ? ` ${option.value}` : ""
    }`;
    const fallback = option.default !== undefined ? ` (default: ${option.default})` : "";
    lines.push(row(flag, `${option.description}${fallback}`));
  }
  if (spec.examples?.length) {
    lines.push("", "Examples:", ...spec.examples.map((example) => `  ${example}`));
  }
  return lines.join("\n");
}

/** Parses a port number 0–65535 given on the command line. */
export function parsePortArgument(text: string, what = "port"): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`invalid ${what} "${text}": expected a number from 0 to 65535`);
  }
  return Number(text);
}

/** Where the user ran the command: `deno task` runs in the project folder but records it. */
export function userDirectory(): string {
  // Asking only when allowed keeps Deno from prompting for the permission.
  const allowed = Deno.permissions.querySync({ name: "env", variable: "INIT_CWD" });
  const initCwd = allowed.state === "granted" ? Deno.env.get("INIT_CWD") : undefined;
  return initCwd ?? Deno.cwd();
}

/** A string option's value (`undefined` when not given and without a default). */
export function stringOption(parsed: ParsedCommandLine, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === "string" ? value : undefined;
}

/** Every value of a string option given with `multiple`, in command-line order. */
export function stringOptions(parsed: ParsedCommandLine, name: string): readonly string[] {
  const list = parsed.lists?.[name];
  if (list !== undefined) return list;
  const value = parsed.values[name];
  return typeof value === "string" ? [value] : [];
}

/** Whether a boolean option was given. */
export function booleanOption(parsed: ParsedCommandLine, name: string): boolean {
  return parsed.values[name] === true;
}
