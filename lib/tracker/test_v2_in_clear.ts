/**
 * For tests whose subject is what the tracker does with a v2 request, not sealing or rates: a
 * router on an injected clock, with no rate limit, taking v2 requests in clear, and one v2 session
 * already open. Test support only.
 *
 * @module
 */

import { encodeV2Request, type V2RequestBody } from "../protocol/mod.ts";
import type { Credential } from "./credentials.ts";
import { DatagramRouter, type RouterOutcome } from "./datagram_router.ts";
import type { Address } from "./state.ts";

/** The router, its clock and a way to send requests as the session's user. */
export interface V2InClear {
  readonly router: DatagramRouter;
  /** Moves the router's clock on. */
  tick(ms: number): void;
  /** Sends one v2 request with this id as the session's user, from its address. */
  send(id: number, body: V2RequestBody): RouterOutcome;
}

export function v2InClear(
  credentials: ReadonlyMap<string, Credential>,
  user: string,
  address: Address,
  token: string,
): V2InClear {
  let clock = 0;
  const router = new DatagramRouter({
    credentials,
    now: () => clock,
    rate: { perSecond: 1e9, burst: 1e9 },
    acceptUnsealed: true,
  });
  router.state.openSession(address, user, { version: 2, token, timeoutMs: 15000 });
  return {
    router,
    tick: (ms) => clock += ms,
    send: (id, body) => router.handle(encodeV2Request({ id, token, body }), address),
  };
}
