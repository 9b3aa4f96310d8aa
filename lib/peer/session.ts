/**
 * One run of the peer: start the uploader, log in, keep the session alive, and carry out the
 * user's commands until `xit`, end of input or a stop signal. Everything it starts is stopped on
 * the way out, whichever way that is.
 *
 * @module
 */

import {
  isValidField,
  MAX_PASSWORD_BYTES,
  MAX_USER_NAME_BYTES,
  type Reply,
  type Request,
} from "../protocol/mod.ts";
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
import {
  ControlClient,
  ControlClientClosedError,
  TrackerTimeoutError,
  UnexpectedReplyError,
} from "./control_client.ts";
import { DownloadError, downloadFile } from "./download.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { AddressError, advertisedAddress, listenHostname, resolveHost } from "./local_address.ts";
import { describeNotShareable, resolveSharedFile } from "./share_folder.ts";
import { InterruptedError, type Terminal } from "./terminal.ts";
import { startUploadServer, type UploadServer } from "./upload_server.ts";

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
  /** How long to wait for each tracker reply. */
  readonly timeoutMs?: number;
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

/** Resolves with `promise`, or rejects with the signal's reason as soon as `signal` aborts. */
function untilStopped<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** The parts that live for the whole logged-in session. */
interface Parts {
  readonly options: SessionOptions;
  readonly client: ControlClient;
  readonly server: UploadServer;
  readonly published: Set<string>;
  readonly advertised: string;
}

/** A login that did not happen: the session exits with this code. */
class LoginAbandoned extends Error {
  override name = "LoginAbandoned";
  constructor(readonly exitCode: number) {
    super("login abandoned");
  }
}

async function login(parts: Parts): Promise<void> {
  const { terminal, signal, trackerHost, trackerPort } = parts.options;
  const endOfInput = () => {
    terminal.error("peersync-peer: input ended before login");
    return new LoginAbandoned(ExitCode.failure);
  };
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
    let reply: Reply;
    try {
      reply = await untilStopped(parts.client.request({ kind: "auth", user, password }), signal);
    } catch (error) {
      if (error instanceof TrackerTimeoutError) {
        terminal.error(`Tracker at ${trackerHost}:${trackerPort} is not responding`);
        throw new LoginAbandoned(ExitCode.failure);
      }
      if (error instanceof UnexpectedReplyError) {
        terminal.error(`peersync-peer: unexpected reply from the tracker: ${error.reason}`);
        throw new LoginAbandoned(ExitCode.failure);
      }
      throw error;
    }
    if (reply.kind === "ok") return;
    terminal.print(TerminalText.authenticationFailed);
  }
}

/** Announces the upload address and learns what this user already publishes. */
async function startSession(parts: Parts, heartbeat: AbortSignal): Promise<void> {
  const { client, server, published, options } = parts;
  await client.send({ kind: "TCP", host: parts.advertised, port: server.addr.port });
  options.terminal.print(TerminalText.welcome);
  options.terminal.print(AVAILABLE_COMMANDS);
  startHeartbeat({ beat: () => client.send({ kind: "HBT" }), signal: heartbeat });
  try {
    // Publications outlive sessions, so files published last time must be served again.
    const reply = await untilStopped(client.request({ kind: "lpf" }), options.signal);
    if (reply.kind === "publishedFiles") {
      for (const name of reply.list.names) published.add(name);
    }
  } catch (error) {
    if (options.signal.aborted) throw error;
    // The seed is best effort: without it, only files published from now on are served.
  }
}

/** Asks the tracker, turning the failures every command shares into one printed line. */
async function ask(parts: Parts, request: Request): Promise<Reply | string> {
  try {
    return await untilStopped(parts.client.request(request), parts.options.signal);
  } catch (error) {
    if (error instanceof TrackerTimeoutError) return TerminalText.trackerNotResponding;
    if (error instanceof UnexpectedReplyError) {
      return `Unexpected reply from the tracker: ${error.reason}`;
    }
    throw error;
  }
}

async function publish(parts: Parts, file: string): Promise<string[]> {
  const { dir } = parts.options;
  const shared = await resolveSharedFile(dir, file);
  if (!shared.ok) return [`Cannot publish ${file}: ${describeNotShareable(shared.reason, dir)}`];
  const reply = await ask(parts, { kind: "pub", file });
  if (typeof reply === "string") return [reply];
  if (reply.kind === "published") parts.published.add(file);
  return formatReply("pub", reply);
}

async function unpublish(parts: Parts, file: string): Promise<string[]> {
  const reply = await ask(parts, { kind: "unp", file });
  if (typeof reply === "string") return [reply];
  // Either way the tracker no longer lists it, so it must no longer be served.
  if (reply.kind === "unpublished" || reply.kind === "unpublishFailed") {
    parts.published.delete(file);
  }
  return formatReply("unp", reply);
}

async function get(parts: Parts, file: string): Promise<string[]> {
  const reply = await ask(parts, { kind: "get", file });
  if (typeof reply === "string") return [reply];
  if (reply.kind !== "holder") return formatReply("get", reply);
  try {
    await downloadFile({
      host: reply.host,
      port: reply.port,
      file,
      dir: parts.options.dir,
      signal: parts.options.signal,
    });
    return [formatDownloaded(file)];
  } catch (error) {
    if (parts.options.signal.aborted) throw parts.options.signal.reason;
    if (error instanceof DownloadError) return [formatDownloadFailed(file, error.message)];
    throw error;
  }
}

async function carryOut(
  parts: Parts,
  command: Exclude<Command, { kind: "empty" | "xit" }>,
): Promise<string[]> {
  switch (command.kind) {
    case "pub":
      return await publish(parts, command.file);
    case "unp":
      return await unpublish(parts, command.file);
    case "get":
      return await get(parts, command.file);
    case "lap":
    case "lpf": {
      const reply = await ask(parts, { kind: command.kind });
      return typeof reply === "string" ? [reply] : formatReply(command.kind, reply);
    }
    case "sch": {
      const reply = await ask(parts, { kind: "sch", text: command.text });
      return typeof reply === "string" ? [reply] : formatReply("sch", reply);
    }
  }
}

async function commandLoop(parts: Parts): Promise<number> {
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
  let server: UploadServer;
  try {
    server = startUploadServer({
      hostname: listenHostname(advertised),
      dir: options.dir,
      published,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    terminal.error(`peersync-peer: cannot accept downloads on ${advertised}: ${reason}`);
    terminal.close();
    return ExitCode.failure;
  }
  const client = new ControlClient({
    trackerHost: trackerIp,
    trackerPort: options.trackerPort,
    timeoutMs: options.timeoutMs,
  });
  const heartbeat = new AbortController();
  const parts: Parts = { options, client, server, published, advertised };
  let loggedIn = false;
  try {
    await login(parts);
    loggedIn = true;
    await startSession(parts, heartbeat.signal);
    return await commandLoop(parts);
  } catch (error) {
    if (error instanceof LoginAbandoned) return error.exitCode;
    const exitCode = exitCodeOf(error, options.signal);
    if (exitCode === undefined && !(error instanceof ControlClientClosedError)) throw error;
    if (loggedIn) terminal.print(TerminalText.goodbye);
    return exitCode ?? ExitCode.failure;
  } finally {
    heartbeat.abort();
    await client.close();
    await server.close();
    terminal.close();
  }
}
