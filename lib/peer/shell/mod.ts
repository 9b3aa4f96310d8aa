/**
 * The peer as its user meets it: {@linkcode runSession} logs in at the prompt, starts the
 * uploader and the heartbeat, and carries out each command typed (`lap`, `lpf`, `pub`, `unp`,
 * `sch`, `get`, `xit`) until the user leaves, on the terminal {@linkcode openTerminal} opens
 * (interactive, or scripted from a pipe). Parsing a command and wording every answer is
 * `commands.ts`, pure; drawing a download's progress is `progress.ts`. The work itself is in the
 * sibling packages: `../control/` (the tracker), `../download/`, `../upload/`, `../share/`.
 *
 * @module
 */

export { runSession } from "./session.ts";
export { ExitCode, type SessionOptions, StopRequested } from "./session_parts.ts";
export { openTerminal, type OpenTerminalOptions, type Terminal } from "./terminal.ts";
export { historyPath } from "./history_file.ts";
export { oneShotCommand } from "./one_shot.ts";
export type { Credentials, OneShot } from "./session_parts.ts";
export { type FailureKind, type Outcome, outcomeJson } from "./outcome.ts";
