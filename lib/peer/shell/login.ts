/**
 * Logging in at the prompt: user name and hidden password, a v2 (SCRAM) login, the fall-back to
 * v1 for a tracker that speaks only v1 (said out loud, or refused with `--require-v2`), and a new
 * try after a wrong password — until a login succeeds or cannot.
 *
 * @module
 */

import { isValidField, MAX_PASSWORD_BYTES, MAX_USER_NAME_BYTES } from "../../protocol/mod.ts";
import { abortable } from "../../util/mod.ts";
import {
  isNotResponding,
  type LoginAttempt,
  loginV1,
  loginWithV2,
  TrackerNotAuthenticError,
  UnexpectedReplyError,
} from "../control/mod.ts";
import { TerminalText } from "./commands.ts";
import { ExitCode, type LoginOutcome, type Parts } from "./session_parts.ts";

/** A login that did not happen: the session exits with this code. */
export class LoginAbandoned extends Error {
  override name = "LoginAbandoned";
  constructor(readonly exitCode: number) {
    super("login abandoned");
  }
}

const FALLBACK_NOTICE = "peersync-peer: the tracker speaks only PeerSync v1; falling back to v1 " +
  "(your password will cross the network in clear)";
const REQUIRE_V2_REFUSAL = "peersync-peer: the tracker speaks only PeerSync v1, whose login " +
  "sends the password in clear; not logging in (--require-v2)";

/**
 * Asks for a user name and password until a login succeeds.
 *
 * @throws {LoginAbandoned} when input ends, the tracker does not answer or cannot be trusted, or
 * it speaks only v1 and `--require-v2` was given.
 */
export async function login(parts: Parts): Promise<LoginOutcome> {
  const { terminal, signal, trackerHost, trackerPort } = parts.options;
  const endOfInput = () => {
    terminal.error("peersync-peer: input ended before login");
    return new LoginAbandoned(ExitCode.failure);
  };
  let v1Only = false;
  for (;;) {
    const user = await abortable(terminal.readLine(TerminalText.usernamePrompt), signal);
    if (user === null) throw endOfInput();
    const password = await abortable(terminal.readSecret(TerminalText.passwordPrompt), signal);
    if (password === null) throw endOfInput();
    // A name or password the wire cannot carry as one field could never succeed.
    if (!isValidField(user, MAX_USER_NAME_BYTES) || !isValidField(password, MAX_PASSWORD_BYTES)) {
      terminal.print(TerminalText.authenticationFailed);
      continue;
    }
    let attempt: LoginAttempt;
    try {
      attempt = v1Only
        ? await abortable(loginV1(parts.connect, user, password), signal)
        : await abortable(loginWithV2(parts.connect, user, password), signal);
      if (attempt.kind === "v1Only") {
        v1Only = true;
        if (parts.options.requireV2) {
          terminal.error(REQUIRE_V2_REFUSAL);
          throw new LoginAbandoned(ExitCode.failure);
        }
        terminal.error(FALLBACK_NOTICE);
        attempt = await abortable(loginV1(parts.connect, user, password), signal);
      }
    } catch (error) {
      if (isNotResponding(error)) {
        terminal.error(`Tracker at ${trackerHost}:${trackerPort} is not responding`);
        throw new LoginAbandoned(ExitCode.failure);
      }
      if (error instanceof TrackerNotAuthenticError) {
        terminal.error(`peersync-peer: ${error.message}`);
        throw new LoginAbandoned(ExitCode.failure);
      }
      if (error instanceof UnexpectedReplyError) {
        terminal.error(`peersync-peer: unexpected reply from the tracker: ${error.reason}`);
        throw new LoginAbandoned(ExitCode.failure);
      }
      throw error;
    }
    if (attempt.kind === "ok") {
      const relogin = () => loginWithV2(parts.connect, user, password);
      return { link: attempt.link, relogin };
    }
    if (attempt.kind === "refused" && attempt.code === "locked") {
      terminal.print("Too many failed logins: the tracker refuses this user for a while.");
    }
    terminal.print(TerminalText.authenticationFailed);
  }
}
