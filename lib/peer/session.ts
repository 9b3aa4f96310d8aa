/**
 * One run of the peer: start the uploader, log in, keep the session alive, and carry out the
 * user's commands until `xit`, end of input or a stop signal. Everything it starts is stopped on
 * the way out, whichever way that is.
 *
 * @module
 */

import { isValidField, MAX_PASSWORD_BYTES, MAX_USER_NAME_BYTES } from "../protocol/mod.ts";
import {
  AVAILABLE_COMMANDS,
  type Command,
  formatCommandProblem,
  formatDownloaded,
  formatDownloadFailed,
  formatReply,
  parseCommand,
  TerminalText,
} from "./commands.ts";
import { ControlClientClosedError, UnexpectedReplyError } from "./control_client.ts";
import { DigestCache, DigestError, fileDigest } from "./digest_cache.ts";
import { type RestorableSession, restoreInBackground, restoreOnce } from "./session_restore.ts";
import { untilStopped } from "./until_stopped.ts";
import { DownloadError } from "./download.ts";
import { downloadFromHolders } from "./multi_source.ts";
import { formatSources, formatTransferStats, ProgressDisplay } from "./progress.ts";
import { startHeartbeat } from "./heartbeat.ts";
import {
  AddressError,
  advertisedAddress,
  bindHostnameFor,
  listenHostname,
  resolveHost,
} from "./local_address.ts";
import { describeNotShareable, resolveSharedFile } from "./share_folder.ts";
import { InterruptedError, type Terminal } from "./terminal.ts";
import { startUploadServer, type UploadServer } from "./upload_server.ts";
import {
  type ConnectOptions,
  isNotResponding,
  type LoginAttempt,
  loginV1,
  loginWithV2,
  SessionLostError,
  type TrackerLink,
} from "./tracker_link.ts";
import { TrackerNotAuthenticError, TrackerRefusedError, V2ClientClosedError } from "./v2_client.ts";

/** Stops the session from outside (a signal); the session then exits with `exitCode`. */
export class StopRequested extends Error {
  override name = "StopRequested";
  constructor(readonly exitCode: number, reason = "stopped") {
    super(reason);
  }
}

/** Everything a session needs; the terminal and the stop signal come from the caller. */
export interface SessionOptions {
  /** The tracker's host as the user wrote it (shown in messages). */
  readonly trackerHost: string;
  /** The tracker's UDP port. */
  readonly trackerPort: number;
  /** The share folder: files are published from it and downloaded into it. */
  readonly dir: string;
  /** The address to advertise instead of the detected one. */
  readonly advertise?: string;
  /** How long to wait for each tracker reply (v2: until this deadline, retransmitting). */
  readonly timeoutMs?: number;
  /** Refuse a tracker that speaks only v1, whose login sends the password in clear. */
  readonly requireV2?: boolean;
  /** Uploads served at once; more get a "busy" status. */
  readonly maxUploads?: number;
  /** Upload rate limit in bytes per second (all uploads together). */
  readonly uploadLimit?: number;
  /** Download rate limit in bytes per second. */
  readonly downloadLimit?: number;
  /** Holders a large file is fetched from at once (1 turns multi-source off); 4 by default. */
  readonly maxSources?: number;
  /** Where prompts go and lines come from. */
  readonly terminal: Terminal;
  /** Aborting it (with a {@linkcode StopRequested} reason) ends the session. */
  readonly signal: AbortSignal;
}

/** Exit statuses of the peer. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  /** 128 + SIGINT, as shells report it. */
  interrupted: 130,
  /** 128 + SIGTERM. */
  terminated: 143,
} as const;

/** The parts that live for the whole logged-in session. */
interface Parts {
  readonly options: SessionOptions;
  readonly connect: ConnectOptions;
  readonly server: UploadServer;
  readonly published: Set<string>;
  readonly advertised: string;
  /** Digests of shared files, re-used while a file is unchanged (by `pub` and by uploads). */
  readonly digests: DigestCache;
}

/** The parts once logged in, and how to restore the session if the tracker loses it. */
type LoggedIn = Parts & RestorableSession;

/** A login that did not happen: the session exits with this code. */
class LoginAbandoned extends Error {
  override name = "LoginAbandoned";
  constructor(readonly exitCode: number) {
    super("login abandoned");
  }
}

const FALLBACK_NOTICE = "peersync-peer: the tracker speaks only PeerSync v1; falling back to v1 " +
  "(your password will cross the network in clear)";
const REQUIRE_V2_REFUSAL = "peersync-peer: the tracker speaks only PeerSync v1, whose login " +
  "sends the password in clear; not logging in (--require-v2)";

/** A successful login, and how to repeat it if the tracker loses the session. */
interface LoginOutcome {
  readonly link: TrackerLink;
  readonly relogin: () => Promise<LoginAttempt>;
}

async function login(parts: Parts): Promise<LoginOutcome> {
  const { terminal, signal, trackerHost, trackerPort } = parts.options;
  const endOfInput = () => {
    terminal.error("peersync-peer: input ended before login");
    return new LoginAbandoned(ExitCode.failure);
  };
  let v1Only = false;
  for (;;) {
    const user = await untilStopped(terminal.readLine(TerminalText.usernamePrompt), signal);
    if (user === null) throw endOfInput();
    const password = await untilStopped(terminal.readSecret(TerminalText.passwordPrompt), signal);
    if (password === null) throw endOfInput();
    // A name or password the wire cannot carry as one field could never succeed.
    if (!isValidField(user, MAX_USER_NAME_BYTES) || !isValidField(password, MAX_PASSWORD_BYTES)) {
      terminal.print(TerminalText.authenticationFailed);
      continue;
    }
    let attempt: LoginAttempt;
    try {
      attempt = v1Only
        ? await untilStopped(loginV1(parts.connect, user, password), signal)
        : await untilStopped(loginWithV2(parts.connect, user, password), signal);
      if (attempt.kind === "v1Only") {
        v1Only = true;
        if (parts.options.requireV2) {
          terminal.error(REQUIRE_V2_REFUSAL);
          throw new LoginAbandoned(ExitCode.failure);
        }
        terminal.error(FALLBACK_NOTICE);
        attempt = await untilStopped(loginV1(parts.connect, user, password), signal);
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

/** Announces the upload address and learns what this user already publishes. */
async function startSession(parts: LoggedIn, heartbeat: AbortSignal): Promise<void> {
  const { link, server, published, options } = parts;
  await untilStopped(link.register(parts.advertised, server.addr.port), options.signal);
  options.terminal.print(TerminalText.welcome);
  options.terminal.print(AVAILABLE_COMMANDS);
  startHeartbeat({
    // A tracker that restarted answers the next heartbeat with `ERR token`: come back at once, so
    // this peer's files are found again without waiting for its user to type something.
    beat: () => {
      const beating = parts.link;
      return beating.heartbeat(() => {
        // A late answer to a beat of a session already restored is old news.
        if (parts.link !== beating) return;
        restoreInBackground(parts);
      });
    },
    signal: heartbeat,
    intervalMs: link.heartbeatIntervalMs,
  });
  try {
    // Publications outlive sessions, so files published last time must be served again.
    const reply = await untilStopped(link.publishedFiles(), options.signal);
    if (reply.kind === "publishedFiles") {
      for (const name of reply.list.names) published.add(name);
    }
  } catch (error) {
    if (options.signal.aborted) throw error;
    // The seed is best effort: without it, only files published from now on are served.
  }
}

/** Asks the tracker, turning the failures every command shares into one printed line. */
async function ask<T>(
  parts: LoggedIn,
  question: (link: TrackerLink) => Promise<T>,
  mayRestore = true,
): Promise<T | string> {
  const asked = parts.link;
  try {
    return await untilStopped(question(asked), parts.options.signal);
  } catch (error) {
    if (isNotResponding(error)) return TerminalText.trackerNotResponding;
    if (error instanceof UnexpectedReplyError) {
      return `Unexpected reply from the tracker: ${error.reason}`;
    }
    // Restored meanwhile (a heartbeat noticed first, and the old link is closed or refused):
    // just ask the new session.
    const lostMeanwhile = error instanceof SessionLostError || error instanceof V2ClientClosedError;
    if (lostMeanwhile && mayRestore && parts.link !== asked) {
      return await ask(parts, question, false);
    }
    if (error instanceof SessionLostError) {
      if (mayRestore && parts.link.version === 2) {
        if (await restoreOnce(parts)) return await ask(parts, question, false);
        return `The tracker had lost this session, and logging in again failed (${
          parts.lastRestoreFailure ?? "no answer"
        })`;
      }
      return `The tracker refused the request: ${error.message}`;
    }
    if (error instanceof TrackerRefusedError) return TerminalText.trackerRefused;
    throw error;
  }
}

async function publish(parts: LoggedIn, file: string): Promise<string[]> {
  const { dir } = parts.options;
  const shared = await resolveSharedFile(dir, file);
  if (!shared.ok) return [`Cannot publish ${file}: ${describeNotShareable(shared.reason, dir)}`];
  let meta = { size: 0, sha256: "" };
  if (parts.link.version === 2) {
    // v2 publishes size and digest so downloaders can verify; v1 has no field for them.
    try {
      meta = await fileDigest(dir, file, parts.digests);
    } catch (error) {
      if (error instanceof DigestError) return [`Cannot publish ${file}: ${error.message}`];
      throw error;
    }
  }
  const reply = await ask(
    parts,
    (link) => link.publish(file, { size: meta.size, sha256: meta.sha256 }),
  );
  if (typeof reply === "string") return [reply];
  if (reply.kind === "published") parts.published.add(file);
  return formatReply("pub", reply);
}

async function unpublish(parts: LoggedIn, file: string): Promise<string[]> {
  const reply = await ask(parts, (link) => link.unpublish(file));
  if (typeof reply === "string") return [reply];
  // Either way the tracker no longer lists it, so it must no longer be served.
  if (reply.kind === "unpublished" || reply.kind === "unpublishFailed") {
    parts.published.delete(file);
  }
  return formatReply("unp", reply);
}

async function get(parts: LoggedIn, file: string): Promise<string[]> {
  const located = await ask(parts, (link) => link.locate(file));
  if (typeof located === "string") return [located];
  if (located.kind !== "holders") return formatReply("get", located);
  const { terminal, signal, dir } = parts.options;
  const display = new ProgressDisplay({ file });
  try {
    // Every holder is tried (and, for a large file, several at once); each must match the
    // digest most holders published, and the whole file is verified before it gets its name.
    const result = await downloadFromHolders({
      file,
      dir,
      holders: located.holders,
      signal,
      rateLimitBytesPerSecond: parts.options.downloadLimit,
      parallel: parts.options.maxSources,
      onProgress: (progress) => display.update(progress),
      onNotice: (line) => {
        display.finish();
        terminal.print(line);
      },
    });
    display.finish();
    const stats = formatTransferStats(result.bytes, result.ms);
    const sources = formatSources(result);
    return [
      formatDownloaded(file),
      result.verified
        ? `${stats}, SHA-256 verified${sources}`
        : `${stats}${sources} (v1 holder: not verifiable)`,
    ];
  } catch (error) {
    display.finish();
    if (signal.aborted) throw signal.reason;
    if (error instanceof DownloadError) return [formatDownloadFailed(file, error.message)];
    throw error;
  }
}

async function carryOut(
  parts: LoggedIn,
  command: Exclude<Command, { kind: "empty" | "xit" }>,
): Promise<string[]> {
  switch (command.kind) {
    case "pub":
      return await publish(parts, command.file);
    case "unp":
      return await unpublish(parts, command.file);
    case "get":
      return await get(parts, command.file);
    case "lap": {
      const reply = await ask(parts, (link) => link.activePeers());
      return typeof reply === "string" ? [reply] : formatReply("lap", reply);
    }
    case "lpf": {
      const reply = await ask(parts, (link) => link.publishedFiles());
      return typeof reply === "string" ? [reply] : formatReply("lpf", reply);
    }
    case "sch": {
      const reply = await ask(parts, (link) => link.search(command.text));
      return typeof reply === "string" ? [reply] : formatReply("sch", reply);
    }
  }
}

async function commandLoop(parts: LoggedIn): Promise<number> {
  const { terminal, signal } = parts.options;
  for (;;) {
    const line = await untilStopped(terminal.readCommand(TerminalText.commandPrompt), signal);
    if (line === null) break;
    const parsed = parseCommand(line);
    if (!parsed.ok) {
      terminal.print(formatCommandProblem(parsed.problem));
      continue;
    }
    const { command } = parsed;
    if (command.kind === "empty") continue;
    if (command.kind === "xit") break;
    for (const output of await carryOut(parts, command)) terminal.print(output);
  }
  await parts.link.logout();
  terminal.print(TerminalText.goodbye);
  return ExitCode.ok;
}

function exitCodeOf(error: unknown, signal: AbortSignal): number | undefined {
  if (error instanceof StopRequested) return error.exitCode;
  if (error instanceof InterruptedError) return ExitCode.interrupted;
  // Stopped from outside without a StopRequested reason: still a stop, not a crash.
  if (signal.aborted) return ExitCode.interrupted;
  return undefined;
}

/**
 * Runs the peer until the user leaves, and resolves with the process exit status: 0 after `xit`
 * or end of input, 1 when login fails for good, 130/143 (or the {@linkcode StopRequested} code)
 * after a stop signal.
 *
 * @example
 * ```ts ignore
 * import { runSession } from "./session.ts";
 * import { openTerminal } from "./terminal.ts";
 * const stop = new AbortController();
 * const code = await runSession({
 *   trackerHost: "127.0.0.1", trackerPort: 9000, dir: ".", terminal: openTerminal(), signal: stop.signal,
 * });
 * ```
 */
export async function runSession(options: SessionOptions): Promise<number> {
  const { terminal } = options;
  let advertised: string;
  let trackerIp: string;
  try {
    trackerIp = await resolveHost(options.trackerHost);
    advertised = advertisedAddress({ trackerIp, override: options.advertise });
  } catch (error) {
    if (!(error instanceof AddressError)) throw error;
    terminal.error(`peersync-peer: ${error.message}`);
    terminal.close();
    return ExitCode.failure;
  }
  const published = new Set<string>();
  const digests = await DigestCache.open(options.dir);
  let server: UploadServer;
  try {
    server = startUploadServer({
      hostname: listenHostname(advertised),
      dir: options.dir,
      published,
      digestCache: digests,
      maxUploads: options.maxUploads,
      rateLimitBytesPerSecond: options.uploadLimit,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    terminal.error(`peersync-peer: cannot accept downloads on ${advertised}: ${reason}`);
    terminal.close();
    return ExitCode.failure;
  }
  const connect: ConnectOptions = {
    trackerIp,
    trackerPort: options.trackerPort,
    bindHostname: bindHostnameFor(trackerIp),
    timeoutMs: options.timeoutMs,
  };
  const heartbeat = new AbortController();
  const parts: Parts = { options, connect, server, published, advertised, digests };
  let loggedIn: LoggedIn | undefined;
  try {
    const { link, relogin } = await login(parts);
    loggedIn = { ...parts, link, relogin };
    await startSession(loggedIn, heartbeat.signal);
    return await commandLoop(loggedIn);
  } catch (error) {
    if (error instanceof LoginAbandoned) return error.exitCode;
    const exitCode = exitCodeOf(error, options.signal);
    const closed = error instanceof ControlClientClosedError ||
      error instanceof V2ClientClosedError;
    if (exitCode === undefined && !closed) throw error;
    if (loggedIn) {
      await loggedIn.link.logout();
      terminal.print(TerminalText.goodbye);
    }
    return exitCode ?? ExitCode.failure;
  } finally {
    heartbeat.abort();
    await loggedIn?.link.close();
    await server.close();
    await digests.close();
    terminal.close();
  }
}
