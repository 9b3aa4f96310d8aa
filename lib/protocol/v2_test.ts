import assert from "node:assert/strict";
import {
  decodeV2Reply,
  decodeV2Request,
  encodeV2Reply,
  encodeV2Request,
  isV2Datagram,
  MAX_DATAGRAM_BYTES,
  pageLength,
  V2_MIN_HANDSHAKE_BYTES,
  type V2Reply,
  type V2Request,
} from "./mod.ts";

const token = "0123456789abcdef0123456789abcdef";
const digest = "a".repeat(64);
const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("every v2 request survives an encode/decode round trip", () => {
  const requests: V2Request[] = [
    { id: 1, body: { verb: "LOGIN", user: "alice", clientNonce: "rOprNGfwEbeRWgbNEkqO" } },
    {
      id: 2,
      body: {
        verb: "PROOF",
        nonce: "abc%def)",
        proof: "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
      },
    },
    { id: 3, token, body: { verb: "TCP", host: "::1", port: 9 } },
    {
      id: 11,
      token,
      body: { verb: "TCP", host: "::1", port: 9, tls: { port: 10, fingerprint: digest } },
    },
    { id: 4, token, body: { verb: "HBT" } },
    { id: 5, token, body: { verb: "BYE" } },
    { id: 6, token, body: { verb: "LAP", offset: 0 } },
    { id: 7, token, body: { verb: "LPF", offset: 40 } },
    { id: 8, token, body: { verb: "SCH", text: "sum", offset: 3 } },
    { id: 9, token, body: { verb: "PUB", file: "a.bin", size: 2 ** 40, sha256: digest } },
    { id: 10, token, body: { verb: "UNP", file: "a.bin" } },
    { id: 4294967295, token, body: { verb: "GET", file: "a.bin", offset: 0 } },
  ];
  for (const request of requests) {
    const encoded = encodeV2Request(request);
    assert.ok(isV2Datagram(encoded));
    assert.deepEqual(decodeV2Request(encoded), { ok: true, request });
  }
});

Deno.test("handshake requests are padded to 256 bytes and refused when shorter", () => {
  const login = encodeV2Request({
    id: 1,
    body: { verb: "LOGIN", user: "alice", clientNonce: "n" },
  });
  assert.equal(login.length, V2_MIN_HANDSHAKE_BYTES);
  const short = decodeV2Request(bytes("PS2 1 - LOGIN alice n"));
  assert.deepEqual(short, { ok: false, id: 1, reason: "LOGIN not padded" });
});

Deno.test("every v2 reply survives an encode/decode round trip", () => {
  const replies: V2Reply[] = [
    {
      id: 1,
      body: {
        status: "CHALLENGE",
        nonce: "abc%def",
        salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
        iterations: 4096,
      },
    },
    {
      id: 2,
      body: {
        status: "WELCOME",
        token,
        serverSignature: "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
        heartbeatMs: 1000,
        timeoutMs: 15000,
      },
    },
    { id: 3, body: { status: "OK" } },
    { id: 4, body: { status: "LIST", total: 0, offset: 0, names: [] } },
    { id: 5, body: { status: "LIST", total: 9, offset: 2, names: ["a,b", "c"] } },
    {
      id: 6,
      body: {
        status: "HOLDERS",
        total: 3,
        offset: 0,
        holders: [
          { user: "bob", host: "127.0.0.1", port: 4000, size: 10, sha256: digest },
          { user: "carol", host: "::1", port: 4001 },
          {
            user: "dave",
            host: "10.0.0.5",
            port: 4002,
            size: 0,
            sha256: digest,
            claimed: { host: "192.168.1.5", port: 4002 },
          },
          { user: "erin", host: "::1", port: 4003, tls: { port: 4004, fingerprint: digest } },
          {
            user: "fay",
            host: "10.0.0.6",
            port: 4005,
            size: 1,
            sha256: digest,
            claimed: { host: "::2", port: 4005 },
            tls: { port: 4006, fingerprint: digest },
          },
        ],
      },
    },
    { id: 7, body: { status: "ERR", code: "token" } },
    { id: 8, body: { status: "ERR", code: "live", seconds: 14 } },
    { id: 9, body: { status: "ERR", code: "locked", seconds: 300 } },
    { id: 10, body: { status: "ERR", code: "address" } },
  ];
  for (const reply of replies) {
    assert.deepEqual(decodeV2Reply(encodeV2Reply(reply)), { ok: true, reply });
  }
});

Deno.test("v2 decoders refuse hostile datagrams without throwing", () => {
  const hostile = [
    "PS2",
    "PS2 ",
    "PS2 1",
    "PS2 0 - HBT",
    "PS2 4294967296 " + token + " HBT",
    "PS2 01 " + token + " HBT",
    "PS2 1 " + token.toUpperCase() + " HBT",
    "PS2 1 - HBT",
    "PS2 1 " + token + " LOGIN alice n",
    "PS2 1 " + token + " HBT extra",
    "PS2 1 " + token + " LAP",
    "PS2 1 " + token + " LAP -1",
    "PS2 1 " + token + " PUB a 1 " + "A".repeat(64),
    "PS2 1 " + token + " PUB ../a 1 " + digest,
    "PS2 1 " + token + " GET a",
    "PS2 1 " + token + "  HBT",
    "PS2 1 " + token + " NOPE",
    "PS2 1 - PROOF n%x not-base64 " + "_".repeat(300),
  ];
  for (const text of hostile) assert.equal(decodeV2Request(bytes(text)).ok, false, text);
  assert.equal(decodeV2Request(new Uint8Array(MAX_DATAGRAM_BYTES + 1).fill(0x50)).ok, false);
  let seed = 1;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const base = encodeV2Request({
    id: 9,
    token,
    body: { verb: "PUB", file: "a.bin", size: 5, sha256: digest },
  });
  for (let i = 0; i < 5000; i++) {
    const mutated = base.slice(0, Math.floor(random() * (base.length + 1)));
    for (let j = 0; j < 3; j++) {
      mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
    }
    decodeV2Request(mutated);
    decodeV2Reply(mutated);
  }
});

Deno.test("a page holds as many items as fit in one datagram", () => {
  const names = Array.from({ length: 50 }, (_, i) => `${i}`.padStart(100, "x"));
  const header = 40;
  const count = pageLength(names, 0, header);
  assert.equal(count, Math.floor((MAX_DATAGRAM_BYTES - header) / 101));
  assert.equal(pageLength(names, 48, header), 2);
});

Deno.test("v2 ERR replies carry an optional whole number of seconds", () => {
  assert.deepEqual(decodeV2Reply(bytes("PS2 3 ERR live 15")), {
    ok: true,
    reply: { id: 3, body: { status: "ERR", code: "live", seconds: 15 } },
  });
  assert.deepEqual(decodeV2Reply(bytes("PS2 3 ERR locked")), {
    ok: true,
    reply: { id: 3, body: { status: "ERR", code: "locked" } },
  });
  for (
    const text of ["PS2 3 ERR live -1", "PS2 3 ERR live 1.5", "PS2 3 ERR live 1 2", "PS2 3 ERR"]
  ) {
    assert.equal(decodeV2Reply(bytes(text)).ok, false, text);
  }
});

Deno.test("ERR broad (a search too broad to count) round-trips", () => {
  const body = { status: "ERR", code: "broad" } as const;
  assert.equal(new TextDecoder().decode(encodeV2Reply({ id: 9, body })), "PS2 9 ERR broad");
  assert.deepEqual(decodeV2Reply(bytes("PS2 9 ERR broad")), { ok: true, reply: { id: 9, body } });
});

Deno.test("a holder's TLS field is `<tls-port>:<fingerprint>` last, and a bad one is refused", () => {
  const ok = decodeV2Reply(bytes(`PS2 1 HOLDERS 1 0 bob,::1,4000,-,-,4001:${digest}`));
  assert.ok(ok.ok && ok.reply.body.status === "HOLDERS");
  assert.deepEqual(ok.reply.body.holders[0].tls, { port: 4001, fingerprint: digest });
  for (const bad of [`4001:${"A".repeat(64)}`, `0:${digest}`, `4001:${digest}:1`, "4001"]) {
    const decoded = decodeV2Reply(bytes(`PS2 1 HOLDERS 1 0 bob,::1,4000,-,-,${bad}`));
    assert.equal(decoded.ok, false, bad);
  }
  const request = decodeV2Request(bytes(`PS2 3 ${token} TCP ::1 9 10`));
  assert.equal(request.ok, false);
});
