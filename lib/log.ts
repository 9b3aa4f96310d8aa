/**
 * Operator logs: one line per event, an ISO 8601 UTC timestamp first, then the level, then (for
 * an event about one peer) its address; stable wording; JSON lines on request, where every field
 * has one meaning. Events below the chosen level are dropped before a line is built. Where lines
 * go is the caller's: the tracker hands them to a {@linkcode LineBuffer} (`log_buffer.ts`), which
 * writes in batches off the datagram loop.
 *
 * @module
 */

import { writeAllSync } from "./util/mod.ts";

/** How log lines are written. */
export type LogFormat = "text" | "json";

/** How much is logged, from least to most. */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** Every level, least verbose first (the order `--log-level` compares in). */
export const LOG_LEVELS: readonly LogLevel[] = ["error", "warn", "info", "debug"];

/** The level named by `text`, or `undefined`. */
export function parseLogLevel(text: string): LogLevel | undefined {
  return LOG_LEVELS.find((level) => level === text);
}

/** One event worth a log line. */
export interface LogEvent {
  /** `info` when not given. */
  readonly level?: LogLevel;
  readonly message: string;
  /** The remote address (`ip:port`, `[v6]:port`) the event concerns. */
  readonly peer?: string;
  /** The user the event concerns, when known. */
  readonly user?: string;
  /** Extra machine-readable fields, included in JSON lines only. */
  readonly fields?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** Writes log events. */
export interface Logger {
  log(event: LogEvent): void;
  /**
   * Whether events at `level` are written, so a caller can skip building a line nobody reads.
   * A logger without it writes everything.
   */
  enabled?(level: LogLevel): boolean;
  /**
   * False when events' `fields` are never written (text lines), so a caller logging a line per
   * datagram can skip building them. A logger without it may write them.
   */
  readonly writesFields?: boolean;
}

/** Whether `logger` writes events at `level`. */
export function logs(logger: Logger, level: LogLevel): boolean {
  return logger.enabled?.(level) ?? true;
}

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  readonly format?: LogFormat;
  /** The most verbose level written (default `info`). */
  readonly level?: LogLevel;
  /** Receives each line, without its newline; standard output (unbuffered) by default. */
  readonly write?: (line: string) => void;
  /** Wall-clock milliseconds since the epoch (`Date.now` by default). */
  readonly clock?: () => number;
}

const encoder = new TextEncoder();

/** Writes every byte of `line` and a newline to standard output (a pipe may take it in parts). */
export function writeLineSync(line: string): void {
  writeAllSync(Deno.stdout, encoder.encode(line + "\n"));
}

const LEVEL_WORDS: Readonly<Record<LogLevel, string>> = {
  error: "ERROR",
  warn: "WARN ",
  info: "INFO ",
  debug: "DEBUG",
};

/**
 * One event as a line: `2026-11-30T19:30:00.123Z INFO  127.0.0.1:53121 Received LAP from alice`
 * in text, or a JSON object with `time`, `level`, `peer`, `user`, `message` and the event's fields.
 *
 * @example
 * ```ts
 * import { formatLogLine } from "./log.ts";
 * const line = formatLogLine({ message: "Tracker stopped" }, "text", new Date(0).toISOString());
 * console.assert(line === "1970-01-01T00:00:00.000Z INFO  Tracker stopped");
 * ```
 */
export function formatLogLine(event: LogEvent, format: LogFormat, time: string): string {
  const level = event.level ?? "info";
  if (format === "json") {
    return JSON.stringify({
      time,
      level,
      peer: event.peer,
      user: event.user,
      message: event.message,
      ...event.fields,
    });
  }
  const peer = event.peer === undefined ? "" : `${event.peer} `;
  return `${time} ${LEVEL_WORDS[level]} ${peer}${event.message}`;
}

/**
 * A logger; writes to standard output by default.
 *
 * @example
 * ```ts
 * import { createLogger } from "./log.ts";
 * const lines: string[] = [];
 * const logger = createLogger({ write: (line) => lines.push(line), clock: () => 0 });
 * logger.log({ peer: "127.0.0.1:5000", message: "Received LAP from alice" });
 * logger.log({ level: "debug", message: "not written at info" });
 * console.assert(lines.length === 1 && lines[0].endsWith("INFO  127.0.0.1:5000 Received LAP from alice"));
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? "text";
  const clock = options.clock ?? Date.now;
  const write = options.write ?? writeLineSync;
  const most = LOG_LEVELS.indexOf(options.level ?? "info");
  const written = new Set(LOG_LEVELS.filter((_, rank) => rank <= most));
  const enabled = (level: LogLevel) => written.has(level);
  // Formatting a date costs half a line's work; under load many lines share a millisecond.
  let lastMs = NaN;
  let lastTime = "";
  const timeOf = (ms: number) => {
    if (ms !== lastMs) {
      lastMs = ms;
      lastTime = new Date(ms).toISOString();
    }
    return lastTime;
  };
  return {
    enabled,
    writesFields: format === "json",
    log(event) {
      if (!written.has(event.level ?? "info")) return;
      write(formatLogLine(event, format, timeOf(clock())));
    },
  };
}

/** A logger that drops everything (benchmarks, `--quiet`). */
export const silentLogger: Logger = { log() {}, enabled: () => false };
