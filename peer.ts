/**
 * PeerSync peer: `deno task peer [options] <tracker_port>`.
 *
 * Only the command line lives here; the parts are in `lib/peer/` (see docs/architecture.md).
 *
 * @module
 */

import { resolve } from "node:path";
import {
  booleanOption,
  type CommandSpec,
  helpText,
  parseCommandLine,
  stringOption,
  UsageError,
  userDirectory,
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
import { errorText } from "./lib/util/mod.ts";
import {
  ExitCode,
  openTerminal,
  runSession,
  type SessionOptions,
  StopRequested,
} from "./lib/peer/shell/mod.ts";
import { defaultStateDir } from "./lib/peer/control/mod.ts";

const USAGE_ERROR = 2;
const MAX_TIMEOUT_MS = 600_000;
/** More connections than this to one file's holders would only add overhead. */
const MAX_SOURCES = 16;

const spec: CommandSpec = {
  name: "peersync-peer",
  invocation: "deno task peer …",
  summary: [
    "Logs in to the PeerSync tracker at HOST:<tracker_port> (UDP), then reads commands:",
    "get, lap, lpf, pub, sch, unp, xit. The password is always read from the terminal or",
    "standard input, never from the command line.",
  ].join("\n"),
  positionals: [{ name: "tracker_port", description: "the tracker's UDP port" }],
  options: {
    host: { type: "string", value: "HOST", description: "tracker address", default: "127.0.0.1" },
    dir: {
      type: "string",
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
    sealed: {
      type: "boolean",
      description: "seal every v2 datagram after login (the tracker must open sealed datagrams)",
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
    help: { type: "boolean", short: "h", description: "show this help and exit" },
  },
  examples: [
    "deno task peer 5000",
    "deno task peer --host 192.0.2.10 --dir ~/shared 5000",
  ],
};

/** What the command line sets: everything a session needs but its terminal and stop signal. */
type Settings = Omit<SessionOptions, "terminal" | "signal"> & { readonly help: boolean };

function settingsFrom(args: string[]): Settings {
  const parsed = parseCommandLine(args, spec);
  const { positionals } = parsed;
  if (booleanOption(parsed, "help")) {
    return { help: true, trackerHost: "", trackerPort: 0, dir: "" };
  }
  if (positionals.length === 0) throw new UsageError("missing <tracker_port>");
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]}`);
  const trackerPort = parsePort(positionals[0]);
  if (trackerPort === undefined) {
    throw new UsageError(`invalid tracker port ${positionals[0]} (expected 1-65535)`);
  }
  const trackerHost = stringOption(parsed, "host") ?? "127.0.0.1";
  if (trackerHost === "") throw new UsageError("--host needs an address");
  const base = userDirectory();
  const dirOption = stringOption(parsed, "dir");
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
    timeoutMs = /^[1-9]\d{0,8}$/.test(timeout) ? Number(timeout) : NaN;
    if (!(timeoutMs <= MAX_TIMEOUT_MS)) {
      throw new UsageError(`invalid --timeout ${timeout} (expected 1-${MAX_TIMEOUT_MS} ms)`);
    }
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
  return {
    help: false,
    trackerHost,
    trackerPort,
    dir,
    advertise,
    timeoutMs,
    requireV2: booleanOption(parsed, "require-v2"),
    requireTls: booleanOption(parsed, "require-tls"),
    ...(stateDir === undefined ? {} : { stateDir }),
    ...(booleanOption(parsed, "sealed") ? { sealed: true } : {}),
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

/** A whole number from 1 to `max`. */
function parseCount(text: string, flag: string, max = 999_999): number {
  if (!/^[1-9]\d{0,5}$/.test(text) || Number(text) > max) {
    throw new UsageError(`invalid ${flag} ${text} (expected 1-${max})`);
  }
  return Number(text);
}

const UNITS: Record<string, number> = {
  "": 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** `500000`, `512k`, `10M`, `1G` → bytes per second. */
function parseRate(text: string, flag: string): number {
  const rate = bytesOf(text, /^(\d+(?:\.\d+)?)([kKmMgG]?)$/);
  if (!(rate >= 1)) {
    throw new UsageError(`invalid ${flag} ${text} (expected bytes per second, e.g. 10M)`);
  }
  return rate;
}

/** `1000000`, `512k`, `64G`, `1T` → bytes, at most 2⁵³ − 1. */
function parseSize(text: string, flag: string): number {
  const size = bytesOf(text, /^(\d+(?:\.\d+)?)([kKmMgGtT]?)$/);
  if (!(size >= 1 && size <= Number.MAX_SAFE_INTEGER)) {
    throw new UsageError(`invalid ${flag} ${text} (expected a size in bytes, e.g. 64G)`);
  }
  return size;
}

/** A number with an optional binary unit suffix, as `pattern` allows it; NaN when it does not. */
function bytesOf(text: string, pattern: RegExp): number {
  const match = pattern.exec(text);
  return match ? Math.floor(Number(match[1]) * UNITS[match[2].toLowerCase()]) : NaN;
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

/** Runs the peer with `args` and resolves with the exit status. */
export async function main(args: string[]): Promise<number> {
  let settings: Settings;
  try {
    settings = settingsFrom(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${spec.name}: ${error.message} (see --help)`);
    return USAGE_ERROR;
  }
  if (settings.help) {
    console.log(helpText(spec));
    return ExitCode.ok;
  }
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
    return await runSession({ ...settings, terminal: openTerminal(), signal: stop.signal });
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
