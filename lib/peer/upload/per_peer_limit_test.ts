import assert from "node:assert/strict";
import { peerKey, PerPeerLimit } from "./per_peer_limit.ts";

Deno.test("one peer cannot take more than its share, and what it gives back is free again", () => {
  const limit = new PerPeerLimit({ total: 4, perPeer: 2 });
  assert.equal(limit.enter("10.0.0.1"), undefined);
  assert.equal(limit.enter("10.0.0.1"), undefined);
  assert.equal(limit.enter("10.0.0.1"), "peer");
  assert.equal(limit.enter("10.0.0.2"), undefined);
  assert.equal(limit.enter("10.0.0.3"), undefined);
  assert.equal(limit.enter("10.0.0.4"), "total");
  assert.equal(limit.total, 4);
  limit.leave("10.0.0.1");
  assert.equal(limit.heldBy("10.0.0.1"), 1);
  assert.equal(limit.enter("10.0.0.4"), undefined);
  // Giving back what was never taken changes nothing.
  limit.leave("10.0.0.9");
  assert.equal(limit.total, 4);
});

Deno.test("addresses are counted as one peer per IPv4 address and per IPv6 /64", () => {
  assert.equal(peerKey("127.0.0.2"), "127.0.0.2");
  assert.equal(peerKey("::ffff:127.0.0.2"), "127.0.0.2");
  assert.equal(peerKey("::1"), "0:0:0:0::/64");
  assert.equal(peerKey("2001:db8::1"), "2001:db8:0:0::/64");
  assert.equal(peerKey("2001:DB8:0:0:1:2:3:4"), "2001:db8:0:0::/64");
  assert.notEqual(peerKey("2001:db8:0:1::1"), peerKey("2001:db8::1"));
  // Every spelling of one address is one peer, read with or without the URL parser.
  assert.equal(peerKey("::ffff:7f00:2"), "127.0.0.2");
  assert.equal(peerKey("2001:0db8:0001:0002:0:0:0:1"), "2001:db8:1:2::/64");
  assert.equal(peerKey("1:2:3:4:5:6:7::"), "1:2:3:4::/64");
  assert.equal(peerKey("1::2:3:4:5:6:7"), "1:0:2:3::/64");
  assert.equal(peerKey("64:ff9b::1.2.3.4"), "64:ff9b:0:0::/64");
});
