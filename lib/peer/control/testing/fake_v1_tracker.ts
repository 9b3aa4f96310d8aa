/**
 * A scripted stand-in for the tracker, for peer tests: one UDP socket on loopback that records
 * every datagram and answers from a function of the request text. Test support only (the v1
 * client's tests beside it, and the peer's end-to-end tests in `tests/`); nothing ships it.
 *
 * @module
 */

/** A running fake tracker. */
export interface FakeTracker {
  /** The UDP port it listens on. */
  readonly port: number;
  /** Every request text received, in order. */
  readonly received: string[];
  /** Resolves once `count` requests in all have been received. */
  waitFor(count: number): Promise<void>;
  /** Closes the socket and waits for the receive loop to end. */
  close(): Promise<void>;
}

/**
 * Starts a fake v1-only tracker on 127.0.0.1, port 0 (a v2 request gets v1's `ERR`, and is not
 * recorded in `received`). `answer` returns the reply text for a request (or
 * several, sent in order), or `undefined` to stay silent (as for `HBT` and `TCP`, or to simulate
 * a dead tracker).
 */
export function startFakeTracker(
  answer: (request: string) => string | readonly string[] | undefined,
): FakeTracker {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const received: string[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const loop = (async () => {
    for (;;) {
      let datagram: Uint8Array;
      let from: Deno.Addr;
      try {
        [datagram, from] = await socket.receive();
      } catch {
        return;
      }
      const text = decoder.decode(datagram);
      if (text.startsWith("PS2 ")) {
        // A v1 tracker answers what it does not know with ERR; our peer then falls back to v1.
        await socket.send(encoder.encode("ERR"), from);
        continue;
      }
      received.push(text);
      for (const waiter of waiters.filter((waiter) => received.length >= waiter.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const reply = answer(text);
      for (const part of typeof reply === "string" ? [reply] : reply ?? []) {
        await socket.send(encoder.encode(part), from);
      }
    }
  })();
  return {
    port: (socket.addr as Deno.NetAddr).port,
    received,
    waitFor(count: number): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      socket.close();
      await loop;
    },
  };
}
