/**
 * What the operator hears while the publication store cannot write: the tracker keeps serving
 * from memory and the store keeps the changes queued and retries, so the log says that changes
 * are not yet saved (at most one line per interval, with how many failures it stands for) and,
 * once a write succeeds, that they are saved again.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { CAP_LOG_INTERVAL_MS } from "./defaults.ts";
import { EventThrottle } from "./guard.ts";
import { StoreOverflowError, type StoreRuntimeError } from "./store/mod.ts";

/** What a {@linkcode StoreHealthLog} needs. */
export interface StoreHealthLogOptions {
  readonly logger: Logger;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** Least time between two failure lines (default 10 s). */
  readonly intervalMs?: number;
}

/**
 * Turns the store's `onError` and `onRecover` calls into throttled log lines.
 *
 * @example
 * ```ts
 * import { StoreHealthLog } from "./store_health.ts";
 * import { StoreWriteError } from "./store/mod.ts";
 * const lines: string[] = [];
 * const health = new StoreHealthLog({
 *   logger: { log: (event) => lines.push(event.message) },
 *   now: () => 0,
 * });
 * const error = new StoreWriteError("t.db", "full", 3, "database or disk is full");
 * health.failed(error);
 * health.failed(error); // within the interval: counted, not logged
 * health.recovered({ failures: 2, written: 3 });
 * console.assert(lines.length === 2 && lines[1].startsWith("Publications saved again"));
 * ```
 */
export class StoreHealthLog {
  readonly #logger: Logger;
  readonly #throttle: EventThrottle;

  constructor(options: StoreHealthLogOptions) {
    this.#logger = options.logger;
    this.#throttle = new EventThrottle({
      now: options.now,
      intervalMs: options.intervalMs ?? CAP_LOG_INTERVAL_MS,
    });
  }

  /** A write failed (its changes stay queued), or the queue overflowed. */
  failed(error: StoreRuntimeError): void {
    const suppressed = this.#throttle.record(error.name);
    if (suppressed === undefined) return;
    const more = suppressed ? ` (${suppressed} more failures since the last report)` : "";
    const lost = error instanceof StoreOverflowError;
    this.#logger.log({
      level: lost ? "error" : "warn",
      message: `${lost ? "Publications being lost" : "Publications not yet saved"}: ` +
        `${error.message}; serving from memory meanwhile${more}`,
      fields: {
        event: lost ? "storeOverflow" : "storeWriteFailed",
        reason: error instanceof StoreOverflowError ? "overflow" : error.reason,
        suppressed,
      },
    });
  }

  /** Writes succeed again after failures. */
  recovered(info: { readonly failures: number; readonly written: number }): void {
    this.#logger.log({
      message: `Publications saved again: ${info.written} queued changes written after ` +
        `${info.failures} failed attempts`,
      fields: { event: "storeRecovered", failures: info.failures, written: info.written },
    });
  }
}
