/**
 * A raw UDP socket that speaks to the tracker the way any other implementation would.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One UDP source address talking to a tracker. */
export class UdpProbe {
  readonly #socket: Deno.DatagramConn;
  readonly #tracker: Deno.NetAddr;
  readonly #queue: Uint8Array[] = [];
  #wake: (() => void) | undefined;
  readonly #loop: Promise<void>;

  /**
   * Binds `hostname` (port 0 unless `port` is given) and talks to the tracker on `trackerHost`
   * (by default the same address).
   */
  constructor(
    trackerPort: number,
    hostname = "127.0.0.1",
    options: { readonly port?: number; readonly trackerHost?: string } = {},
  ) {
    const socket = Deno.listenDatagram({ transport: "udp", hostname, port: options.port ?? 0 });
    this.#socket = socket;
    this.#tracker = {
      transport: "udp",
      hostname: options.trackerHost ?? hostname,
      port: trackerPort,
    };
    this.#loop = (async () => {
      try {
        for await (const [data] of socket) {
          this.#queue.push(data);
          this.#wake?.();
        }
      } catch {
        // Closed.
      }
    })();
  }

  /** This probe's own port. */
  get port(): number {
    return (this.#socket.addr as Deno.NetAddr).port;
  }

  /** Sends a datagram without waiting for anything. */
  async send(message: string | Uint8Array): Promise<void> {
    await this.#socket.send(
      typeof message === "string" ? encoder.encode(message) : message,
      this.#tracker,
    );
  }

  /** The next datagram's bytes, or `undefined` when none comes within `timeoutMs`. */
  async receive(timeoutMs = 1000): Promise<Uint8Array | undefined> {
    if (this.#queue.length === 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      this.#wake = undefined;
    }
    return this.#queue.shift();
  }

  /** Sends and returns the reply text, or `undefined` for no reply within `timeoutMs`. */
  async ask(message: string | Uint8Array, timeoutMs = 1000): Promise<string | undefined> {
    await this.send(message);
    const reply = await this.receive(timeoutMs);
    return reply && decoder.decode(reply);
  }

  /** Closes the socket and waits for its receive loop to end. */
  async close(): Promise<void> {
    this.#socket.close();
    await this.#loop;
  }
}
