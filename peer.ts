/**
 * PeerSync peer: `deno task peer [options] <tracker_port> [command [argument]]` (or
 * `--tracker HOST:PORT` instead of the port): interactive without a command, one-shot with one.
 *
 * Only the command line lives here; the parts are in `lib/peer/` (see docs/architecture.md).
 *
 * @module
 */

import { installGcm } from "./lib/protocol/gcm_backend.ts";
import { resolve } from "node:path";
import {
  asPositional,
  booleanOption,
  CliExit,
  type CommandSpec,
  helpText,
  parseCommandLine,
  STANDARD_OPTIONS,
  stringOption,
  stringOptions,
  UsageError,
  usageLine,
  userDirectory,
  versionText,
} from "./lib/cli.ts";
import { isIpLiteral, parsePort } from "./lib/protocol/mod.ts";
import {
  DEFAULT_MAX_UPLOADS,
  DEFAULT_MAX_UPLOADS_PER_PEER,
  DEFAULT_MAX_V1_BYTES,
  DEFAULT_PARALLEL_SOURCES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  V2_REQUEST_DEADLINE_MS,
} from "./lib/peer/defaults.ts";
import { displayText } from "./lib/protocol/display_text.ts";
import { errorText, fileErrorText, withoutBom } from "./lib/util/mod.ts";
import {
  type Credentials,
  ExitCode,
  historyPath,
  oneShotCommand,
  openTerminal,
  runSession,
  type SessionOptions,
  StopRequested,
} from "./lib/peer/shell/mod.ts";
import { defaultStateDir, type TrackerAddress, trackerLabel } from "./lib/peer/control/mod.ts";
import { DEFAULT_MAX_RUNNING_JOBS } from "./lib/peer/shell/job_table.ts";
import {
  parseCount,
  parseRate,
  parseSize,
  parseTimeout,
  parseTrackerAddress,
} from "./lib/peer/option_values.ts";

/** The environment variable a script puts the password in (never the command line). */
const PASSWORD_VARIABLE = "PEERSYNC_PASSWORD";
/** How often a terminal shows the status line of background downloads. */
const STATUS_EVERY_MS = 10_000;
/** More connections than this to one file's holders would only add overhead. */
const MAX_SOURCES = 16;

const spec: CommandSpec = {
  name: "peersync-peer",
  invocation: "deno task peer …",
  summary: [
    "Logs in to the PeerSync tracker at HOST:<tracker_port> (UDP), then reads commands:",
    "get, lap, lpf, pub, sch, unp, xit. Given a command (get FILE, lap, lpf, pub FILE,",
    "unp FILE, sch TEXT) it runs only that one and exits: 0 when it succeeded, 1 when it",
    "failed (the reason on standard error), 2 for a usage error. `seed [DIR]` publishes the",
    "share folder, follows it and stays online until SIGTERM/SIGINT. The password comes from the",
    `prompt, standard input, ${PASSWORD_VARIABLE} or --password-file; never the command line.`,
  ].join("\n"),
  positionals: [
    { name: "tracker_port", description: "the tracker's UDP port (or give --tracker)" },
    {
      name: "command",
      description: "one command to run instead of the interactive session, e.g. get FILE; " +
        "or seed [DIR]",
      optional: true,
    },
  ],
  options: {
    host: { type: "string", value: "HOST", description: "tracker address", default: "127.0.0.1" },
    tracker: {
      type: "string",
      short: "t",
      value: "HOST:PORT",
      description: "tracker address and port in one, instead of --host and <tracker_port> " +
        "([::1]:5000 for IPv6); repeat it for fallback trackers: the peer logs in on the first " +
        "that answers and moves to the next when the one in use stops answering",
      multiple: true,
    },
    user: {
      type: "string",
      short: "u",
      value: "NAME",
      description: `log in as NAME without the prompts; the password from ${PASSWORD_VARIABLE} ` +
        "or --password-file (required for a one-shot command)",
    },
    "password-file": {
      type: "string",
      value: "FILE",
      description: `read the password from the first line of FILE (wins over ${PASSWORD_VARIABLE})`,
    },
    json: {
      type: "boolean",
      description: "a one-shot command prints one JSON object (see README)",
    },
    stay: {
      type: "boolean",
      description: "at end of input stay online, serving published files, until SIGTERM or " +
        "SIGINT (then exit 0): for services and scripts",
    },
    "no-seed": {
      type: "boolean",
      description: "do not share a file once it is downloaded (by default it is published, so " +
        "others can fetch it here too)",
    },
    "exit-on-error": {
      type: "boolean",
      short: "e",
      description: "stop at the first command that fails and exit 1 (`xit` otherwise exits 0)",
    },
    background: {
      type: "boolean",
      description: "get downloads in the background (jobs, cancel) even when commands come " +
        "from a pipe, as on a terminal; end of input waits for the downloads (for scripts, tests)",
    },
    "max-jobs": {
      type: "string",
      value: "N",
      description: "background downloads running at once; more are queued",
      default: String(DEFAULT_MAX_RUNNING_JOBS),
    },
    dir: {
      type: "string",
      short: "d",
      value: "DIR",
      description: "share folder: files are published from and downloaded into it " +
        "(default: the directory you run from)",
    },
    advertise: {
      type: "string",
      value: "IP",
      description: "address other peers download from (default: the local address that " +
        "reaches the tracker)",
    },
    timeout: {
      type: "string",
      value: "MS",
      description: "how long to wait for a tracker reply, retransmitting under v2 " +
        `(default ${V2_REQUEST_DEADLINE_MS}; ${DEFAULT_REQUEST_TIMEOUT_MS} for a v1 tracker)`,
    },
    "require-v2": {
      type: "boolean",
      description: "refuse a tracker that speaks only v1 (its login sends the password in clear)",
    },
    "require-tls": {
      type: "boolean",
      description: "refuse transfers in clear: download only over pinned TLS, upload only over TLS",
    },
    "state-dir": {
      type: "string",
      value: "DIR",
      description:
        "where the peer keeps its TLS identity and remembers which trackers spoke v2, so it never falls back " +
        "to v1 for them (default: $XDG_STATE_HOME/peersync, else ~/.local/state/peersync)",
    },
    "max-uploads": {
      type: "string",
      value: "N",
      description: `uploads served at once; more get a "busy" answer`,
      default: String(DEFAULT_MAX_UPLOADS),
    },
    "max-uploads-per-peer": {
      type: "string",
      value: "N",
      description: "of those, uploads to one address at once (an IPv6 /64 counts as one)",
      default: String(DEFAULT_MAX_UPLOADS_PER_PEER),
    },
    "upload-limit": {
      type: "string",
      value: "RATE",
      description: "cap on upload speed, bytes per second (suffix k, M or G for KiB, MiB, GiB)",
    },
    "download-limit": {
      type: "string",
      value: "RATE",
      description: "cap on download speed, bytes per second (suffix k, M or G)",
    },
    "max-sources": {
      type: "string",
      value: "N",
      description: "holders a large file (64 MiB or more) is fetched from at once, in disjoint " +
        "ranges; 1 fetches from one holder at a time",
      default: String(DEFAULT_PARALLEL_SOURCES),
    },
    "max-v1-size": {
      type: "string",
      value: "SIZE",
      description: "the most a v1 holder may send for a file with no published size; past it " +
        "the holder is treated as broken (suffix k, M, G or T)",
      default: `${DEFAULT_MAX_V1_BYTES / 1024 ** 3}G`,
    },
    ...STANDARD_OPTIONS,
  },
  examples: [
    "deno task peer 5000",
    "deno task peer --host 192.0.2.10 --dir ~/shared 5000",
    `${PASSWORD_VARIABLE}=… deno task peer -t 192.0.2.10:5000 -u alice get report.pdf`,
    "deno task peer -t 192.0.2.10:5000 -u alice --password-file pw.txt --json lap",
    "deno task peer -t 192.0.2.10:5000 -u alice --password-file pw.txt seed ~/shared",
    "deno task peer -t 192.0.2.10:5000 -t 192.0.2.11:5000   # the second if the first stops",
  ],
};

/** What the command line sets: everything a session needs but its terminal and stop signal. */
type Settings =
  & Omit<SessionOptions, "terminal" | "signal" | "credentials">
  & {
    readonly show?: "help" | "version";
    /** `--user`, the password to be found when the command line is known good. */
    readonly user?: string;
    readonly passwordFile?: string;
  };

/**
 * `args` with the options of a one-shot command's own (`sch -e|-l TEXT`, `get -v N FILE`) marked
 * as the command's words: the peer's `-e` (--exit-on-error) must not swallow `sch -e`, nor
 * `sch -l` and `get -v` be refused as unknown options of the peer. A dash word right after the
 * command that is no option of the peer's either (`sch -x foo`) is the command's too, so the
 * command's parser names it with the command's usage.
 */
function withCommandOptions(args: readonly string[]): string[] {
  const result = [...args];
  for (let index = 0; index < result.length; index++) {
    const word = result[index];
    if (word === "--") break;
    if (word.startsWith("-") && word.length > 1) {
      // An option; skip its value when it takes one and was not given with `=`.
      if (!word.includes("=") && takesValue(word)) index++;
      continue;
    }
    let next = index + 1;
    if (word === "sch") {
      while (result[next] === "-e" || result[next] === "-l") {
        result[next] = asPositional(result[next++]);
      }
    } else if (word === "get" && result[next] === "-v") {
      result[next] = asPositional(result[next]);
      if (next + 1 < result.length) result[next + 1] = asPositional(result[next + 1]);
    }
    if (
      COMMAND_WORDS.has(word) && next < result.length - 1 && result[next].startsWith("-") &&
      result[next].length > 1 && !isPeerOption(result[next])
    ) {
      result[next] = asPositional(result[next]);
    }
    if (COMMAND_WORDS.has(word)) break;
  }
  return result;
}

const COMMAND_WORDS = new Set(["get", "lap", "lpf", "pub", "unp", "sch", "seed", "xit"]);

function isPeerOption(word: string): boolean {
  if (word === "--") return true;
  const flag = word.split("=")[0];
  if (flag.startsWith("--")) return spec.options[flag.slice(2)] !== undefined;
  // A group of short options (`-eh`) is the peer's when every letter is.
  const shorts = new Set(Object.values(spec.options).map((candidate) => candidate.short));
  return [...flag.slice(1)].every((letter) => shorts.has(letter));
}

function takesValue(flag: string): boolean {
  const option = flag.startsWith("--")
    ? spec.options[flag.slice(2)]
    : Object.values(spec.options).find((candidate) => candidate.short === flag.slice(1));
  return option?.type === "string";
}

function settingsFrom(args: string[]): Settings {
  const parsed = parseCommandLine(withCommandOptions(args), spec);
  if (booleanOption(parsed, "help")) {
    return { show: "help", trackerHost: "", trackerPort: 0, dir: "" };
  }
  if (booleanOption(parsed, "version")) {
    return { show: "version", trackerHost: "", trackerPort: 0, dir: "" };
  }
  let positionals = parsed.positionals;
  let trackerHost: string;
  let trackerPort: number;
  let trackers: TrackerAddress[] | undefined;
  const trackerOptions = stringOptions(parsed, "tracker");
  if (trackerOptions.length > 0) {
    // --host has a default, so only an explicit one conflicts.
    if (args.some((arg) => arg === "--host" || arg.startsWith("--host="))) {
      throw new UsageError("give either --tracker or --host, not both");
    }
    const given = trackerOptions.map((text) => parseTrackerAddress(text, "--tracker"));
    ({ host: trackerHost, port: trackerPort } = given[0]);
    if (given.length > 1) {
      const labels = given.map(trackerLabel);
      const twice = labels.find((label, index) => labels.indexOf(label) !== index);
      if (twice !== undefined) throw new UsageError(`tracker ${twice} is given twice`);
      trackers = given;
    }
  } else {
    if (positionals.length === 0) throw new UsageError("missing <tracker_port> (or --tracker)");
    const port = parsePort(positionals[0]);
    if (port === undefined) {
      throw new UsageError(`invalid tracker port "${positionals[0]}": expected 1-65535`);
    }
    trackerPort = port;
    positionals = positionals.slice(1);
    trackerHost = stringOption(parsed, "host") ?? "127.0.0.1";
  }
  if (trackerHost === "") throw new UsageError("--host needs an address");
  const seed = positionals[0] === "seed";
  let seedDir: string | undefined;
  if (seed) {
    if (positionals.length > 2) throw new UsageError("seed takes at most one folder");
    seedDir = positionals[1];
    if (seedDir !== undefined && stringOption(parsed, "dir") !== undefined) {
      throw new UsageError("give the folder to seed either after seed or with --dir, not both");
    }
    for (const flag of ["json", "stay", "exit-on-error", "background"]) {
      if (booleanOption(parsed, flag)) throw new UsageError(`--${flag} means nothing to seed`);
    }
    if (stringOption(parsed, "user") === undefined) {
      throw new UsageError(`seed needs --user (and the password in ${PASSWORD_VARIABLE})`);
    }
    positionals = [];
  }
  const oneShot = positionals.length === 0 ? undefined : {
    command: oneShotCommand(positionals),
    json: booleanOption(parsed, "json"),
  };
  if (oneShot === undefined && booleanOption(parsed, "json")) {
    throw new UsageError("--json needs a command (e.g. lap)");
  }
  const user = stringOption(parsed, "user");
  if (oneShot !== undefined && user === undefined) {
    throw new UsageError(`a command needs --user (and the password in ${PASSWORD_VARIABLE})`);
  }
  if (oneShot !== undefined && booleanOption(parsed, "stay")) {
    throw new UsageError("--stay is for a session, not a one-shot command");
  }
  if (oneShot !== undefined && booleanOption(parsed, "background")) {
    throw new UsageError("--background is for a session, not a one-shot command");
  }
  const base = userDirectory();
  const dirOption = seedDir ?? stringOption(parsed, "dir");
  const dir = dirOption === undefined ? base : resolve(base, dirOption);
  let isDirectory: boolean;
  try {
    isDirectory = Deno.statSync(dir).isDirectory;
  } catch {
    throw new UsageError(`share folder ${dir} does not exist`);
  }
  if (!isDirectory) throw new UsageError(`share folder ${dir} is not a directory`);
  const advertise = stringOption(parsed, "advertise");
  if (advertise !== undefined && !isIpLiteral(advertise)) {
    throw new UsageError(`--advertise needs an IP address, not ${advertise}`);
  }
  const timeout = stringOption(parsed, "timeout");
  let timeoutMs: number | undefined;
  if (timeout !== undefined) {
    timeoutMs = parseTimeout(timeout, "--timeout");
  }
  const stateDirOption = stringOption(parsed, "state-dir");
  const stateDir = stateDirOption === undefined
    ? defaultStateDir(environment)
    : resolve(base, stateDirOption);
  const maxUploads = stringOption(parsed, "max-uploads");
  const maxUploadsPerPeer = stringOption(parsed, "max-uploads-per-peer");
  const uploadLimit = stringOption(parsed, "upload-limit");
  const downloadLimit = stringOption(parsed, "download-limit");
  const maxSources = stringOption(parsed, "max-sources");
  const maxV1Size = stringOption(parsed, "max-v1-size");
  const maxJobs = stringOption(parsed, "max-jobs");
  const interactive = Deno.stdin.isTerminal();
  const passwordFile = stringOption(parsed, "password-file");
  if (passwordFile !== undefined && user === undefined) {
    throw new UsageError("--password-file needs --user");
  }
  return {
    ...(user === undefined ? {} : { user }),
    ...(passwordFile === undefined ? {} : { passwordFile: resolve(base, passwordFile) }),
    ...(oneShot === undefined ? {} : { oneShot }),
    ...(seed ? { seed } : {}),
    stay: booleanOption(parsed, "stay"),
    // On a terminal `get` returns to the prompt at once; from a pipe it stays in the foreground
    // unless asked, so a script's commands keep their order and its exit status its meaning.
    backgroundGets: interactive || booleanOption(parsed, "background"),
    maxJobs: maxJobs === undefined ? undefined : parseCount(maxJobs, "--max-jobs"),
    // This terminal cannot redraw a status line in place: a line of its own now and then.
    statusEveryMs: interactive ? STATUS_EVERY_MS : undefined,
    exitOnError: booleanOption(parsed, "exit-on-error"),
    noSeed: booleanOption(parsed, "no-seed"),
    trackerHost,
    trackerPort,
    ...(trackers === undefined ? {} : { trackers }),
    dir,
    advertise,
    timeoutMs,
    requireV2: booleanOption(parsed, "require-v2"),
    requireTls: booleanOption(parsed, "require-tls"),
    ...(stateDir === undefined ? {} : { stateDir }),
    maxUploads: maxUploads === undefined ? undefined : parseCount(maxUploads, "--max-uploads"),
    maxUploadsPerPeer: maxUploadsPerPeer === undefined
      ? undefined
      : parseCount(maxUploadsPerPeer, "--max-uploads-per-peer"),
    uploadLimit: uploadLimit === undefined ? undefined : parseRate(uploadLimit, "--upload-limit"),
    downloadLimit: downloadLimit === undefined
      ? undefined
      : parseRate(downloadLimit, "--download-limit"),
    maxSources: maxSources === undefined
      ? undefined
      : parseCount(maxSources, "--max-sources", MAX_SOURCES),
    maxV1Bytes: maxV1Size === undefined ? undefined : parseSize(maxV1Size, "--max-v1-size"),
  };
}

/** An environment variable, or `undefined` when unset or not allowed to be read. */
function environment(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

const STOP_SIGNALS: ReadonlyArray<readonly [Deno.Signal, number]> = [
  ["SIGINT", ExitCode.interrupted],
  ["SIGTERM", ExitCode.terminated],
];

/** The password for `--user`: first line of `--password-file`, else `PEERSYNC_PASSWORD`. */
async function passwordFor(
  settings: Settings,
): Promise<string | { problem: string; exitCode: number }> {
  if (settings.passwordFile !== undefined) {
    let text: string;
    try {
      text = await Deno.readTextFile(settings.passwordFile);
    } catch (error) {
      return {
        problem: `cannot read password file ${settings.passwordFile}: ${fileErrorText(error)}`,
        exitCode: CliExit.failure,
      };
    }
    // A byte-order mark (Notepad's UTF-8) is no part of the password.
    const password = withoutBom(text).split("\n")[0].replace(/\r$/, "");
    // No credentials line can hold an empty password: sending one would only count as a failed
    // login towards the user's lockout.
    if (password === "") {
      return {
        problem: `password file ${settings.passwordFile} has an empty first line`,
        exitCode: CliExit.failure,
      };
    }
    return password;
  }
  const fromEnvironment = environment(PASSWORD_VARIABLE);
  if (fromEnvironment === "") {
    return {
      problem: usageLine(spec.name, `${PASSWORD_VARIABLE} is empty`).slice(spec.name.length + 2),
      exitCode: CliExit.usage,
    };
  }
  if (fromEnvironment !== undefined) return fromEnvironment;
  return {
    problem: usageLine(spec.name, `--user needs ${PASSWORD_VARIABLE} or --password-file`)
      .slice(spec.name.length + 2),
    exitCode: CliExit.usage,
  };
}

/** Runs the peer with `args` and resolves with the exit status. */
export async function main(args: string[]): Promise<number> {
  let settings: Settings;
  try {
    settings = settingsFrom(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(usageLine(spec.name, error.message));
    return CliExit.usage;
  }
  if (settings.show === "help") {
    console.log(helpText(spec));
    return ExitCode.ok;
  }
  if (settings.show === "version") {
    console.log(versionText(spec.name));
    return ExitCode.ok;
  }
  let credentials: Credentials | undefined;
  if (settings.user !== undefined) {
    const password = await passwordFor(settings);
    if (typeof password !== "string") {
      console.error(`${spec.name}: ${password.problem}`);
      return password.exitCode;
    }
    credentials = { user: settings.user, password };
  }
  const { show: _show, user: _user, passwordFile: _passwordFile, ...session } = settings;
  // OpenSSL through FFI when --allow-ffi grants libcrypto, else node:crypto: the same datagrams.
  installGcm("auto");
  const stop = new AbortController();
  const handlers: Array<readonly [Deno.Signal, () => void]> = [];
  for (const [signal, exitCode] of STOP_SIGNALS) {
    const handler = () => stop.abort(new StopRequested(exitCode, signal));
    try {
      Deno.addSignalListener(signal, handler);
      handlers.push([signal, handler]);
    } catch {
      // Not every platform has every signal (no SIGTERM listener on Windows).
    }
  }
  try {
    return await runSession({
      ...session,
      ...(credentials === undefined ? {} : { credentials }),
      terminal: openTerminal({
        ...(session.stateDir === undefined ? {} : { historyFile: historyPath(session.stateDir) }),
        // On a terminal Ctrl-C is a key; pressed again while a cancelled command hangs on, it
        // stops the peer as SIGINT would.
        onForceStop: () => stop.abort(new StopRequested(ExitCode.interrupted, "SIGINT")),
      }),
      signal: stop.signal,
    });
  } finally {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  }
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (error) {
    // A bug, not bad input: still one line, never a stack trace in the user's terminal.
    console.error(`${spec.name}: ${displayText(errorText(error))}`);
    code = ExitCode.failure;
  }
  // A read of standard input may still be pending; exiting is what ends it.
  Deno.exit(code);
}
