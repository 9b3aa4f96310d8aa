/**
 * A `Deno.listenTls` on a free loopback port with a new peer identity (key pair and self-signed
 * certificate, as a peer makes on first start, kept in memory only): the server side of the TLS
 * client benches and their tests.
 *
 * @module
 */

import { type Identity, loadIdentity } from "../lib/peer/identity/mod.ts";

/** A TLS listener on 127.0.0.1 presenting a certificate made for it. */
export async function listenTlsAsNewPeer(): Promise<
  { readonly listener: Deno.TlsListener; readonly identity: Identity }
> {
  const identity = await loadIdentity(undefined, () => {});
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: identity.certPem,
    key: identity.keyPem,
  });
  return { listener, identity };
}
