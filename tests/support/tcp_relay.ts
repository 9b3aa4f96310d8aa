/**
 * A TCP relay between a program and a server on loopback that a test can freeze: while frozen it
 * moves no bytes either way but keeps both connections open, as a network partition does (no
 * reset, no close: the program cannot tell it from a slow server). It can also cut: close every
 * connection and refuse new ones until mended, as a server lost to this program alone.
 *
 * @module
 */

/** Relays every connection made to its own port to `targetPort`. */
export class FreezableRelay {
  readonly #listener: Deno.TcpListener;
  readonly #conns = new Set<Deno.TcpConn>();
  readonly #pumps: Promise<void>[] = [];
  readonly #accepting: Promise<void>;
  #frozen = false;
  #cut = false;
  #thaw: (() => void)[] = [];

  constructor(readonly targetPort: number) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#listener = listener;
    this.#accepting = (async () => {
      try {
        for await (const inbound of listener) {
          if (this.#cut) {
            inbound.close();
            continue;
          }
          this.#conns.add(inbound);
          let outbound: Deno.TcpConn;
          try {
            outbound = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
          } catch {
            inbound.close();
            this.#conns.delete(inbound);
            continue;
          }
          this.#conns.add(outbound);
          this.#pumps.push(this.#pump(inbound, outbound), this.#pump(outbound, inbound));
        }
      } catch {
        // The listener was closed.
      }
    })();
  }

  /** The port to connect to instead of `targetPort`. */
  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  /** Stops moving bytes (what is read meanwhile waits for {@linkcode thaw}). */
  freeze(): void {
    this.#frozen = true;
  }

  /** Moves bytes again, those held first. */
  thaw(): void {
    this.#frozen = false;
    for (const wake of this.#thaw.splice(0)) wake();
  }

  /** Closes every relayed connection and refuses new ones until {@linkcode mend}. */
  cut(): void {
    this.#cut = true;
    this.#closeAll();
  }

  /** Relays new connections again. */
  mend(): void {
    this.#cut = false;
  }

  /** Closes the listener and every relayed connection. */
  async close(): Promise<void> {
    this.#listener.close();
    this.thaw();
    this.#closeAll();
    await this.#accepting;
    await Promise.all(this.#pumps);
  }

  #closeAll(): void {
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch {
        // Already closed by its pump.
      }
    }
    this.#conns.clear();
  }

  async #pump(from: Deno.TcpConn, to: Deno.TcpConn): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const read = await from.read(buffer);
        if (read === null) break;
        while (this.#frozen) await new Promise<void>((wake) => this.#thaw.push(wake));
        for (let written = 0; written < read;) {
          written += await to.write(buffer.subarray(written, read));
        }
      }
    } catch {
      // Either side closed.
    }
    for (const conn of [from, to]) {
      if (!this.#conns.delete(conn)) continue;
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  }
}
