/**
 * The tracker's side of the SQLite writer worker (`sqlite_writer_worker.ts`): hands it a batch
 * and waits for the answer without blocking the datagram loop. A worker that dies fails the
 * batches it held (the write-behind retries them) and is started again for the next one.
 *
 * @module
 */

import type { BatchUser } from "./sqlite_batch.ts";
import {
  type CarriedError,
  uncarry,
  type WriterReply,
  type WriterRequest,
  type WriterStart,
} from "./sqlite_writer_protocol.ts";

interface Waiting {
  resolve(): void;
  reject(error: Error): void;
}

/** Writes batches through a worker of its own. */
export class SqliteWriter {
  readonly #start: WriterStart;
  #worker: Worker | undefined;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 1;
  #closing: { resolve(): void } | undefined;

  constructor(start: WriterStart) {
    this.#start = start;
  }

  /** Writes `batch` in one transaction; rejects with SQLite's error (fields kept). */
  write(batch: readonly BatchUser[]): Promise<void> {
    const id = this.#nextId++;
    const done = new Promise<void>((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
    this.#send({ kind: "write", id, batch });
    return done;
  }

  /** Closes the worker's connection and stops it; waits for batches already handed over. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) return;
    const closed = new Promise<void>((resolve) => this.#closing = { resolve });
    worker.postMessage({ kind: "close" } satisfies WriterRequest);
    await closed;
    this.#stop(worker);
  }

  #send(request: WriterRequest): void {
    this.#worker ??= this.#spawn();
    this.#worker.postMessage(request);
  }

  #spawn(): Worker {
    const worker = new Worker(new URL("./sqlite_writer_worker.ts", import.meta.url), {
      type: "module",
      name: JSON.stringify(this.#start),
    });
    worker.onmessage = (event: MessageEvent<WriterReply>) => this.#answer(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#stop(worker);
      this.#failAll({ message: `the SQLite writer stopped (${event.message})` });
    };
    return worker;
  }

  #answer(reply: WriterReply): void {
    if (reply.kind === "closed") {
      this.#closing?.resolve();
      return;
    }
    const waiting = this.#waiting.get(reply.id);
    this.#waiting.delete(reply.id);
    if (reply.kind === "written") waiting?.resolve();
    else waiting?.reject(uncarry(reply.error));
  }

  #failAll(error: CarriedError): void {
    for (const waiting of this.#waiting.values()) waiting.reject(uncarry(error));
    this.#waiting.clear();
    this.#closing?.resolve();
  }

  #stop(worker: Worker): void {
    worker.terminate();
    if (this.#worker === worker) this.#worker = undefined;
  }
}
