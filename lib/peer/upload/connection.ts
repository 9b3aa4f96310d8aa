/**
 * One downloader's connection to the uploader, closed exactly once whoever gets there first (the
 * transfer, a timeout, the server closing), with reads and writes that give up on a downloader
 * that goes silent.
 *
 * @module
 */

import { writeAll } from "../../util/mod.ts";

/** One accepted connection, closed exactly once whoever gets there first. */
export class Connection {
  #closed = false;
  constructor(readonly conn: Deno.Conn) {}

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // Already gone: nothing left to release.
    }
  }

  /** Reads once, closing the connection if nothing arrives within `timeoutMs`. */
  async readWithin(buffer: Uint8Array, timeoutMs: number): Promise<number | null> {
    try {
      return await this.#within(timeoutMs, () => this.conn.read(buffer));
    } catch {
      return null;
    }
  }

  /** Writes all of `bytes`, closing the connection if one write makes no progress in `timeoutMs`. */
  async writeAllWithin(bytes: Uint8Array, timeoutMs: number): Promise<void> {
    await writeAll(
      { write: (rest) => this.#within(timeoutMs, () => this.conn.write(rest)) },
      bytes,
    );
  }

  /** Runs `operation`, closing the connection if it has not settled within `timeoutMs`. */
  async #within<T>(timeoutMs: number, operation: () => Promise<T>): Promise<T> {
    const timer = setTimeout(() => this.close(), timeoutMs);
    try {
      return await operation();
    } finally {
      clearTimeout(timer);
    }
  }
}
