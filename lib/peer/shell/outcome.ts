/**
 * What a command came to, as a value: the lines the terminal prints, whether it succeeded, and
 * the one JSON object a one-shot `--json` run prints. Pure: no sockets, files or clocks.
 *
 * @module
 */

import type { TrackerCommandName } from "./reply_lines.ts";

/** Why a command failed; the `error` field of a failed `--json` result. */
export type FailureKind =
  /** `get`: no one published the file. */
  | "fileNotFound"
  /** `get`: only inactive users (or only the asker) publish it. */
  | "noActiveHolder"
  /** `get`: the holders were found but the transfer failed. */
  | "downloadFailed"
  /** `get`: the user cancelled it (Ctrl-C); what arrived is kept for a resume. */
  | "cancelled"
  /** `unp`: the user had not published the file. */
  | "unpublishFailed"
  /** `pub`: the file is not in the share folder, or cannot be read. */
  | "notShareable"
  /** The tracker did not answer in time. */
  | "trackerNotResponding"
  /** The tracker answered `ERR`, or something this peer cannot read. */
  | "trackerRefused"
  /** The tracker had lost the session and logging in again failed. */
  | "sessionLost"
  /** The login was refused (wrong password, user already online, locked) or not attempted. */
  | "loginFailed"
  /** A name or search text with spaces, and a tracker that speaks only v1 (or an older v2). */
  | "needsV2"
  /** `get -v`: no version of the name is the one asked for. */
  | "noSuchVersion";

/** A JSON value, as `--json` prints it. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** What one command came to. */
export type Outcome =
  | {
    readonly ok: true;
    readonly command: TrackerCommandName;
    /** The lines the terminal prints, word for word as the v1 terminal does. */
    readonly lines: readonly string[];
    /** The fields of the `--json` result besides `ok` and `command`. */
    readonly data: { readonly [key: string]: JsonValue };
    /**
     * Said on standard error after `lines` (`Now sharing report.pdf`): what followed from the
     * command, which the v1 terminal's lines do not hold, in the order it happened.
     */
    readonly notices?: readonly string[];
  }
  | {
    readonly ok: false;
    readonly command: TrackerCommandName;
    readonly error: FailureKind;
    /** The one line that says why, also what the terminal prints. */
    readonly message: string;
    /**
     * Why, when `message` is a v1 text that cannot say it (`File unpublication failed`): shown
     * on standard error after it, so that standard output keeps the v1 lines word for word.
     */
    readonly reason?: string;
  };

/** A successful outcome. */
export function succeeded(
  command: TrackerCommandName,
  lines: readonly string[],
  data: { readonly [key: string]: JsonValue },
  notices?: readonly string[],
): Outcome {
  return notices === undefined || notices.length === 0
    ? { ok: true, command, lines, data }
    : { ok: true, command, lines, data, notices };
}

/** The notices of `outcome`, said on standard error after its lines. */
export function outcomeNotices(outcome: Outcome): readonly string[] {
  return outcome.ok ? outcome.notices ?? [] : [];
}

/** A failed outcome. */
export function failed(
  command: TrackerCommandName,
  error: FailureKind,
  message: string,
  reason?: string,
): Outcome {
  return reason === undefined
    ? { ok: false, command, error, message }
    : { ok: false, command, error, message, reason };
}

/**
 * The failure as one line, for standard error and logs: its message, and its reason if any.
 *
 * @example
 * ```ts
 * import { failed, failureText } from "./outcome.ts";
 * const outcome = failed("unp", "unpublishFailed", "File unpublication failed", "not yours");
 * console.assert(failureText(outcome) === "File unpublication failed: not yours");
 * ```
 */
export function failureText(outcome: Extract<Outcome, { ok: false }>): string {
  return outcome.reason === undefined ? outcome.message : `${outcome.message}: ${outcome.reason}`;
}

/** The lines the terminal prints for `outcome`. */
export function outcomeLines(outcome: Outcome): readonly string[] {
  return outcome.ok ? outcome.lines : [outcome.message];
}

/**
 * The one-line JSON object a one-shot `--json` run prints: `ok` and `command` first, then the
 * command's own fields, or `error` (a {@linkcode FailureKind}), `message` and any `reason` when it
 * failed.
 *
 * @example
 * ```ts
 * import { failed, outcomeJson } from "./outcome.ts";
 * const text = outcomeJson(failed("get", "fileNotFound", "File not found"));
 * console.assert(text === '{"ok":false,"command":"get","error":"fileNotFound","message":"File not found"}');
 * ```
 */
export function outcomeJson(outcome: Outcome): string {
  const object = outcome.ok ? { ok: true, command: outcome.command, ...outcome.data } : {
    ok: false,
    command: outcome.command,
    error: outcome.error,
    message: outcome.message,
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
  };
  // JSON escapes only C0 controls; a name a stranger chose may also hold C1 controls, line
  // separators or bidi overrides, which are escaped too so the line shows as it parses.
  return JSON.stringify(object).replace(
    UNSAFE_IN_TEXT,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const UNSAFE_IN_TEXT = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
