/**
 * Logging in at the prompt: user name and hidden password, a v2 (SCRAM) login, the fall-back to
 * v1 for a tracker that speaks only v1 (said out loud, or refused with `--require-v2`), and a new
 * try after a wrong password — until a login succeeds or cannot.
 *
 * @module
 */

import {
  hostPort,
  isValidField,
  MAX_PASSWORD_BYTES,
  MAX_USER_NAME_BYTES,
} from "../../protocol/mod.ts";
import { abortable } from "../../util/mod.ts";
import {
  type ConnectOptions,
  isNotResponding,
  knownToSpeakV2,
  type LoginAttempt,
  loginV1,
  loginWithV2,
  TrackerNotAuthenticError,
  tryingNextNotice,
  UnexpectedReplyError,
} from "../control/mod.ts";
import { loginOrder, trackerLabel } from "../control/tracker_rotation.ts";
import { TerminalText } from "./commands.ts";
import { ExitCode, type LoginOutcome, type Parts } from "./session_parts.ts";

/** A login that did not happen: the session exits with this code. */
export class LoginAbandoned extends Error {
  override name = "LoginAbandoned";
  /**
   * @param exitCode the session's exit status
   * @param kind why, as a one-shot `--json` result names it
   * @param reason the line already said on the terminal
   */
  constructor(
    readonly exitCode: number,
    readonly kind: "loginFailed" | "trackerNotResponding" = "loginFailed",
    readonly reason = "login abandoned",
  ) {
    super(reason);
  }
}

/** Says `line` on standard error and returns the {@linkcode LoginAbandoned} to throw. */
function abandon(
  parts: Parts,
  line: string,
  kind: "loginFailed" | "trackerNotResponding" = "loginFailed",
): LoginAbandoned {
  parts.options.terminal.error(line);
  return new LoginAbandoned(ExitCode.failure, kind, line);
}

const FALLBACK_NOTICE = "peersync-peer: the tracker speaks only PeerSync v1; falling back to v1 " +
  "(your password will cross the network in clear)";
const REQUIRE_V2_REFUSAL = "peersync-peer: the tracker speaks only PeerSync v1, whose login " +
  "sends the password in clear; not logging in (--require-v2)";

/** The refusal of a v1 fall-back for a tracker that spoke v2 before (it may be an impostor). */
function downgradeRefusal(connect: ConnectOptions): string {
  const { trackerIp, trackerPort, knownTrackers } = connect;
  return `peersync-peer: the tracker at ${
    hostPort(trackerIp, trackerPort)
  } spoke PeerSync v2 before; ` +
    `refusing to fall back to v1 (password would cross in clear). If the tracker was really ` +
    `downgraded, remove ${knownTrackers?.path ?? "the peer's record of it (restart the peer)"}.`;
}

/** The line for a refused login: what the tracker said, and how long to wait when it said. */
export function formatLoginRefusal(
  user: string,
  attempt: Extract<LoginAttempt, { kind: "refused" }>,
): string {
  const wait = attempt.waitSeconds;
  switch (attempt.code) {
    case "live":
      return `${user} is already logged in elsewhere; close that peer or wait ${
        wait === undefined ? "until its session expires" : `${wait} s`
      }`;
    case "locked":
      return `Too many failed logins; try again ${wait === undefined ? "later" : `in ${wait} s`}`;
    default:
      return TerminalText.authenticationFailed;
  }
}

/**
 * One login attempt on the tracker at `index`: v2, falling back to v1 for a tracker that speaks
 * only v1 (said out loud; refused under `--require-v2` or for a tracker that spoke v2 before).
 * `v1Only` remembers, per tracker, that the fall-back was made.
 */
async function attemptOn(
  parts: Parts,
  index: number,
  v1Only: Set<number>,
  user: string,
  password: string,
): Promise<LoginAttempt> {
  const { connect } = parts.trackers[index];
  const { signal, terminal } = parts.options;
  if (v1Only.has(index)) return await abortable(loginV1(connect, user, password), signal);
  const attempt = await abortable(loginWithV2(connect, user, password), signal);
  if (attempt.kind !== "v1Only") return attempt;
  v1Only.add(index);
  if (knownToSpeakV2(connect)) throw abandon(parts, downgradeRefusal(connect));
  if (parts.options.requireV2) throw abandon(parts, REQUIRE_V2_REFUSAL);
  terminal.error(FALLBACK_NOTICE);
  return await abortable(loginV1(connect, user, password), signal);
}

/**
 * Asks for a user name and password until a login succeeds; with `credentials` given
 * (`--user` and `PEERSYNC_PASSWORD` or `--password-file`), tries those once, without prompts.
 * With several trackers, each login goes to the first that answers, in the order given.
 *
 * @throws {LoginAbandoned} when input ends, no tracker answers or one cannot be trusted, it
 * speaks only v1 and `--require-v2` was given, or the given credentials are refused.
 */
export async function login(parts: Parts): Promise<LoginOutcome> {
  const { terminal, signal, credentials } = parts.options;
  // Without prompts, a refusal is said on standard error and is final: no one can type again.
  const say = credentials === undefined
    ? (line: string) => terminal.print(line)
    : (line: string) => terminal.error(line);
  const endOfInput = () => abandon(parts, "peersync-peer: input ended before login");
  const v1Only = new Set<number>();
  // The tracker that answered last: a new try after a wrong password starts there.
  let first = 0;
  for (;;) {
    let user: string | null;
    let password: string | null;
    if (credentials === undefined) {
      user = await abortable(terminal.readLine(TerminalText.usernamePrompt), signal);
      if (user === null) throw endOfInput();
      password = await abortable(terminal.readSecret(TerminalText.passwordPrompt), signal);
      if (password === null) throw endOfInput();
    } else {
      ({ user, password } = credentials);
    }
    // A name or password the wire cannot carry as one field could never succeed.
    if (!isValidField(user, MAX_USER_NAME_BYTES) || !isValidField(password, MAX_PASSWORD_BYTES)) {
      say(TerminalText.authenticationFailed);
      if (credentials !== undefined) {
        throw new LoginAbandoned(
          ExitCode.failure,
          "loginFailed",
          TerminalText.authenticationFailed,
        );
      }
      continue;
    }
    let attempt: LoginAttempt | undefined;
    const order = loginOrder(parts.trackers.length, first);
    for (const [step, index] of order.entries()) {
      const { address } = parts.trackers[index];
      try {
        attempt = await attemptOn(parts, index, v1Only, user, password);
        first = index;
        break;
      } catch (error) {
        if (isNotResponding(error)) {
          const next = order[step + 1];
          if (next !== undefined) {
            terminal.error(tryingNextNotice(address, parts.trackers[next].address));
            continue;
          }
          throw abandon(
            parts,
            `Tracker at ${trackerLabel(address)} is not responding`,
            "trackerNotResponding",
          );
        }
        if (error instanceof TrackerNotAuthenticError) {
          throw abandon(parts, `peersync-peer: ${error.message}`);
        }
        if (error instanceof UnexpectedReplyError) {
          throw abandon(parts, `peersync-peer: unexpected reply from the tracker: ${error.reason}`);
        }
        throw error;
      }
    }
    // Every tracker failed by throwing, which ends the login above: an attempt came back.
    if (attempt === undefined) throw new LoginAbandoned(ExitCode.failure);
    if (attempt.kind === "ok") {
      const [name, secret] = [user, password];
      return {
        link: attempt.link,
        tracker: first,
        relogin: (connect) => loginWithV2(connect, name, secret),
        loginAt: async (connect) => {
          const tried = await loginWithV2(connect, name, secret);
          if (tried.kind !== "v1Only" || knownToSpeakV2(connect) || parts.options.requireV2) {
            return tried;
          }
          terminal.error(FALLBACK_NOTICE);
          return await loginV1(connect, name, secret);
        },
      };
    }
    // The reason comes first; the contract's own line (PROTOCOL.md) always follows it, so a
    // script that waits for "Authentication failed" still sees it.
    const reason = attempt.kind === "refused" ? formatLoginRefusal(user, attempt) : undefined;
    if (reason !== undefined && reason !== TerminalText.authenticationFailed) say(reason);
    say(TerminalText.authenticationFailed);
    if (credentials !== undefined) {
      throw new LoginAbandoned(
        ExitCode.failure,
        "loginFailed",
        reason ?? TerminalText.authenticationFailed,
      );
    }
  }
}
