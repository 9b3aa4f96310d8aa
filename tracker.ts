/**
 * `peersync-tracker`: parses the command line and runs the tracker until SIGINT or SIGTERM.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import {
  type CommandSpec,
  helpText,
  parseCommandLine,
  parsePortArgument,
  STANDARD_OPTIONS,
  UsageError,
  userDirectory,
  versionText,
} from "./lib/cli.ts";
import {
  createLogger,
  formatLogLine,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  parseLogLevel,
} from "./lib/log.ts";
import { LineBuffer } from "./lib/log_buffer.ts";
import { CredentialsError, loadCredentials } from "./lib/tracker/credentials.ts";
import { CredentialsReloader, watchCredentialsFile } from "./lib/tracker/credentials_reload.ts";
import {
  LimitError,
  limitOptionSpecs,
  parseLimitConfig,
  resolveLimits,
  type TrackerLimits,
} from "./lib/tracker/limit_options.ts";
import { fileErrorText } from "./lib/util/mod.ts";
import { type GcmPreference, installGcm } from "./lib/protocol/gcm_backend.ts";
import { hostPort } from "./lib/protocol/address.ts";
import { bindTrackerSocket, ListenError, startTracker } from "./lib/tracker/server.ts";
import {
  describeReceiveBuffer,
  readReceiveBufferSizes,
  SMALL_DATAGRAM_BUFFER_COST_BYTES,
} from "./lib/tracker/receive_buffer.ts";
import { type HttpAddress, parseHttpAddress } from "./lib/tracker/status/http_address.ts";
import type { StoreKind } from "./lib/tracker/publication_store.ts";
import { checkRedisUrl, RedisUrlError } from "./lib/tracker/fleet/mod.ts";
import { openStorage, StorageStartError, StorageStartStopped } from "./lib/tracker/open_storage.ts";
import { SilenceClock } from "./lib/tracker/silence_clock.ts";

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
      short: "c",
      value: "FILE",
      description: "`user password` lines (default: credentials.txt where you ran the command)",
    },
    store: {
      type: "string",
      value: "sqlite|memory",
      description: "where publications are kept: a database file, or memory (forgotten at stop)",
      default: "sqlite",
    },
    db: {
      type: "string",
      value: "FILE",
      description: "the SQLite database (default: peersync-tracker.db beside the credentials file)",
    },
    redis: {
      type: "string",
      value: "URL",
      description: "join a fleet of trackers sharing sessions and publications in this Redis " +
        "(redis://host:port) instead of --store",
    },
    "log-format": {
      type: "string",
      value: "text|json",
      description: "log line format",
      default: "text",
    },
    "log-level": {
      type: "string",
      value: "error|warn|info|debug",
      description: "the most verbose lines written: info has a line per request, debug adds " +
        "heartbeats",
      default: "info",
    },
    quiet: {
      type: "boolean",
      short: "q",
      description: "no line per datagram (start, expiries and limits are still logged)",
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
    http: {
      type: "string",
      value: "HOST:PORT",
      description: "serve /metrics (Prometheus) and a live status page / over HTTP there " +
        "(loopback only unless --http-public; port 0 picks a free one); off by default",
    },
    "http-public": {
      type: "boolean",
      description: "let --http listen on a non-loopback address (the page lists every online " +
        "user and address)",
    },
    sealing: {
      type: "string",
      value: "auto|node",
      description: "AES-GCM for sealed datagrams: auto uses OpenSSL through FFI when " +
        "--allow-ffi grants libcrypto (faster), else node:crypto; node always node:crypto",
      default: "auto",
    },
    ...limitOptionSpecs(),
    config: {
      type: "string",
      value: "FILE",
      description: "a JSON object of the limits above by flag name " +
        '(`{"host-rate": 50000}`); flags given here win',
    },
    ...STANDARD_OPTIONS,
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
  let storeKind: StoreKind;
  let dbFile: string;
  let redisUrl: string | undefined;
  let format: LogFormat;
  let level: LogLevel;
  let quiet: boolean;
  let allowPlaintext: boolean;
  let limits: TrackerLimits;
  let allowForeignTcpAddress: boolean;
  let http: HttpAddress | undefined;
  let sealing: GcmPreference;
  try {
    const { values, positionals } = parseCommandLine(Deno.args, spec);
    if (values.help) {
      console.log(helpText(spec));
      return;
    }
    if (values.version) {
      console.log(versionText(spec.name));
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
    const levelValue = values["log-level"] as string;
    const parsedLevel = parseLogLevel(levelValue);
    if (parsedLevel === undefined) {
      throw new UsageError(
        `invalid --log-level "${levelValue}": expected ${LOG_LEVELS.join(", ")}`,
      );
    }
    level = parsedLevel;
    hostname = values.host as string;
    const sealingValue = values.sealing as string;
    if (sealingValue !== "auto" && sealingValue !== "node") {
      throw new UsageError(`invalid --sealing "${sealingValue}": expected auto or node`);
    }
    sealing = sealingValue;
    quiet = values.quiet === true;
    allowPlaintext = values["no-plaintext"] !== true;
    allowForeignTcpAddress = values["allow-foreign-tcp-address"] === true;
    const httpValue = values.http as string | undefined;
    if (httpValue === undefined && values["http-public"] === true) {
      throw new UsageError("--http-public needs --http HOST:PORT");
    }
    if (httpValue !== undefined) {
      const parsed = parseHttpAddress(httpValue, { allowPublic: values["http-public"] === true });
      if (!parsed.ok) throw new UsageError(parsed.reason);
      http = parsed.address;
    }
    let config: Partial<TrackerLimits> = {};
    const configFile = values.config as string | undefined;
    if (configFile !== undefined) {
      // A config file that cannot be used is a failure to start (exit 1), like a credentials file.
      const file = resolve(userDirectory(), configFile);
      try {
        config = parseLimitConfig(await Deno.readTextFile(file), file);
      } catch (error) {
        if (error instanceof LimitError) fail(error.message, 1);
        fail(`${file}: cannot read the config file: ${fileErrorText(error)}`, 1);
      }
    }
    try {
      limits = resolveLimits(values, config);
    } catch (error) {
      if (error instanceof LimitError) throw new UsageError(error.message);
      throw error;
    }
    credentialsFile = resolve(userDirectory(), (values.credentials as string) ?? "credentials.txt");
    const storeValue = values.store as string;
    if (storeValue !== "sqlite" && storeValue !== "memory") {
      throw new UsageError(`invalid --store "${storeValue}": expected sqlite or memory`);
    }
    storeKind = storeValue;
    if (storeKind === "memory" && values.db !== undefined) {
      throw new UsageError("--db needs --store sqlite");
    }
    if (values.redis !== undefined) {
      if (values.db !== undefined) throw new UsageError("--db cannot be used with --redis");
      try {
        redisUrl = checkRedisUrl(values.redis as string);
      } catch (error) {
        if (error instanceof RedisUrlError) throw new UsageError(error.message);
        throw error;
      }
    }
    dbFile = values.db === undefined
      ? resolve(dirname(credentialsFile), "peersync-tracker.db")
      : resolve(userDirectory(), values.db as string);
    // A port that is not a number is a usage error (2) in every program; a port already in use
    // is a failure to start (1).
    port = parsePortArgument(positionals[0]);
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

  // Lines are written in batches off the loop; an exit without the clean stop below (a failed
  // start) still writes what waits.
  const lines = new LineBuffer({
    write: (bytes) => Deno.stdout.write(bytes),
    droppedLine: (count) =>
      formatLogLine(
        {
          level: "warn",
          message: `Log output too slow: ${count} lines dropped`,
          fields: { event: "logDropped", count },
        },
        format,
        new Date().toISOString(),
      ),
  });
  const flushOnExit = () => lines.flushSync((bytes) => Deno.stdout.writeSync(bytes));
  globalThis.addEventListener("unload", flushOnExit);
  const logger = createLogger({ format, level, write: (line) => lines.push(line) });
  const now = () => performance.now();
  // Session silence is not counted at full speed while the tracker itself could not hear.
  const silenceClock = new SilenceClock({ now });
  let socket;
  try {
    // Bound first, so a busy port fails at once; datagrams wait in its queue while loading.
    socket = bindTrackerSocket(hostname, port);
  } catch (error) {
    if (error instanceof ListenError) fail(error.message, 1);
    throw error;
  }
  /**
   * A stop before the tracker served: one line, every line written, and the exit status of any
   * stop (0, or 1 when the store could not be closed cleanly).
   */
  const stoppedAtStart = async (signal: string | undefined, saved: boolean): Promise<never> => {
    logger.log({
      level: saved ? "info" : "error",
      message: `Tracker stopped by ${signal ?? "a signal"} while loading publications; ` +
        (saved ? "the store is closed, unchanged" : "the store could not be closed cleanly"),
      fields: { event: "stopped", during: "load" },
    });
    socket.close();
    await lines.close();
    globalThis.removeEventListener("unload", flushOnExit);
    Deno.exit(saved ? 0 : 1);
  };
  // Heard from here on, so a stop while a large store loads ends the start cleanly.
  const controller = new AbortController();
  let stoppedBy: string | undefined;
  const stopOn = (name: string) => () => {
    stoppedBy ??= name;
    controller.abort();
  };
  const stopOnInt = stopOn("SIGINT");
  const stopOnTerm = stopOn("SIGTERM");
  Deno.addSignalListener("SIGINT", stopOnInt);
  Deno.addSignalListener("SIGTERM", stopOnTerm);
  const stopListening = () => {
    Deno.removeSignalListener("SIGINT", stopOnInt);
    Deno.removeSignalListener("SIGTERM", stopOnTerm);
  };
  let storage;
  try {
    const local = socket.addr as Deno.NetAddr;
    storage = await openStorage({
      redisUrl,
      storeKind,
      dbFile,
      listenName: `${local.hostname}:${local.port}`,
      logger,
      now,
      silenceNow: silenceClock.now,
      isKnown: (user) => credentials.has(user),
      maxSessions: limits.maxSessions,
      maxPublicationsPerUser: limits.maxPublicationsPerUser,
      maxSearchSteps: limits.maxSearchSteps,
      signal: controller.signal,
    });
  } catch (error) {
    if (error instanceof StorageStartStopped) {
      await stoppedAtStart(stoppedBy, error.saved);
    }
    if (error instanceof StorageStartError) fail(error.message, 1);
    throw error;
  }
  if (controller.signal.aborted) {
    // Stopped just after the load, or while joining a fleet (not cut short): close it again.
    await stoppedAtStart(stoppedBy, await storage.close());
  }
  // Before any session key is made: every key takes the default installed here.
  const gcmChoice = installGcm(sealing);
  let tracker;
  try {
    tracker = startTracker({
      hostname,
      port,
      socket,
      credentials,
      logger,
      logDatagrams: !quiet,
      signal: controller.signal,
      allowPlaintext,
      v2SessionTimeoutMs: limits.sessionTimeoutMs,
      rate: { perSecond: limits.sourceRate, burst: limits.sourceBurst },
      hostRate: { perSecond: limits.hostRate, burst: limits.hostBurst },
      maxSearchSteps: limits.maxSearchSteps,
      allowForeignTcpAddress,
      now,
      silenceClock,
      state: storage.state,
      ...(http === undefined ? {} : {
        http: {
          ...http,
          ...(storage.storeStats === undefined ? {} : { storeStats: storage.storeStats }),
        },
      }),
    });
  } catch (error) {
    // The HTTP address is bound after the UDP one: a busy one fails the start the same way.
    if (error instanceof ListenError) fail(error.message, 1);
    throw error;
  }
  const reloader = new CredentialsReloader({
    file: credentialsFile,
    initial: credentials,
    apply: tracker.replaceCredentials,
    logger,
  });
  const reloadOnHangup = () => void reloader.reload("SIGHUP");
  Deno.addSignalListener("SIGHUP", reloadOnHangup);
  const watch = watchCredentialsFile({
    file: credentialsFile,
    onChange: () => void reloader.reload("file changed"),
  });
  logger.log({
    message: `Tracker listening on ${hostPort(tracker.address.hostname, tracker.address.port)} ` +
      `with ${credentials.size} users from ${credentialsFile}`,
    fields: {
      event: "listening",
      listenHost: tracker.address.hostname,
      listenPort: tracker.address.port,
    },
  });
  if (tracker.http !== undefined) {
    const { hostname: httpHost, port: httpPort } = tracker.http;
    const base = `http://${hostPort(httpHost, httpPort)}`;
    logger.log({
      message: `Status page on ${base}/ and Prometheus metrics on ${base}/metrics`,
      fields: { event: "httpListening", httpHost, httpPort },
    });
  }
  logger.log({
    message: `Sealed datagrams: ${gcmChoice.description}`,
    fields: { event: "sealing", sealing: gcmChoice.gcm.name },
  });
  const buffer = readReceiveBufferSizes();
  logger.log({
    message: describeReceiveBuffer(buffer),
    fields: {
      event: "receiveBuffer",
      rmemDefault: buffer.defaultBytes,
      rmemMax: buffer.maxBytes,
      smallDatagrams: buffer.defaultBytes === undefined
        ? undefined
        : Math.floor(buffer.defaultBytes / SMALL_DATAGRAM_BUFFER_COST_BYTES),
    },
  });
  await tracker.finished;
  Deno.removeSignalListener("SIGHUP", reloadOnHangup);
  await watch.close();
  await reloader.settled();
  const saved = await storage.close();
  stopListening();
  logger.log({ message: "Tracker stopped", fields: { event: "stopped" } });
  // Every line logged so far is written before the process ends.
  await lines.close();
  globalThis.removeEventListener("unload", flushOnExit);
  if (!saved) Deno.exit(1);
}

if (import.meta.main) await main();
