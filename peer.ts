/**
 * PeerSync peer: `deno task peer [options] <tracker_port>`.
 *
 * Only the command line lives here; the parts are in `lib/peer/`.
 *
 * @module
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_MAX_UPLOADS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  isIpLiteral,
  parsePort,
  V2_REQUEST_DEADLINE_MS,
} from "./lib/protocol/mod.ts";
import { ExitCode, runSession, type SessionOptions, StopRequested } from "./lib/peer/session.ts";
import { openTerminal } from "./lib/peer/terminal.ts";

const PROGRAM = "peersync-peer";
const USAGE_ERROR = 2;
const MAX_TIMEOUT_MS = 600_000;

/** One command-line option: how it parses and how `--help` shows it. */
interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly value?: string;
  readonly help: string;
}

const OPTIONS = {
  host: { type: "string", value: "HOST", help: "tracker address (default 127.0.0.1)" },
  dir: {
    type: "string",
    value: "DIR",
    help: "share folder: files are published from and downloaded into it " +
      "(default: the directory you run from)",
  },
  advertise: {
    type: "string",
    value: "IP",
    help: "address other peers download from (default: the local address that reaches " +
      "the tracker)",
  },
  timeout: {
    type: "string",
    value: "MS",
    help:
      `how long to wait for a tracker reply, retransmitting under v2 (default ${V2_REQUEST_DEADLINE_MS}; ` +
      `${DEFAULT_REQUEST_TIMEOUT_MS} for a v1 tracker)`,
  },
  "require-v2": {
    type: "boolean",
    help: "refuse a tracker that speaks only v1 (its login sends the password in clear)",
  },
  "max-uploads": {
    type: "string",
    value: "N",
    help: `uploads served at once; more get a "busy" answer (default ${DEFAULT_MAX_UPLOADS})`,
  },
  "upload-limit": {
    type: "string",
    value: "RATE",
    help: "cap on upload speed, bytes per second (suffix k, M or G for KiB, MiB, GiB)",
  },
  "download-limit": {
    type: "string",
    value: "RATE",
    help: "cap on download speed, bytes per second (suffix k, M or G)",
  },
  help: { type: "boolean", short: "h", help: "show this help and exit" },
} as const satisfies Record<string, OptionSpec>;

const HELP_COLUMN = 30;
const HELP_WIDTH = 80;

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(HELP_COLUMN)}`);
}

function usage(): string {
  const rows = Object.entries(OPTIONS).map(([name, spec]: [string, OptionSpec]) => {
    const short = spec.short ? `-${spec.short}, ` : "    ";
    const flag = `${short}--${name}${spec.value ? ` ${spec.value}` : ""}`;
    return `  ${flag.padEnd(HELP_COLUMN - 2)}${wrap(spec.help, HELP_WIDTH - HELP_COLUMN)}`;
  });
  return [
    `Usage: peersync-peer [options] <tracker_port>   (deno task peer …)`,
    "",
    "Logs in to the PeerSync tracker at HOST:<tracker_port> (UDP), then reads commands:",
    "get, lap, lpf, pub, sch, unp, xit. The password is always read from the terminal or",
    "standard input, never from the command line.",
    "",
    "Options:",
    ...rows,
  ].join("\n");
}

/** A command line that cannot be run; the message is one line for the user. */
class UsageError extends Error {
  override name = "UsageError";
}

/** What the command line sets: everything a session needs but its terminal and stop signal. */
type Settings = Omit<SessionOptions, "terminal" | "signal"> & { readonly help: boolean };

function userDirectory(): string {
  // `deno task` runs in the project folder and passes the user's folder in INIT_CWD; asking
  // only when allowed keeps Deno from prompting for the permission.
  const allowed = Deno.permissions.querySync({ name: "env", variable: "INIT_CWD" });
  const initCwd = allowed.state === "granted" ? Deno.env.get("INIT_CWD") : undefined;
  return initCwd ?? Deno.cwd();
}

function parseArguments(
  args: string[],
): ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>> {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    const option = /'([^']+)'/.exec(message)?.[1];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown option ${option}`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      // Node words it "'-h, --help'" or "'--dir <value>'": name the long flag.
      const flag = option?.split(/[ ,]+/).find((word) => word.startsWith("--")) ?? option;
      const takesNone = message.includes("does not take an argument");
      throw new UsageError(`option ${flag} ${takesNone ? "takes no value" : "needs a value"}`);
    }
    throw new UsageError(message.split("\n")[0]);
  }
}

function parseCommandLine(args: string[]): Settings {
  const { values, positionals } = parseArguments(args);
  if (values.help) return { help: true, trackerHost: "", trackerPort: 0, dir: "" };
  if (positionals.length === 0) throw new UsageError("missing <tracker_port>");
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]}`);
  const trackerPort = parsePort(positionals[0]);
  if (trackerPort === undefined) {
    throw new UsageError(`invalid tracker port ${positionals[0]} (expected 1-65535)`);
  }
  const trackerHost = values.host ?? "127.0.0.1";
  if (trackerHost === "") throw new UsageError("--host needs an address");
  const base = userDirectory();
  const dir = values.dir === undefined ? base : resolve(base, values.dir);
  let isDirectory: boolean;
  try {
    isDirectory = Deno.statSync(dir).isDirectory;
  } catch {
    throw new UsageError(`share folder ${dir} does not exist`);
  }
  if (!isDirectory) throw new UsageError(`share folder ${dir} is not a directory`);
  if (values.advertise !== undefined && !isIpLiteral(values.advertise)) {
    throw new UsageError(`--advertise needs an IP address, not ${values.advertise}`);
  }
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = /^[1-9]\d{0,8}$/.test(values.timeout) ? Number(values.timeout) : NaN;
    if (!(timeoutMs <= MAX_TIMEOUT_MS)) {
      throw new UsageError(`invalid --timeout ${values.timeout} (expected 1-${MAX_TIMEOUT_MS} ms)`);
    }
  }
  return {
    help: false,
    trackerHost,
    trackerPort,
    dir,
    advertise: values.advertise,
    timeoutMs,
    requireV2: values["require-v2"] === true,
    maxUploads: values["max-uploads"] === undefined
      ? undefined
      : parseCount(values["max-uploads"], "--max-uploads"),
    uploadLimit: values["upload-limit"] === undefined
      ? undefined
      : parseRate(values["upload-limit"], "--upload-limit"),
    downloadLimit: values["download-limit"] === undefined
      ? undefined
      : parseRate(values["download-limit"], "--download-limit"),
  };
}

function parseCount(text: string, flag: string): number {
  if (!/^[1-9]\d{0,5}$/.test(text)) {
    throw new UsageError(`invalid ${flag} ${text} (expected 1-999999)`);
  }
  return Number(text);
}

const RATE_UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `500000`, `512k`, `10M`, `1G` → bytes per second. */
function parseRate(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(text);
  const rate = match ? Math.floor(Number(match[1]) * RATE_UNITS[match[2].toLowerCase()]) : NaN;
  if (!(rate >= 1)) {
    throw new UsageError(`invalid ${flag} ${text} (expected bytes per second, e.g. 10M)`);
  }
  return rate;
}

const STOP_SIGNALS: ReadonlyArray<readonly [Deno.Signal, number]> = [
  ["SIGINT", ExitCode.interrupted],
  ["SIGTERM", ExitCode.terminated],
];

/** Runs the peer with `args` and resolves with the exit status. */
export async function main(args: string[]): Promise<number> {
  let settings: Settings;
  try {
    settings = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${PROGRAM}: ${error.message} (see --help)`);
    return USAGE_ERROR;
  }
  if (settings.help) {
    console.log(usage());
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
    console.error(`${PROGRAM}: ${error instanceof Error ? error.message : String(error)}`);
    code = ExitCode.failure;
  }
  // A read of standard input may still be pending; exiting is what ends it.
  Deno.exit(code);
}
