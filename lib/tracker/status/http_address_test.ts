import assert from "node:assert/strict";
import { isLoopback, parseHttpAddress } from "./http_address.ts";

Deno.test("--http accepts loopback addresses, IPv6 in brackets, and port 0", () => {
  for (
    const [text, hostname, port] of [
      ["127.0.0.1:9100", "127.0.0.1", 9100],
      ["127.8.9.10:0", "127.8.9.10", 0],
      ["localhost:80", "localhost", 80],
      ["[::1]:9100", "::1", 9100],
    ] as const
  ) {
    const parsed = parseHttpAddress(text, { allowPublic: false });
    assert.deepEqual(parsed, { ok: true, address: { hostname, port } }, text);
  }
});

Deno.test("--http refuses a non-loopback address unless told, naming --http-public", () => {
  for (const text of ["0.0.0.0:9100", "10.0.0.5:9100", "[::]:9100", "example.com:9100"]) {
    const refused = parseHttpAddress(text, { allowPublic: false });
    assert.ok(!refused.ok, text);
    assert.match(refused.reason, /not a loopback address.*--http-public/, text);
    assert.ok(parseHttpAddress(text, { allowPublic: true }).ok, text);
  }
});

Deno.test("--http refuses malformed values with the expected form", () => {
  for (const text of ["9100", "127.0.0.1", ":9100", "127.0.0.1:99999", "::1:9100", "[nope]:1"]) {
    const refused = parseHttpAddress(text, { allowPublic: true });
    assert.ok(!refused.ok, text);
    assert.match(refused.reason, /^invalid --http/, text);
  }
});

Deno.test("loopback means 127.0.0.0/8, ::1, its IPv4-mapped form and localhost", () => {
  assert.ok(isLoopback("127.0.0.1") && isLoopback("::1") && isLoopback("::ffff:127.0.0.1"));
  assert.ok(!isLoopback("128.0.0.1") && !isLoopback("::") && !isLoopback("127.example.com"));
});
