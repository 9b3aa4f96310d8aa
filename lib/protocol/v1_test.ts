import assert from "node:assert/strict";
import {
  decodeReply,
  decodeRequest,
  encodeReply,
  encodeRequest,
  fitNameList,
  formatNameList,
  type Reply,
  type Request,
  utf8Length,
  V1_MAX_REPLY_BYTES,
} from "./mod.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("every request survives an encode/decode round trip", () => {
  const requests: Request[] = [
    { kind: "auth", user: "alice", password: "pa$$w0rd" },
    { kind: "TCP", host: "127.0.0.1", port: 40123 },
    { kind: "TCP", host: "::1", port: 1 },
    { kind: "HBT" },
    { kind: "lap" },
    { kind: "lpf" },
    { kind: "pub", file: "résumé.pdf" },
    { kind: "unp", file: "a" },
    { kind: "sch", text: "sum" },
    { kind: "get", file: "x".repeat(255) },
  ];
  for (const request of requests) {
    assert.deepEqual(decodeRequest(encodeRequest(request)), { ok: true, request });
  }
});

Deno.test("every reply survives an encode/decode round trip", () => {
  const cases: [Request["kind"], Reply][] = [
    ["auth", { kind: "ok" }],
    ["lap", { kind: "error" }],
    ["lap", { kind: "peers", list: { names: [], omitted: 0 } }],
    ["lap", { kind: "peers", list: { names: ["bob", "carol"], omitted: 0 } }],
    ["lpf", { kind: "publishedFiles", list: { names: [], omitted: 0 } }],
    ["lpf", { kind: "publishedFiles", list: { names: ["a,b"], omitted: 3 } }],
    ["sch", { kind: "found", list: { names: [], omitted: 0 } }],
    ["sch", { kind: "found", list: { names: [], omitted: 12 } }],
    ["pub", { kind: "published" }],
    ["unp", { kind: "unpublished" }],
    ["unp", { kind: "unpublishFailed" }],
    ["get", { kind: "holder", user: "bob", host: "127.0.0.1", port: 5555 }],
    ["get", { kind: "fileNotFound" }],
    ["get", { kind: "noActiveHolder" }],
  ];
  for (const [to, reply] of cases) {
    assert.deepEqual(decodeReply(to, encodeReply(reply)), { ok: true, reply });
  }
});

Deno.test("replies are the v1 texts byte for byte", () => {
  const text = (reply: Reply) => new TextDecoder().decode(encodeReply(reply));
  assert.equal(text({ kind: "peers", list: { names: [], omitted: 0 } }), "No active peers");
  assert.equal(
    text({ kind: "publishedFiles", list: { names: [], omitted: 0 } }),
    "No published files",
  );
  assert.equal(text({ kind: "found", list: { names: [], omitted: 0 } }), "No files found");
  assert.equal(text({ kind: "found", list: { names: ["a", "b"], omitted: 0 } }), "a, b");
  assert.equal(text({ kind: "published" }), "File published successfully");
  assert.equal(text({ kind: "unpublished" }), "File unpublished successfully");
  assert.equal(text({ kind: "unpublishFailed" }), "File unpublication failed");
  assert.equal(text({ kind: "fileNotFound" }), "File not found");
  assert.equal(text({ kind: "noActiveHolder" }), "No active peer has this file");
  assert.equal(text({ kind: "holder", user: "b", host: "10.0.0.2", port: 7 }), "b 10.0.0.2 7");
});

Deno.test("decoder refuses hostile and malformed datagrams without throwing", () => {
  const hostile: Uint8Array[] = [
    new Uint8Array(),
    new Uint8Array([0xff, 0xfe, 0xfd]),
    new Uint8Array([0xc3]),
    new Uint8Array(5000).fill(0x61),
    bytes("AUTH alice pw"),
    bytes("auth alice"),
    bytes("auth alice pw extra"),
    bytes("auth  alice pw"),
    bytes("lap "),
    bytes("lap x"),
    bytes("pub"),
    bytes("pub "),
    bytes("pub a b"),
    bytes("pub ."),
    bytes("pub .."),
    bytes("pub ./a"),
    bytes("pub /a"),
    bytes("pub a/"),
    bytes("pub a\\b"),
    bytes("pub a\u0085b"),
    bytes("pub a\u00a0b"),
    bytes("pub a\u2028b"),
    bytes("pub a\tb"),
    bytes("pub a\n"),
    bytes(`pub ${"x".repeat(256)}`),
    bytes("get \u0000"),
    bytes("TCP 127.0.0.1"),
    bytes("TCP localhost 80"),
    bytes("TCP 127.0.0.1 0"),
    bytes("TCP 127.0.0.1 65536"),
    bytes("TCP 127.0.0.1 +80"),
    bytes("TCP 256.0.0.1 80"),
    bytes("sch"),
    bytes("sch a b"),
    bytes("hello"),
  ];
  for (const datagram of hostile) {
    const decoded = decodeRequest(datagram);
    assert.equal(decoded.ok, false, new TextDecoder().decode(datagram));
  }
});

Deno.test("decoder keeps the command word of a malformed HBT or TCP for the no-reply rule", () => {
  const hbt = decodeRequest(bytes("HBT now"));
  const tcp = decodeRequest(bytes("TCP nowhere"));
  assert.ok(!hbt.ok && hbt.command === "HBT");
  assert.ok(!tcp.ok && tcp.command === "TCP");
});

Deno.test("random bytes never make the decoders throw", () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const kinds = ["auth", "lap", "lpf", "pub", "unp", "sch", "get"] as const;
  for (let i = 0; i < 5000; i++) {
    const datagram = new Uint8Array(Math.floor(random() * 64));
    for (let j = 0; j < datagram.length; j++) datagram[j] = Math.floor(random() * 256);
    if (i % 2 === 0) {
      datagram.set(bytes(kinds[i % kinds.length] + " ").subarray(0, datagram.length));
    }
    decodeRequest(datagram);
    decodeReply(kinds[i % kinds.length], datagram);
  }
});

Deno.test("a long list is cut before a name, ends with …and N more, and fits 1024 bytes", () => {
  const names = Array.from({ length: 200 }, (_, i) => `file-${String(i).padStart(3, "0")}.bin`);
  const list = fitNameList(names);
  const text = formatNameList(list);
  assert.ok(utf8Length(text) <= V1_MAX_REPLY_BYTES);
  assert.equal(list.names.length + list.omitted, 200);
  assert.ok(text.endsWith(`, \u2026and ${list.omitted} more`));
  assert.deepEqual(list.names, names.slice(0, list.names.length));
  // Greedy: one more name would not have fit.
  const oneMore = formatNameList({
    names: names.slice(0, list.names.length + 1),
    omitted: list.omitted - 1,
  });
  assert.ok(utf8Length(oneMore) > V1_MAX_REPLY_BYTES);
});

Deno.test("a list that fits exactly is not cut", () => {
  const name = "x".repeat(255);
  const names = [name, name, name, "y".repeat(1024 - 3 * 255 - 3 * 2)];
  assert.equal(utf8Length(names.join(", ")), 1024);
  assert.deepEqual(fitNameList(names), { names, omitted: 0 });
});
