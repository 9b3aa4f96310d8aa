/**
 * How many datagrams the tracker's socket can queue while the loop is busy: the kernel's default
 * receive buffer, since `Deno.listenDatagram` cannot set `SO_RCVBUF` (and `node:dgram`, which can,
 * answered 30–150× fewer datagrams per second under Deno here). Read once at start-up and said in
 * the log, so an operator expecting bursts knows to raise `net.core.rmem_default`
 * (docs/operations.md, "Bursts").
 *
 * @module
 */

/**
 * What one small datagram costs in a socket's receive buffer: the kernel charges the buffer its
 * whole allocation (`skb->truesize`), not the payload. Measured: a 212992-byte buffer held ~256
 * datagrams of under 100 bytes (1,000 `pub`s sent at once: ~257 reached the tracker).
 */
export const SMALL_DATAGRAM_BUFFER_COST_BYTES = 832;

/** The kernel's receive buffer settings, where they could be read. */
export interface ReceiveBufferSizes {
  /** `net.core.rmem_default`: what every new socket gets, ours included. */
  readonly defaultBytes?: number;
  /** `net.core.rmem_max`: the most a program could ask for with `SO_RCVBUF` (Deno cannot). */
  readonly maxBytes?: number;
}

/** Reads `net.core.rmem_default` and `rmem_max` from /proc (Linux); absent elsewhere. */
export function readReceiveBufferSizes(
  readText: (path: string) => string = Deno.readTextFileSync,
): ReceiveBufferSizes {
  const read = (name: string) => {
    try {
      const value = Number(readText(`/proc/sys/net/core/${name}`).trim());
      return Number.isSafeInteger(value) && value > 0 ? value : undefined;
    } catch {
      // Not Linux, or not allowed to read /proc: nothing to say.
      return undefined;
    }
  };
  const defaultBytes = read("rmem_default");
  const maxBytes = read("rmem_max");
  return {
    ...(defaultBytes === undefined ? {} : { defaultBytes }),
    ...(maxBytes === undefined ? {} : { maxBytes }),
  };
}

/**
 * The start-up line about bursts.
 *
 * @example
 * ```ts
 * import { describeReceiveBuffer } from "./receive_buffer.ts";
 * const line = describeReceiveBuffer({ defaultBytes: 212992, maxBytes: 4194304 });
 * console.assert(line.includes("about 256 small datagrams"));
 * ```
 */
export function describeReceiveBuffer(sizes: ReceiveBufferSizes): string {
  const cannot = "Deno cannot set SO_RCVBUF on its socket";
  if (sizes.defaultBytes === undefined) {
    // Deno 2.9.6 opens /proc only under --allow-all, which `deno task tracker` grants but an
    // operator's own narrower `deno run` may not: the same grant lets the silence watch and
    // /metrics see the kernel's drops, so the line says so.
    return `Receive buffer: unknown (net.core.rmem_default not readable here: Deno reads /proc ` +
      `only under --allow-all, which also lets the tracker see datagrams the kernel drops, ` +
      `docs/operations.md; see it with ` +
      `\`sysctl net.core.rmem_default\`: Linux's usual 212992 bytes queue about ` +
      `${Math.floor(212992 / SMALL_DATAGRAM_BUFFER_COST_BYTES)} small datagrams); ${cannot}: ` +
      `raise net.core.rmem_default for more (docs/operations.md, "Bursts")`;
  }
  const datagrams = Math.floor(sizes.defaultBytes / SMALL_DATAGRAM_BUFFER_COST_BYTES);
  const max = sizes.maxBytes === undefined ? "" : `, rmem_max ${sizes.maxBytes}`;
  return `Receive buffer: ${sizes.defaultBytes} bytes (net.core.rmem_default${max}), about ` +
    `${datagrams} small datagrams queued in a burst; ${cannot}: raise net.core.rmem_default ` +
    `for more (docs/operations.md, "Bursts")`;
}
