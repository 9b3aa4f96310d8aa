/**
 * One downloader's connection to the uploader, closed exactly once whoever gets there first (the
 * transfer, a timeout, the server closing), with reads and writes that give up on a downloader
 * that goes silent.
 *
 * @module
 */

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

  /**
   * Writes all of `bytes`, closing the connection if `timeoutMs` pass without a byte written. One
   * timer for the whole call, moved on when it finds progress, rather than one per write: a TLS
   * write takes 64 KiB, so a 1 MiB buffer is 16 writes, and a timer each cost 35–80 ms of the
   * uploader's CPU per GiB against 5–8 (docs/performance.md).
   */
  async writeAllWithin(bytes: Uint8Array, timeoutMs: number): Promise<void> {
    let progressAt = performance.now();
    const check = () => {
      const idle = performance.now() - progressAt;
      if (idle >= timeoutMs) this.close();
      else timer = setTimeout(check, timeoutMs - idle);
    };
    let timer = setTimeout(check, timeoutMs);
    try {
      let written = 0;
      while (written < bytes.length) {
        const wrote = await this.conn.write(bytes.subarray(written));
        written += wrote;
        this.#written += wrote;
        progressAt = performance.now();
      }
    } finally {
      clearTimeout(timer);
    }
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
