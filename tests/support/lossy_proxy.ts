/**
 * A UDP proxy that drops a fraction of datagrams in each direction, from a seeded generator so a
 * run's losses are reproducible, and can tamper with replies. Each client address gets its own
 * upstream socket, so the tracker sees one address per client, as through a NAT.
 *
 * @module
 */

/** A small deterministic generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options for {@linkcode LossyProxy}. */
export interface LossyProxyOptions {
  readonly trackerPort: number;
  readonly seed?: number;
  /** Fraction dropped on the way to the tracker. */
  readonly lossToTracker?: number;
  /** Fraction dropped on the way back. */
  readonly lossToClient?: number;
  /** Sends every datagram that reaches the tracker twice, as a duplicating network would. */
  readonly duplicateToTracker?: boolean;
  /** Sees every datagram on its way to the tracker. */
  readonly observe?: (datagram: Uint8Array) => void;
  /** Rewrites (or drops, returning undefined) a datagram from the tracker. */
  readonly tamper?: (datagram: Uint8Array) => Uint8Array | undefined;
}

interface Route {
  readonly client: Deno.NetAddr;
  readonly upstream: Deno.DatagramConn;
  readonly loop: Promise<void>;
}

/** Counts of what passed and what was dropped. */
export interface ProxyStats {
  toTracker: number;
  droppedToTracker: number;
  toClient: number;
  droppedToClient: number;
}

/** The proxy; clients send to {@linkcode LossyProxy.port}. */
export class LossyProxy {
  readonly #front: Deno.DatagramConn;
  readonly #routes = new Map<string, Route>();
  readonly #random: () => number;
  readonly #options: LossyProxyOptions;
  readonly #loop: Promise<void>;
  readonly stats: ProxyStats = {
    toTracker: 0,
    droppedToTracker: 0,
    toClient: 0,
    droppedToClient: 0,
  };
  #closed = false;
  #blackoutUntil = 0;

  constructor(options: LossyProxyOptions) {
    this.#options = options;
    this.#random = seededRandom(options.seed ?? 1);
    const front = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    this.#front = front;
    this.#loop = this.#forward();
  }

  /** Drops every datagram to the tracker for the next `ms` (a short outage on the way there). */
  blackoutToTracker(ms: number): void {
    this.#blackoutUntil = performance.now() + ms;
  }

  /** The port clients should use as the tracker's. */
  get port(): number {
    return (this.#front.addr as Deno.NetAddr).port;
  }

  #route(client: Deno.NetAddr): Route {
    const key = `${client.hostname}:${client.port}`;
    let route = this.#routes.get(key);
    if (route) return route;
    const upstream = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const loop = (async () => {
      try {
        for await (const [data] of upstream) {
          const out = this.#options.tamper ? this.#options.tamper(data) : data;
          if (out === undefined) continue;
          if (this.#random() < (this.#options.lossToClient ?? 0)) {
            this.stats.droppedToClient++;
            continue;
          }
          this.stats.toClient++;
          await this.#front.send(out, client).catch(() => {});
        }
      } catch {
        // Closed.
      }
    })();
    route = { client, upstream, loop };
    this.#routes.set(key, route);
    return route;
  }

  async #forward(): Promise<void> {
    const tracker: Deno.NetAddr = {
      transport: "udp",
      hostname: "127.0.0.1",
      port: this.#options.trackerPort,
    };
    try {
      for await (const [data, from] of this.#front) {
        const route = this.#route(from as Deno.NetAddr);
        const lost = this.#random() < (this.#options.lossToTracker ?? 0);
        if (lost || performance.now() < this.#blackoutUntil) {
          this.stats.droppedToTracker++;
          continue;
        }
        this.stats.toTracker++;
        this.#options.observe?.(data);
        await route.upstream.send(data, tracker).catch(() => {});
        if (this.#options.duplicateToTracker) {
          await route.upstream.send(data, tracker).catch(() => {});
        }
      }
    } catch {
      if (!this.#closed) throw new Error("proxy front socket failed");
    }
  }

  /** Closes every socket and waits for the loops. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#front.close();
    for (const route of this.#routes.values()) route.upstream.close();
    await Promise.all([this.#loop, ...[...this.#routes.values()].map((route) => route.loop)]);
  }
}
