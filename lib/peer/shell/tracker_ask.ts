/**
 * Asking the tracker on a command's behalf: one question, and every failure the commands share
 * (no answer, a lost session restored or failed over, `ERR`) turned into a {@linkcode NoAnswer}
 * value the command words in one line.
 *
 * @module
 */

import { type Reply } from "../../protocol/mod.ts";
import { abortable } from "../../util/mod.ts";
import {
  canFailOver,
  failOverOnce,
  isClosed,
  isNotResponding,
  restoreOnce,
  SessionLostError,
  type TrackerLink,
  TrackerRefusedError,
  UnexpectedReplyError,
  V2ClientClosedError,
} from "../control/mod.ts";
import { TerminalText } from "./commands.ts";
import { formatReply, type TrackerCommandName } from "./reply_lines.ts";
import { failed, type FailureKind, type Outcome } from "./outcome.ts";
import type { LoggedIn } from "./session_parts.ts";
import { showName } from "./words.ts";

/** Why a name (or text) with spaces cannot be carried: the tracker speaks only v1 or older v2. */
export function needsV2(text: string, what: "name" | "search text", older = false): string {
  return `Cannot use the ${what} ${showName(text)}: ` +
    (older
      ? "this tracker is older than names with spaces"
      : "names with spaces need PeerSync v2, and this tracker speaks only v1");
}

/** The tracker could not answer: what the terminal prints, and its kind. */
export interface NoAnswer {
  readonly noAnswer: FailureKind;
  readonly message: string;
}

export function noAnswer(kind: FailureKind, message: string): NoAnswer {
  return { noAnswer: kind, message };
}

export function isNoAnswer<T>(value: T | NoAnswer): value is NoAnswer {
  return typeof value === "object" && value !== null && "noAnswer" in value;
}

/** A reply that is not the one the command expects: the tracker's `ERR`, or nonsense. */
export function unexpected(command: TrackerCommandName, reply: Reply): Outcome {
  return failed(command, "trackerRefused", formatReply(command, reply).join(" "));
}

/** Asks the tracker, turning the failures every command shares into a {@linkcode NoAnswer}. */
export async function ask<T>(
  parts: LoggedIn,
  question: (link: TrackerLink) => Promise<T>,
  mayRestore = true,
): Promise<T | NoAnswer> {
  const asked = parts.link;
  try {
    return await abortable(question(asked), parts.signal);
  } catch (error) {
    if (isNotResponding(error)) {
      // With several trackers, the command is asked once more of the next that answers.
      if (mayRestore && canFailOver(parts) && await failOverOnce(parts)) {
        return await ask(parts, question, false);
      }
      return noAnswer("trackerNotResponding", TerminalText.trackerNotResponding);
    }
    if (error instanceof UnexpectedReplyError) {
      return noAnswer("trackerRefused", `Unexpected reply from the tracker: ${error.reason}`);
    }
    // Restored meanwhile (a heartbeat noticed first, and the old link is closed or refused):
    // just ask the new session.
    const lostMeanwhile = error instanceof SessionLostError ||
      error instanceof V2ClientClosedError ||
      isClosed(error);
    if (lostMeanwhile && mayRestore && parts.link !== asked) {
      return await ask(parts, question, false);
    }
    if (error instanceof SessionLostError) {
      if (mayRestore && parts.link.version === 2) {
        if (await restoreOnce(parts)) return await ask(parts, question, false);
        if (canFailOver(parts) && await failOverOnce(parts, "lost")) {
          return await ask(parts, question, false);
        }
        return noAnswer(
          "sessionLost",
          `The tracker had lost this session, and logging in again failed (${
            parts.lastRestoreFailure ?? "no answer"
          })`,
        );
      }
      return noAnswer("sessionLost", `The tracker refused the request: ${error.message}`);
    }
    if (error instanceof TrackerRefusedError) {
      // `ERR broad`: the tracker would not count that many names; a longer text narrows it.
      // `ERR limit`: the user's publications are at the tracker's per-user limit.
      const words = error.code === "broad"
        ? TerminalText.searchTooBroad
        : error.code === "limit"
        ? TerminalText.publicationLimit
        : TerminalText.trackerRefused;
      return noAnswer("trackerRefused", words);
    }
    throw error;
  }
}
