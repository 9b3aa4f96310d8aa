import assert from "node:assert/strict";
import { encodeV2Request } from "../protocol/mod.ts";
import { DatagramRouter } from "./datagram_router.ts";
import type { Address } from "./state.ts";

const credentials = new Map([["alice", { kind: "plain" as const, password: "alice-pw" }]]);
const text = (bytes: Uint8Array | undefined) => bytes && new TextDecoder().decode(bytes);

Deno.test("a handshake reply answers only a byte-identical retransmission from the same address, for 5 s", () => {
  let clock = 0;
  const router = new DatagramRouter({ credentials, now: () => clock });
  const from: Address = { hostname: "10.0.0.1", port: 5000 };
  const login = encodeV2Request({
    id: 1,
    body: { verb: "LOGIN", user: "alice", clientNonce: "abcdef" },
  });
  const first = text(router.handle(login, from).reply);
  assert.match(first ?? "", /^PS2 1 CHALLENGE /);
  clock += 4000;
  assert.equal(text(router.handle(login, from).reply), first, "a retransmission within 5 s");
  // The same id with other bytes is a new request, not the remembered reply.
  const other = encodeV2Request({
    id: 1,
    body: { verb: "LOGIN", user: "alice", clientNonce: "abcdeg" },
  });
  const second = text(router.handle(other, from).reply);
  assert.match(second ?? "", /^PS2 1 CHALLENGE abcdeg/);
  // The same bytes from another port of the same host are a new request too.
  const third = text(router.handle(login, { hostname: "10.0.0.1", port: 5001 }).reply);
  assert.notEqual(third, first);
  clock += 1001;
  const late = text(router.handle(login, from).reply);
  assert.match(late ?? "", /^PS2 1 CHALLENGE abcdef/);
  assert.notEqual(late, first, "after 5 s the request is handled anew");
});
