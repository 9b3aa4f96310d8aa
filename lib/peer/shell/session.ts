/**
 * One run of the peer: start the uploader, log in, keep the session alive, and carry out the
 * user's commands until `xit`, end of input or a stop signal. Everything it starts is stopped on
 * the way out, whichever way that is. Logging in is `login.ts`; each command is `run_command.ts`.
 *
 * @module
 */

import { abortable, errorText } from "../../util/mod.ts";
import { InterruptedError } from "../../terminal/mod.ts";
import {
  AddressError,
  advertisedAddress,
  allPublishedFiles,
  bindHostnameFor,
  canFailOver,
  failOverInBackground,
  isClosed,
  KnownTrackers,
  listenHostname,
  type PublishedMeta,
  resolveHost,
  restoreInBackground,
  SilenceWatch,
  startHeartbeat,
  type TrackerAddress,
  type TrackerChoice,
} from "../control/mod.ts";
import { DigestCache, DigestError, fileDigest } from "../share/mod.ts";
import { startUploadServer, type UploadServer } from "../upload/mod.ts";
import { type Identity, loadIdentity } from "../identity/mod.ts";
import {
  AVAILABLE_COMMANDS,
  describeCommandProblem,
  formatCommandProblem,
  parseCommand,
  TerminalText,
} from "./commands.ts";
import { login, LoginAbandoned } from "./login.ts";
import { failed, failureText, outcomeJson, outcomeLines, outcomeNotices } from "./outcome.ts";
import { runCommand } from "./run_command.ts";
import { runSeed } from "./seed.ts";
import { ListedNames, sessionCompleter } from "./completion_sources.ts";
import { keepSharesTrue, reconcileAtLogin, type ShareKeeper } from "./share_truth.ts";
import { DOWNLOADS_ENDED, type ShellJobs, shellJobsFor } from "./shell_jobs.ts";
import {
  ExitCode,
  type LoggedIn,
  type OneShot,
  type Parts,
  type SessionOptions,
  StopRequested,
} from "./session_parts.ts";

/** Announces the upload address and learns what this user already publishes. */
async function startSession(parts: LoggedIn, heartbeat: AbortSignal): Promise<void> {
  const { link, published, options, uploadAddress } = parts;
  await abortable(
    link.register(uploadAddress.host, uploadAddress.port, uploadAddress.tls),
    options.signal,
  );
  // A one-shot command's standard output is its result alone; a seeding peer's stays empty.
  if (options.oneShot === undefined && !options.seed) {
    options.terminal.print(TerminalText.welcome);
    options.terminal.print(AVAILABLE_COMMANDS);
  }
  startHeartbeat({
    // A tracker that restarted answers the next heartbeat with `ERR token`: come back at once, so
    // this peer's files are found again without waiting for its user to type something.
    beat: async () => {
      const beating = parts.link;
      const outcome = await beating.heartbeat(() => {
        // A late answer to a beat of a session already restored is old news.
        if (parts.link !== beating) return;
        restoreInBackground(parts);
      });
      // With several trackers, one that stopped answering is left for the next (failover.ts).
      if (!canFailOver(parts) || parts.link !== beating) return;
      if (outcome === "answered") parts.silence.answered();
      else if (outcome === "unanswered" && parts.silence.missed()) failOverInBackground(parts);
    },
    signal: heartbeat,
    intervalMs: link.heartbeatIntervalMs,
  });
  try {
    // Publications outlive sessions, so files published last time must be served again.
    // OWN where the tracker has it: names with spaces are served too.
    const names = await abortable(allPublishedFiles(link), options.signal);
    for (const name of names ?? []) published.add(name);
  } catch (error) {
    if (options.signal.aborted) throw error;
    // The seed is best effort: without it, only files published from now on are served.
  }
}

/** Logs out and says goodbye; resolves with `exitCode`. */
async function leave(parts: LoggedIn, exitCode: number): Promise<number> {
  parts.following?.abort();
  await parts.link.logout();
  parts.options.terminal.print(TerminalText.goodbye);
  return exitCode;
}

async function commandLoop(parts: LoggedIn): Promise<number> {
  // `help`, `jobs`, `cancel` and background `get`s; cancelled and unwound however the loop ends.
  const jobs = shellJobsFor(parts);
  try {
    return await readCommands(parts, jobs);
  } finally {
    await jobs.close();
  }
}

async function readCommands(parts: LoggedIn, jobs: ShellJobs): Promise<number> {
  const { terminal, signal, exitOnError, stay } = parts.options;
  const listed = new ListedNames();
  terminal.setCompleter(sessionCompleter(parts.options.dir, parts.published, listed));
  // Ctrl-C on an empty prompt stops the background downloads (part files kept).
  terminal.setIdleInterrupt(() => jobs.cancelAll() > 0);
  // After `xit` with downloads active, the next line races their end: whichever comes first.
  let reading: Promise<string | null> | undefined;
  for (;;) {
    reading ??= abortable(terminal.readCommand(TerminalText.commandPrompt), signal);
    const next = jobs.leaving ? await Promise.race([reading, jobs.ended()]) : await reading;
    if (next === DOWNLOADS_ENDED) {
      // The prompt still waits; closing the terminal ends it, and nobody needs its answer.
      reading.catch(() => {});
      break;
    }
    reading = undefined;
    const line = next;
    if (exitOnError && jobs.newFailure()) return await stopAtFailure(parts);
    if (line === null) {
      // A script's downloads end before its session does.
      await abortable(jobs.finish(), signal);
      if (exitOnError && jobs.newFailure()) return await stopAtFailure(parts);
      if (stay) return await stayOnline(parts);
      break;
    }
    const handled = await jobs.handle(line);
    if (handled !== undefined) {
      if (!handled.ok && exitOnError) return await stopAtFailure(parts);
      continue;
    }
    const parsed = parseCommand(line);
    if (!parsed.ok) {
      terminal.print(formatCommandProblem(parsed.problem));
      if (exitOnError) return await stopAtFailure(parts, describeCommandProblem(parsed.problem));
      continue;
    }
    const { command } = parsed;
    if (command.kind === "empty") continue;
    if (command.kind === "xit") {
      if (jobs.mayLeave()) break;
      continue;
    }
    const outcome = await runCommand(parts, command, {
      notice: (text) => terminal.print(text),
      cancel: terminal.commandSignal(),
    });
    listed.note(outcome);
    const tone = outcome.ok ? "plain" : "failure";
    for (const output of outcomeLines(outcome)) terminal.print(output, tone);
    for (const notice of outcomeNotices(outcome)) terminal.error(notice);
    // Standard output keeps the v1 text (`File unpublication failed`); the why goes beside it.
    if (!outcome.ok && outcome.reason !== undefined) terminal.error(outcome.reason);
    if (!outcome.ok && exitOnError) return await stopAtFailure(parts, failureText(outcome));
  }
  // Downloads still active after a second `xit` end before the session does.
  await jobs.close();
  return await leave(parts, ExitCode.ok);
}

/**
 * `--exit-on-error`: a command failed, so the commands after it are not run. Standard error says
 * why (a script's reader may not keep standard output), then that the rest was skipped.
 */
async function stopAtFailure(parts: LoggedIn, why?: string): Promise<number> {
  if (why !== undefined) parts.options.terminal.error(`peersync-peer: ${why}`);
  parts.options.terminal.error(
    "peersync-peer: a command failed; not running the rest (--exit-on-error)",
  );
  return await leave(parts, ExitCode.failure);
}

/**
 * Input ended with `--stay`: keep the session (heartbeats) and the uploader running until a stop
 * signal, which is then the normal way out (exit 0), as a service manager expects.
 */
async function stayOnline(parts: LoggedIn): Promise<number> {
  const { terminal, signal } = parts.options;
  terminal.error(
    "peersync-peer: end of input; staying online and serving published files until SIGTERM or SIGINT",
  );
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  const reason = signal.reason instanceof StopRequested ? ` (${signal.reason.message})` : "";
  terminal.error(`peersync-peer: stopping${reason}`);
  return await leave(parts, ExitCode.ok);
}

/**
 * Runs one command and exits with its outcome: its lines (or one JSON object) on standard
 * output when it succeeded; the reason on standard error (and the JSON object on standard
 * output) when it failed.
 */
async function runOneShot(parts: LoggedIn, oneShot: OneShot): Promise<number> {
  const { terminal } = parts.options;
  const outcome = await runCommand(parts, oneShot.command, {
    notice: (text) => terminal.error(text),
  });
  await parts.link.logout();
  if (oneShot.json) terminal.print(outcomeJson(outcome));
  if (outcome.ok) {
    if (!oneShot.json) { for (const line of outcome.lines) terminal.print(line); }
    for (const notice of outcomeNotices(outcome)) terminal.error(notice);
    return ExitCode.ok;
  }
  terminal.error(failureText(outcome));
  return ExitCode.failure;
}

function exitCodeOf(error: unknown, signal: AbortSignal): number | undefined {
  if (error instanceof StopRequested) return error.exitCode;
  if (error instanceof InterruptedError) return ExitCode.interrupted;
  // Stopped from outside without a StopRequested reason: still a stop, not a crash.
  if (signal.aborted) return ExitCode.interrupted;
  return undefined;
}

/** Size and digest of a published file to publish it again, or `undefined` once it is gone. */
async function describePublished(parts: Parts, file: string): Promise<PublishedMeta | undefined> {
  try {
    const digest = await fileDigest(parts.options.dir, file, parts.digests);
    parts.versions?.set(file, digest);
    return digest;
  } catch (error) {
    if (error instanceof DigestError) return undefined;
    throw error;
  }
}

/**
 * Runs the peer until the user leaves, and resolves with the process exit status: 0 after `xit`
 * or end of input (and after a stop signal once input ended with `stay`), 1 when login fails
 * for good (or a command failed with `exitOnError`, or a one-shot command failed), 130/143 (or
 * the {@linkcode StopRequested} code) after a stop signal.
 *
 * @example
 * ```ts ignore
 * import { openTerminal, runSession } from "./mod.ts";
 * const stop = new AbortController();
 * const code = await runSession({
 *   trackerHost: "127.0.0.1", trackerPort: 9000, dir: ".", terminal: openTerminal(), signal: stop.signal,
 * });
 * ```
 */
export async function runSession(options: SessionOptions): Promise<number> {
  const { terminal } = options;
  const addresses: readonly TrackerAddress[] = options.trackers?.length
    ? options.trackers
    : [{ host: options.trackerHost, port: options.trackerPort }];
  let advertised: string;
  const trackerIps: string[] = [];
  try {
    for (const address of addresses) trackerIps.push(await resolveHost(address.host));
    // The address that reaches the first tracker: all of them should be reachable from it.
    advertised = advertisedAddress({ trackerIp: trackerIps[0], override: options.advertise });
  } catch (error) {
    if (!(error instanceof AddressError)) throw error;
    terminal.error(`peersync-peer: ${error.message}`);
    terminal.close();
    return ExitCode.failure;
  }
  let identity: Identity;
  try {
    // Made quietly on first start, like trackers.json; a stored one that cannot be used is said.
    identity = await loadIdentity(options.stateDir, () => {});
  } catch (error) {
    terminal.error(`peersync-peer: ${errorText(error)}`);
    terminal.close();
    return ExitCode.failure;
  }
  const published = new Set<string>();
  const digests = await DigestCache.open(options.dir);
  // Set once the session keeps its publications true to the folder (interactive sessions).
  let keeper: ShareKeeper | undefined;
  let server: UploadServer;
  try {
    server = startUploadServer({
      tls: identity,
      requireTls: options.requireTls,
      hostname: listenHostname(advertised),
      dir: options.dir,
      published,
      digestCache: digests,
      maxUploads: options.maxUploads,
      maxUploadsPerPeer: options.maxUploadsPerPeer,
      rateLimitBytesPerSecond: options.uploadLimit,
      onStale: () => keeper?.check(),
    });
  } catch (error) {
    terminal.error(
      `peersync-peer: cannot accept downloads on ${advertised}: ${errorText(error)}`,
    );
    terminal.close();
    return ExitCode.failure;
  }
  const knownTrackers = await KnownTrackers.open(options.stateDir, (line) => terminal.error(line));
  const trackers: TrackerChoice[] = addresses.map((address, index) => ({
    address,
    connect: {
      trackerIp: trackerIps[index],
      trackerPort: address.port,
      bindHostname: bindHostnameFor(trackerIps[index]),
      timeoutMs: options.timeoutMs,
      // One record for all: the no-downgrade rule holds per tracker address.
      knownTrackers,
      ...(options.sealed === undefined ? {} : { sealed: options.sealed }),
    },
  }));
  const heartbeat = new AbortController();
  const following = new AbortController();
  const parts: Parts = {
    options,
    connect: trackers[0].connect,
    trackers,
    published,
    digests,
    versions: new Map(),
    following,
  };
  let loggedIn: LoggedIn | undefined;
  try {
    const { link, tracker, relogin, loginAt } = await login(parts);
    const session: LoggedIn = loggedIn = {
      ...parts,
      link,
      current: tracker,
      // Back on the tracker in use, whichever that is now.
      relogin: () => relogin(trackers[session.current].connect),
      loginAt,
      silence: new SilenceWatch(),
      // With several trackers, a session the tracker in use lost and will not give back is
      // taken to the next one; with one, the background restore keeps trying there.
      ...(trackers.length > 1
        ? { onRestoreFailed: () => failOverInBackground(session, "lost") }
        : {}),
      signal: options.signal,
      notify: (line) => terminal.error(line),
      uploadAddress: {
        host: advertised,
        port: server.addr.port,
        tls: { port: server.tlsAddr!.port, fingerprint: identity.fingerprint },
      },
      describe: (file) => describePublished(parts, file),
    };
    await startSession(loggedIn, heartbeat.signal);
    if (options.oneShot !== undefined) return await runOneShot(loggedIn, options.oneShot);
    if (options.seed) return await runSeed(loggedIn);
    // One-shot commands do not reconcile: they serve nothing, and may run from any folder.
    await reconcileAtLogin(loggedIn);
    keeper = keepSharesTrue(loggedIn, following.signal);
    return await commandLoop(loggedIn);
  } catch (error) {
    if (error instanceof LoginAbandoned) {
      if (options.oneShot?.json) {
        terminal.print(outcomeJson(failed(options.oneShot.command.kind, error.kind, error.reason)));
      }
      return error.exitCode;
    }
    const exitCode = exitCodeOf(error, options.signal);
    const closed = isClosed(error);
    if (exitCode === undefined && !closed) throw error;
    if (loggedIn) {
      following.abort();
      await loggedIn.link.logout();
      if (options.oneShot === undefined && !options.seed) terminal.print(TerminalText.goodbye);
    }
    return exitCode ?? ExitCode.failure;
  } finally {
    heartbeat.abort();
    following.abort();
    await loggedIn?.link.close();
    await server.close();
    await digests.close();
    terminal.close();
  }
}
