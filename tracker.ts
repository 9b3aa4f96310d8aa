/**
 * `peersync-tracker`: parses the command line and runs the tracker until SIGINT or SIGTERM.
 *
 * @module
 */

import { resolve } from "node:path";
import {
  type CommandSpec,
  helpText,
  parseCommandLine,
  parsePortArgument,
  UsageError,
  userDirectory,
} from "./lib/cli.ts";
import { createLogger, type LogFormat } from "./lib/log.ts";
import { SESSION_TIMEOUT_MS } from "./lib/protocol/mod.ts";
import { CredentialsError, loadCredentials } from "./lib/tracker/credentials.ts";
import { HEARTBEATS_PER_SESSION_TIMEOUT, V2_SESSION_TIMEOUT_MS } from "./lib/tracker/defaults.ts";
import { ListenError, startTracker } from "./lib/tracker/server.ts";

const spec: CommandSpec = {
  name: "peersync-tracker",
  summary:
    "PeerSync tracker: authenticates peers over UDP, tracks who is online and what they share.",
  positionals: [{ name: "port", description: "UDP port to listen on (0 picks a free one)" }],
  options: {
    host: {
      type: "string",
      value: "ADDR",
      description: "address to listen on (0.0.0.0 for every interface)",
      default: "127.0.0.1",
    },
    credentials: {
      type: "string",
      value: "FILE",
      description: "`user password` lines (default: credentials.txt where you ran the command)",
    },
    "log-format": {
      type: "string",
      value: "text|json",
      description: "log line format",
      default: "text",
    },
    quiet: {
      type: "boolean",
      description: "no line per datagram (start, expiries and limits are still logged)",
    },
    "session-timeout": {
      type: "string",
      value: "MS",
      description: "how long a silent v2 session lives; its peers beat " +
        `${HEARTBEATS_PER_SESSION_TIMEOUT} times as often (v1 sessions keep ${SESSION_TIMEOUT_MS})`,
      default: String(V2_SESSION_TIMEOUT_MS),
    },
    "no-plaintext": {
      type: "boolean",
      description: "refuse v1 logins, which send the password in clear (v2 logins never do)",
    },
    "allow-foreign-tcp-address": {
      type: "boolean",
      description: "let peers register a TCP address other than the one they speak from " +
        "(behind NAT or a proxy; else downloaders could be sent to any host)",
    },
    help: { type: "boolean", short: "h", description: "show this help" },
  },
  examples: [
    "deno task tracker 5000",
    "deno task tracker --host 0.0.0.0 --credentials users.txt 5000",
  ],
};

function fail(message: string, code: number): never {
  console.error(`${spec.name}: ${message}`);
  Deno.exit(code);
}

async function main(): Promise<void> {
  let port: number;
  let hostname: string;
  let credentialsFile: string;
  let format: LogFormat;
  let quiet: boolean;
  let allowPlaintext: boolean;
  let v2SessionTimeoutMs: number;
  let allowForeignTcpAddress: boolean;
  try {
    const { values, positionals } = parseCommandLine(Deno.args, spec);
    if (values.help) {
      console.log(helpText(spec));
      return;
    }
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? "missing <port>" : "too many arguments");
    }
    const formatValue = values["log-format"] as string;
    if (formatValue !== "text" && formatValue !== "json") {
      throw new UsageError(`invalid --log-format "${formatValue}": expected text or json`);
    }
    format = formatValue;
    hostname = values.host as string;
    quiet = values.quiet === true;
    allowPlaintext = values["no-plaintext"] !== true;
    allowForeignTcpAddress = values["allow-foreign-tcp-address"] === true;
    const timeoutText = values["session-timeout"] as string;
    v2SessionTimeoutMs = Number(timeoutText);
    if (!/^\d{1,7}$/.test(timeoutText) || v2SessionTimeoutMs < 1500) {
      throw new UsageError(
        `invalid --session-timeout "${timeoutText}": expected 1500 to 9999999 ms`,
      );
    }
    credentialsFile = resolve(userDirectory(), (values.credentials as string) ?? "credentials.txt");
    try {
      port = parsePortArgument(positionals[0]);
    } catch (error) {
      // An unusable port is a failure to start (exit 1), like a port already in use.
      fail((error as UsageError).message, 1);
    }
  } catch (error) {
    if (error instanceof UsageError) fail(`${error.message} (see --help)`, 2);
    throw error;
  }

  let credentials;
  try {
    credentials = await loadCredentials(credentialsFile);
  } catch (error) {
    if (error instanceof CredentialsError) fail(error.message, 1);
    throw error;
  }

  const logger = createLogger({ format });
  const controller = new AbortController();
  let tracker;
  try {
    tracker = startTracker({
      hostname,
      port,
      credentials,
      logger,
      logDatagrams: !quiet,
      signal: controller.signal,
      allowPlaintext,
      v2SessionTimeoutMs,
      allowForeignTcpAddress,
    });
  } catch (error) {
    if (error instanceof ListenError) fail(error.message, 1);
    throw error;
  }
  const stop = () => controller.abort();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  logger.log({
    message: `Tracker listening on ${tracker.address.hostname}:${tracker.address.port} ` +
      `with ${credentials.size} users from ${credentialsFile}`,
    fields: { event: "listening", host: tracker.address.hostname, port: tracker.address.port },
  });
  await tracker.finished;
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  logger.log({ message: "Tracker stopped", fields: { event: "stopped" } });
}

if (import.meta.main) await main();
