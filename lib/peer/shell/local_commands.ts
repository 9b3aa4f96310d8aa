/**
 * The commands the session answers itself, without the tracker: `help [command]`, `jobs` and
 * `cancel ID|NAME|all` — their parsing and the help texts of every command. Pure. (The tracker
 * commands and their v1 wording are `commands.ts`; this sits beside it so that the v1 command
 * list, held word for word, stays as it is.)
 *
 * @module
 */

import { COMMAND_NAMES, COMMAND_USAGE } from "./commands.ts";

/** The words of the session's own commands. */
export const LOCAL_COMMAND_NAMES = ["cancel", "help", "jobs"] as const;

/** A command the session answers itself. */
export type LocalCommand =
  | { readonly kind: "help"; readonly topic?: string }
  | { readonly kind: "jobs" }
  | { readonly kind: "cancel"; readonly ref: string };

/** The result of {@linkcode parseLocalCommand}. */
export type ParsedLocal =
  | { readonly ok: true; readonly command: LocalCommand }
  | { readonly ok: false; readonly message: string };

const BLANKS = /[ \t]+/;

/**
 * Parses `line` when its first word is one of {@linkcode LOCAL_COMMAND_NAMES}; `undefined` for
 * any other line (a tracker command, or a mistake `parseCommand` words).
 *
 * @example
 * ```ts
 * import { parseLocalCommand } from "./local_commands.ts";
 * const parsed = parseLocalCommand("cancel 2");
 * console.assert(parsed?.ok && parsed.command.kind === "cancel" && parsed.command.ref === "2");
 * console.assert(parseLocalCommand("get a.bin") === undefined);
 * ```
 */
export function parseLocalCommand(line: string): ParsedLocal | undefined {
  const words = line.replace(/\r$/, "").split(BLANKS).filter((word) => word !== "");
  const [word, ...args] = words;
  switch (word) {
    case "help":
      if (args.length > 1) return { ok: false, message: "help takes at most one command name" };
      return {
        ok: true,
        command: args.length === 0 ? { kind: "help" } : { kind: "help", topic: args[0] },
      };
    case "jobs":
      if (args.length > 0) return { ok: false, message: "jobs takes no argument" };
      return { ok: true, command: { kind: "jobs" } };
    case "cancel":
      if (args.length !== 1) {
        return {
          ok: false,
          message: "cancel needs one job: its number, its file name, or all (see jobs)",
        };
      }
      return { ok: true, command: { kind: "cancel", ref: args[0] } };
    default:
      return undefined;
  }
}

/** Usage and one line of explanation of every command, in the order `help` lists them. */
const HELP: Readonly<Record<string, readonly [string, string]>> = {
  get: [
    COMMAND_USAGE.get,
    "download FILE from the peers that publish it into the share folder, verified, resuming a " +
    "part file left by an earlier try; on a terminal it runs in the background (see jobs); " +
    "-v N picks version N of a name published with different contents (sch lists them), " +
    "-v DIGEST the version whose SHA-256 starts with DIGEST (4 hex digits or more)",
  ],
  lap: [COMMAND_USAGE.lap, "list the other users logged in now (not you)"],
  lpf: [COMMAND_USAGE.lpf, "list the files you have published"],
  pub: [
    COMMAND_USAGE.pub,
    'publish FILE from the share folder (a name with spaces: "my file.txt")',
  ],
  sch: [
    COMMAND_USAGE.sch,
    "search the files of active peers whose name contains TEXT, ignoring case on a v2 tracker " +
    "(-e, and always on v1: exact); " +
    "-l shows sizes, holders and versions (always on a terminal)",
  ],
  unp: [COMMAND_USAGE.unp, "stop publishing FILE"],
  jobs: [
    "jobs",
    "list the downloads of this session (number, state, bytes, speed, time left) and the part " +
    "files left in the share folder by earlier ones",
  ],
  cancel: [
    "cancel ID|FILE|all",
    "stop a download (by number or file name) or all of them; part files are kept, and get " +
    "FILE resumes from them",
  ],
  help: ["help [COMMAND]", "list the commands, or say what COMMAND does"],
  xit: [
    COMMAND_USAGE.xit,
    "log out and leave; while downloads run, leave when they end (xit again cancels them, " +
    "keeping their part files)",
  ],
};

/** Every command word, tracker commands first (as the welcome lists them), then the session's. */
export const ALL_COMMAND_NAMES: readonly string[] = [
  ...COMMAND_NAMES.filter((name) => name !== "xit"),
  "jobs",
  "cancel",
  "help",
  "xit",
];

/**
 * What `help` prints: every command's usage and what it does, or one command's.
 *
 * @example
 * ```ts
 * import { helpLines } from "./local_commands.ts";
 * console.assert(helpLines("cancel").lines[0].startsWith("cancel ID|FILE|all"));
 * const unknown = helpLines("nope");
 * console.assert(!unknown.ok && unknown.lines[0] === 'No command "nope". Type help for the list.');
 * ```
 */
export function helpLines(topic?: string): { ok: boolean; lines: string[] } {
  if (topic !== undefined) {
    const entry = Object.hasOwn(HELP, topic) ? HELP[topic] : undefined;
    if (entry === undefined) {
      return { ok: false, lines: [`No command "${topic}". Type help for the list.`] };
    }
    return { ok: true, lines: [`${entry[0]}: ${entry[1]}`] };
  }
  const width = Math.max(...ALL_COMMAND_NAMES.map((name) => HELP[name][0].length));
  return {
    ok: true,
    lines: [
      "Commands:",
      ...ALL_COMMAND_NAMES.map((name) => `  ${HELP[name][0].padEnd(width)}  ${HELP[name][1]}`),
      "help COMMAND shows one of them.",
    ],
  };
}
