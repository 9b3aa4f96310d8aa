/**
 * One v1 session of the load benches (`tracker_mixed.ts`, `fleet.ts`, `soak_client.ts`): its own
 * UDP socket on one of 64 loopback hosts (127.0.0.2–65, so the tracker sees many addresses), and
 * at most one request waiting for its reply, so replies match requests without ids.
 */

const HOSTS = 64;
const REPLY_TIMEOUT_MS = 1000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A v1 session's socket and the one request it waits on. */
export class V1Client {
  /** How many loopback hosts the sessions are spread over. */
  static readonly HOSTS = HOSTS;
  readonly socket: Deno.DatagramConn;
  readonly host: string;
  pending: ((reply: string | undefined) => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Session `index` binds host 127.0.0.(2 + index mod 64) and talks to `target`. */
  constructor(readonly user: string, index: number, readonly target: Deno.NetAddr) {
    this.host = `127.0.0.${2 + (index % HOSTS)}`;
    this.socket = Deno.listenDatagram({ transport: "udp", hostname: this.host, port: 0 });
    this.#read();
  }

  async #read() {
    try {
      for await (const [datagram] of this.socket) {
        const pending = this.pending;
        // The echo baseline sends heartbeats back: they answer nothing.
        if (
          pending === undefined || (datagram.length === 3 && decoder.decode(datagram) === "HBT")
        ) {
          continue;
        }
        this.pending = undefined;
        clearTimeout(this.#timer);
        pending(decoder.decode(datagram));
      }
    } catch {
      // closed
    }
  }

  /** Sends one datagram that expects no reply (`HBT`, `TCP …`). */
  send(message: string | Uint8Array): Promise<void> {
    const datagram = typeof message === "string" ? encoder.encode(message) : message;
    return this.socket.send(datagram, this.target).then(() => {});
  }

  /**
   * Sends `text` and waits for its reply: undefined when none came within a second, on each of
   * `attempts` tries (a retry is for benches where loss is not what is measured).
   */
  async ask(text: string, attempts = 1): Promise<string | undefined> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const reply = await new Promise<string | undefined>((resolve) => {
        this.pending = resolve;
        this.#timer = setTimeout(() => {
          this.pending = undefined;
          resolve(undefined);
        }, REPLY_TIMEOUT_MS);
        this.send(text).catch(() => {});
      });
      if (reply !== undefined) return reply;
    }
    return undefined;
  }

  close() {
    clearTimeout(this.#timer);
    this.socket.close();
  }
}
