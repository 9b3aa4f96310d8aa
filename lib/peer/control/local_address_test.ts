import assert from "node:assert/strict";
import {
  advertisedAddress,
  chooseFromInterfaces,
  isLoopback,
  listenHostname,
  resolveHost,
} from "./local_address.ts";

function ipv4(name: string, address: string, netmask: string): Deno.NetworkInterfaceInfo {
  return { family: "IPv4", name, address, netmask, scopeid: null, cidr: "", mac: "" };
}

const interfaces = [
  ipv4("lo", "127.0.0.1", "255.0.0.0"),
  ipv4("eth0", "192.0.2.2", "255.255.255.0"),
  ipv4("wg0", "10.8.0.5", "255.255.0.0"),
];

Deno.test("the interface on the tracker's subnet is advertised", () => {
  assert.equal(chooseFromInterfaces("10.8.3.1", interfaces), "10.8.0.5");
  assert.equal(chooseFromInterfaces("192.0.2.200", interfaces), "192.0.2.2");
});

Deno.test("a tracker on no local subnet gets the first non-loopback address", () => {
  assert.equal(chooseFromInterfaces("203.0.113.9", interfaces), "192.0.2.2");
  assert.equal(chooseFromInterfaces("203.0.113.9", [interfaces[0]]), undefined);
});

Deno.test("a loopback tracker gets the loopback address, and an override always wins", () => {
  assert.equal(advertisedAddress({ trackerIp: "127.0.0.1" }), "127.0.0.1");
  assert.equal(advertisedAddress({ trackerIp: "127.0.1.1" }), "127.0.0.1");
  assert.equal(advertisedAddress({ trackerIp: "127.0.0.1", override: "10.0.0.2" }), "10.0.0.2");
});

Deno.test("the uploader listens on loopback only when loopback is advertised", () => {
  assert.equal(listenHostname("127.0.0.1"), "127.0.0.1");
  assert.equal(listenHostname("192.0.2.2"), "0.0.0.0");
  assert.equal(listenHostname("2001:db8::2"), "::");
  assert.ok(isLoopback("::1") && !isLoopback("10.0.0.1"));
});

Deno.test("an IP tracker host is used as it is, and localhost resolves", async () => {
  assert.equal(await resolveHost("192.0.2.9"), "192.0.2.9");
  assert.ok(isLoopback(await resolveHost("localhost")));
});
