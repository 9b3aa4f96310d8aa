/**
 * One downloader's connection to the uploader, closed exactly once whoever gets there first (the
 * transfer, a timeout, the server closing), with reads and writes that give up on a downloader
 * that goes silent.
 *
 * @module
 */

import { writeAll } from "../../util/mod.ts";
import { peerKey } from "./per_peer_limit.ts";

/** One accepted connection, closed exactly once whoever gets there first. */
export class Connection {
  #closed = false;
  #written = 0;
  /** The remote peer as upload caps count it ({@linkcode peerKey}). */
  readonly peer: string;

  constructor(readonly conn: Deno.Conn) {
    const remote = conn.remoteAddr;
    this.peer = remote.transport === "tcp" ? peerKey(remote.hostname) : "";
  }

  /** Bytes the kernel has accepted so far: how far the downloader has read, give or take its buffers. */
  get written(): number {
    return this.#written;
  }

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
      {
        write: async (rest) => {
          const wrote = await this.#within(timeoutMs, () => this.conn.write(rest));
          this.#written += wrote;
          return wrote;
        },
      },
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
