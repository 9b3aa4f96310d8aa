/**
 * Operator logs: one line per event, timestamp first, stable wording; JSON lines on request.
 *
 * @module
 */

import { writeAllSync } from "./util/mod.ts";

/** How log lines are written. */
export type LogFormat = "text" | "json";

/** One event worth a log line. */
export interface LogEvent {
  /** The remote port the event concerns (the tracker's log names peers by source port). */
  readonly port?: number;
  readonly message: string;
  /** Extra machine-readable fields, included in JSON lines only. */
  readonly fields?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** Writes log events. */
export interface Logger {
  log(event: LogEvent): void;
}

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  readonly format?: LogFormat;
  readonly write?: (line: string) => void;
  readonly clock?: () => Date;
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** `HH:MM:SS.mmm` in local time, the prefix of every text log line. */
export function formatTime(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${
    pad(date.getMilliseconds(), 3)
  }`;
}

const encoder = new TextEncoder();

/** Writes every byte of `line` and a newline to standard output (a pipe may take it in parts). */
export function writeLineSync(line: string): void {
  writeAllSync(Deno.stdout, encoder.encode(line + "\n"));
}

/**
 * A logger writing to standard output by default.
 *
 * @example
 * ```ts
 * import { createLogger } from "./log.ts";
 * const lines: string[] = [];
 * const logger = createLogger({ write: (line) => lines.push(line), clock: () => new Date(0) });
 * logger.log({ port: 5000, message: "Received LAP from alice" });
 * console.assert(lines[0].endsWith(": 5000: Received LAP from alice"));
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? "text";
  const clock = options.clock ?? (() => new Date());
  const write = options.write ?? writeLineSync;
  return {
    log(event) {
      const time = clock();
      if (format === "json") {
        write(JSON.stringify({
          time: time.toISOString(),
          port: event.port,
          message: event.message,
          ...event.fields,
        }));
      } else {
        const port = event.port === undefined ? "" : `${event.port}: `;
        write(`${formatTime(time)}: ${port}${event.message}`);
      }
    },
  };
}

/** A logger that drops everything (benchmarks, `--quiet`). */
export const silentLogger: Logger = { log() {} };
