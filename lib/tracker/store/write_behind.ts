/**
 * Write-behind batching for a store: changes go into a {@linkcode WriteQueue} at once and a
 * timer writes the queue as one batch every `intervalMs`, or as soon as it holds `batchSize`
 * changes. A failed batch goes back into the queue (under anything queued since) and is retried
 * with a growing delay; the owner hears of each failure and of the recovery. The storage itself
 * is the owner's `write` function; the timers are injected so the schedule is tested exactly.
 *
 * @module
 */

import { StoreOverflowError, type StoreRuntimeError, StoreWriteError } from "./errors.ts";
import type { PublicationMeta, StoreStats } from "./store.ts";
import { type QueueOutcome, WriteQueue } from "./write_queue.ts";
import { errorText } from "../../util/mod.ts";

/** Sets and clears timers; the real ones by default. */
export interface Scheduler {
  setTimeout(run: () => void, delayMs: number): number;
  clearTimeout(id: number): void;
}

const systemScheduler: Scheduler = {
  // Deno's timer ids are numbers; the Node typings in scope call them `Timeout`.
  setTimeout: (run, delayMs) => Number(setTimeout(run, delayMs)),
  clearTimeout: (id) => clearTimeout(id),
};

/** Tuning shared by every store that writes behind. */
export interface WriteBehindTuning {
  /** Longest a change waits in memory before its batch is written (default 50 ms). */
  readonly intervalMs?: number;
  /** A queue this long is written at once instead of at the next interval (default 1,000). */
  readonly batchSize?: number;
  /** Most changes kept while writes fail; beyond, changes to new keys are lost (default 1,000,000). */
  readonly maxPending?: number;
  /** First retry delay after a failed write, doubling up to `retryMaxMs` (default 100 ms). */
  readonly retryMinMs?: number;
  /** Longest retry delay (default 5,000 ms). */
  readonly retryMaxMs?: number;
  /** Hears every failed write and the first lost change of an outage; one line each. */
  readonly onError?: (error: StoreRuntimeError) => void;
  /** Hears that writes succeed again after failures. */
  readonly onRecover?: (info: { readonly failures: number; readonly written: number }) => void;
  readonly scheduler?: Scheduler;
}

/** What a {@linkcode WriteBehind} needs from its owner. */
export interface WriteBehindOptions extends WriteBehindTuning {
  /** Names the store in messages. */
  readonly file: string;
  /**
   * Writes one batch atomically (all or nothing). Throws {@linkcode StoreWriteError} on
   * failure; anything else thrown is reported as reason "other".
   */
  readonly write: (batch: WriteQueue) => void | Promise<void>;
}

/** Default tuning, also what the operations guide quotes. */
export const WRITE_BEHIND_DEFAULTS = {
  intervalMs: 50,
  batchSize: 1_000,
  maxPending: 1_000_000,
  retryMinMs: 100,
  retryMaxMs: 5_000,
} as const;

type Timer = { readonly id: number; readonly kind: "interval" | "soon" | "retry" };

/**
 * Queues changes and writes them in batches through `write`.
 *
 * @example
 * ```ts
 * import { WriteBehind } from "./write_behind.ts";
 * const written: number[] = [];
 * const behind = new WriteBehind({ file: "demo", write: (batch) => void written.push(batch.size) });
 * behind.publish("alice", "a.txt");
 * behind.unpublish("alice", "a.txt");
 * await behind.flush();
 * console.assert(written.length === 1 && written[0] === 1);
 * await behind.close();
 * ```
 */
export class WriteBehind {
  readonly #options: WriteBehindOptions;
  readonly #scheduler: Scheduler;
  readonly #intervalMs: number;
  readonly #batchSize: number;
  readonly #maxPending: number;
  #queue: WriteQueue;
  #inFlight:
    | { readonly batch: WriteQueue; readonly done: Promise<StoreWriteError | undefined> }
    | undefined;
  #timer: Timer | undefined;
  #consecutiveFailures = 0;
  #overflowReported = false;
  #closed = false;
  #written = 0;
  #transactions = 0;
  #coalesced = 0;
  #failures = 0;
  #dropped = 0;

  constructor(options: WriteBehindOptions) {
    this.#options = options;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#intervalMs = options.intervalMs ?? WRITE_BEHIND_DEFAULTS.intervalMs;
    this.#batchSize = options.batchSize ?? WRITE_BEHIND_DEFAULTS.batchSize;
    this.#maxPending = options.maxPending ?? WRITE_BEHIND_DEFAULTS.maxPending;
    this.#queue = new WriteQueue(this.#maxPending);
  }

  /** Counters; `pending` includes a batch being written. */
  get stats(): StoreStats {
    return {
      pending: this.#queue.size + (this.#inFlight?.batch.size ?? 0),
      written: this.#written,
      transactions: this.#transactions,
      coalesced: this.#coalesced,
      failures: this.#failures,
      dropped: this.#dropped,
    };
  }

  /** Queues a publication. */
  publish(user: string, name: string, meta?: PublicationMeta): void {
    this.#checkOpen();
    this.#count(this.#queue.publish(user, name, meta));
  }

  /** Queues a withdrawal. */
  unpublish(user: string, name: string): void {
    this.#checkOpen();
    this.#count(this.#queue.unpublish(user, name));
  }

  /** Queues the removal of all of a user's publications. */
  removeUser(user: string): void {
    this.#checkOpen();
    this.#count(this.#queue.removeUser(user));
  }

  /** Writes everything queued now; rejects with the write error if it fails. */
  async flush(): Promise<void> {
    this.#checkOpen();
    await this.#drain();
  }

  /**
   * Stops the timers and writes what is queued; rejects with the write error (after stopping)
   * if that fails, since those changes are then lost.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelTimer();
    try {
      await this.#drain();
    } catch (error) {
      if (!(error instanceof StoreWriteError)) throw error;
      const { file, reason, pending, problem } = error;
      throw new StoreWriteError(file, reason, pending, problem, true);
    }
  }

  async #drain(): Promise<void> {
    // One more round when changes were queued while a batch was in flight.
    while (this.#inFlight !== undefined || this.#queue.size > 0) {
      const failure = this.#inFlight ? await this.#inFlight.done : await this.#writeBatch();
      if (failure) throw failure;
    }
  }

  #count(outcome: QueueOutcome): void {
    if (outcome === "coalesced") this.#coalesced++;
    if (outcome === "dropped") {
      this.#dropped++;
      if (!this.#overflowReported) {
        this.#overflowReported = true;
        this.#options.onError?.(new StoreOverflowError(this.#options.file, this.#maxPending));
      }
      return;
    }
    this.#schedule();
  }

  // A retry timer, once set, is left alone: a failing store is not hammered by new changes.
  #schedule(): void {
    if (this.#closed || this.#inFlight !== undefined || this.#timer?.kind === "retry") return;
    if (this.#queue.size === 0) return;
    if (this.#queue.size >= this.#batchSize) {
      if (this.#timer?.kind !== "soon") this.#setTimer("soon", 0);
    } else if (this.#timer === undefined) {
      this.#setTimer("interval", this.#intervalMs);
    }
  }

  #setTimer(kind: Timer["kind"], delayMs: number): void {
    this.#cancelTimer();
    const id = this.#scheduler.setTimeout(() => {
      this.#timer = undefined;
      void this.#writeBatch();
    }, delayMs);
    this.#timer = { id, kind };
  }

  #cancelTimer(): void {
    if (this.#timer === undefined) return;
    this.#scheduler.clearTimeout(this.#timer.id);
    this.#timer = undefined;
  }

  /** Writes the queue as one batch; resolves with the failure, if any (never rejects). */
  #writeBatch(): Promise<StoreWriteError | undefined> {
    this.#cancelTimer();
    const batch = this.#queue;
    this.#queue = new WriteQueue(this.#maxPending);
    // In flight before the write starts: a synchronous write settles before `#attempt` returns.
    let settle: (failure: StoreWriteError | undefined) => void = () => {};
    const done = new Promise<StoreWriteError | undefined>((resolve) => settle = resolve);
    this.#inFlight = { batch, done };
    void this.#attempt(batch).then(settle);
    return done;
  }

  async #attempt(batch: WriteQueue): Promise<StoreWriteError | undefined> {
    let failure: StoreWriteError | undefined;
    try {
      await this.#options.write(batch);
    } catch (error) {
      failure = error instanceof StoreWriteError ? error : new StoreWriteError(
        this.#options.file,
        "other",
        batch.size,
        errorText(error),
      );
    }
    this.#inFlight = undefined;
    if (failure === undefined) {
      this.#succeeded(batch.size);
    } else {
      this.#failed(batch, failure);
    }
    return failure;
  }

  #succeeded(size: number): void {
    this.#written += size;
    this.#transactions++;
    const failures = this.#consecutiveFailures;
    this.#consecutiveFailures = 0;
    this.#overflowReported = false;
    if (failures > 0) this.#options.onRecover?.({ failures, written: size });
    this.#schedule();
  }

  #failed(batch: WriteQueue, failure: StoreWriteError): void {
    batch.absorb(this.#queue);
    this.#queue = batch;
    this.#failures++;
    this.#consecutiveFailures++;
    this.#options.onError?.(failure);
    if (this.#closed) return;
    const min = this.#options.retryMinMs ?? WRITE_BEHIND_DEFAULTS.retryMinMs;
    const max = this.#options.retryMaxMs ?? WRITE_BEHIND_DEFAULTS.retryMaxMs;
    this.#setTimer("retry", Math.min(max, min * 2 ** (this.#consecutiveFailures - 1)));
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error(`${this.#options.file}: the publication store is closed`);
  }
}
