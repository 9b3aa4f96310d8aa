/**
 * SHA-256 on a worker thread, so that verifying a download can run beside the socket and file work
 * instead of in it — worth it only with a core to spare (on the 2-core benchmark machine, with
 * both peers on it, it was no faster and cost ~30 MiB more). Bytes are copied into a small pool
 * of 1 MiB buffers that travel to the worker and back (transferred, not cloned); at most 8 are in
 * flight, and the writer waits on `ready()`.
 *
 * The worker's code is inline (a blob URL), so it needs no file of its own at run time and works
 * the same from source and from a compiled binary.
 *
 * @module
 */

import { TRANSFER_BUFFER_BYTES } from "../defaults.ts";

const WORKER_SOURCE = `
import { createHash } from "node:crypto";
let hash = createHash("sha256");
self.onmessage = ({ data }) => {
  if (data.kind === "update") {
    hash.update(new Uint8Array(data.buffer, 0, data.length));
    self.postMessage({ kind: "buffer", buffer: data.buffer }, [data.buffer]);
  } else if (data.kind === "reset") {
    hash = createHash("sha256");
  } else if (data.kind === "digest") {
    self.postMessage({ kind: "digest", hex: hash.digest("hex") });
    hash = createHash("sha256");
  }
};
`;

const MAX_IN_FLIGHT = 8;

/** Anything SHA-256 can be fed to: a `node:crypto` hash, or an {@linkcode OffThreadSha256}. */
export interface HashSink {
  update(bytes: Uint8Array): unknown;
  /** Set when the writer should `await ready()` before feeding more. */
  readonly congested?: boolean;
  ready?(): Promise<void>;
}

/**
 * A SHA-256 computed by a worker.
 *
 * @example
 * ```ts
 * import { OffThreadSha256 } from "./hash_worker.ts";
 * const hash = OffThreadSha256.start()!;
 * hash.update(new TextEncoder().encode("abc"));
 * console.assert(
 *   await hash.digest() === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * );
 * hash.close();
 * ```
 */
export class OffThreadSha256 implements HashSink {
  readonly #worker: Worker;
  readonly #pool: ArrayBuffer[] = [];
  #inFlight = 0;
  #wake: (() => void)[] = [];
  #digest: { resolve: (hex: string) => void; reject: (error: Error) => void } | undefined;
  #failure: Error | undefined;
  #closed = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.onmessage = (event: MessageEvent) => {
      const data = event.data as { kind: string; buffer?: ArrayBuffer; hex?: string };
      if (data.kind === "buffer") {
        this.#pool.push(data.buffer!);
        this.#inFlight--;
        for (const wake of this.#wake.splice(0)) wake();
      } else if (data.kind === "digest") {
        this.#digest?.resolve(data.hex!);
        this.#digest = undefined;
      }
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#fail(new Error(`hash worker failed: ${event.message}`));
    };
  }

  /** Starts the worker, or returns `undefined` where workers are not available. */
  static start(): OffThreadSha256 | undefined {
    let url: string | undefined;
    try {
      url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
      return new OffThreadSha256(new Worker(url, { type: "module" }));
    } catch {
      return undefined;
    } finally {
      if (url !== undefined) URL.revokeObjectURL(url);
    }
  }

  /** Whether enough bytes are in flight that the writer should wait. */
  get congested(): boolean {
    return this.#inFlight >= MAX_IN_FLIGHT;
  }

  /** Resolves once fewer than the maximum of buffers are in flight. */
  async ready(): Promise<void> {
    while (this.#inFlight >= MAX_IN_FLIGHT && this.#failure === undefined) {
      await new Promise<void>((resolve) => this.#wake.push(resolve));
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Feeds a copy of `bytes` to the hash (returns at once). */
  update(bytes: Uint8Array): void {
    if (this.#failure !== undefined) throw this.#failure;
    for (let offset = 0; offset < bytes.length; offset += TRANSFER_BUFFER_BYTES) {
      const piece = bytes.subarray(offset, Math.min(bytes.length, offset + TRANSFER_BUFFER_BYTES));
      const buffer = this.#pool.pop() ?? new ArrayBuffer(TRANSFER_BUFFER_BYTES);
      new Uint8Array(buffer).set(piece);
      this.#inFlight++;
      this.#worker.postMessage({ kind: "update", buffer, length: piece.length }, [buffer]);
    }
  }

  /** Starts over with an empty hash. */
  reset(): void {
    this.#worker.postMessage({ kind: "reset" });
  }

  /** The digest of everything fed since the start or the last reset; the hash then resets. */
  digest(): Promise<string> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<string>((resolve, reject) => {
      this.#digest = { resolve, reject };
      this.#worker.postMessage({ kind: "digest" });
    });
  }

  /** Stops the worker (once). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.terminate();
    this.#fail(new Error("hash worker closed"));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#digest?.reject(this.#failure);
    this.#digest = undefined;
    for (const wake of this.#wake.splice(0)) wake();
  }
}
