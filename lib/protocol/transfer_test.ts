import assert from "node:assert/strict";
import {
  decodeTransferRequest,
  decodeTransferStatus,
  encodeTransferRequest,
  encodeTransferStatus,
  isV2TransferRequest,
  MAX_TRANSFER_STATUS_BYTES,
  type TransferRequestV2,
  type TransferStatus,
} from "./mod.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const digest = "0123456789abcdef".repeat(4);

Deno.test("v2 transfer requests survive an encode/decode round trip", () => {
  const requests: TransferRequestV2[] = [
    { file: "a.txt", offset: 0, sha256: digest },
    { file: "movie.mkv", offset: 5 * 2 ** 32, length: 1, sha256: digest },
    { file: "\u00e9".repeat(127) + "z", offset: 2 ** 53 - 1, length: 0, sha256: digest },
  ];
  for (const request of requests) {
    const decoded = decodeTransferRequest(encodeTransferRequest(request));
    assert.deepEqual(decoded, { ok: true, version: 2, request });
  }
});

Deno.test("a request without the PS2 prefix is v1, name checked by the file-name rule", () => {
  assert.deepEqual(decodeTransferRequest(bytes("a.txt\r\n")), {
    ok: true,
    version: 1,
    file: "a.txt",
  });
  assert.deepEqual(decodeTransferRequest(bytes("PS2")), { ok: true, version: 1, file: "PS2" });
  assert.equal(decodeTransferRequest(bytes("../etc/passwd")).ok, false);
  assert.equal(decodeTransferRequest(new Uint8Array([0x61, 0xff])).ok, false);
  assert.equal(isV2TransferRequest(bytes("PS2 ")), true);
  assert.equal(isV2TransferRequest(bytes("PS2x")), false);
});

Deno.test("malformed v2 requests are refused with a reason, never thrown", () => {
  const bad = [
    `PS2 GET a.txt 0 - ${digest}`, // no newline
    `PS2 GET a.txt 0 - ${digest}\nextra`,
    `PS2 PUT a.txt 0 - ${digest}\n`,
    `PS2 GET a.txt -1 - ${digest}\n`,
    `PS2 GET a.txt 01 - ${digest}\n`,
    `PS2 GET a.txt 0 x ${digest}\n`,
    `PS2 GET a.txt 0 - ${digest.toUpperCase()}\n`,
    `PS2 GET .. 0 - ${digest}\n`,
    `PS2 GET a.txt 9007199254740993 - ${digest}\n`,
    `PS2 GET a.txt  0 - ${digest}\n`,
    `PS2 GET ${"a".repeat(600)} 0 - ${digest}\n`,
  ];
  for (const request of bad) {
    const decoded = decodeTransferRequest(bytes(request));
    assert.equal(decoded.ok, false, request);
    assert.equal(decoded.version, 2);
  }
});

Deno.test("status lines survive a round trip; error messages become one short line", () => {
  const statuses: TransferStatus[] = [
    { ok: true, size: 0, sha256: digest },
    { ok: true, size: 2 ** 40, sha256: digest },
    { ok: false, code: "busy", message: "8 uploads in progress" },
    { ok: false, code: "changed", message: "" },
  ];
  for (const status of statuses) {
    assert.deepEqual(decodeTransferStatus(encodeTransferStatus(status)), { ok: true, status });
  }
  const long = encodeTransferStatus({ ok: false, code: "notfound", message: "x\ny\r".repeat(500) });
  assert.ok(long.length < MAX_TRANSFER_STATUS_BYTES);
  assert.equal(long.indexOf(0x0a), long.length - 1);
});

Deno.test("invalid status lines are refused", () => {
  for (
    const line of [
      "",
      "OK 5",
      "PS2 OK 5\n",
      `PS2 OK -5 ${digest}\n`,
      "PS2 ERR\n",
      "PS2 ERR teapot short and stout\n",
      "PS2 MAYBE\n",
    ]
  ) {
    assert.equal(decodeTransferStatus(bytes(line)).ok, false, line);
  }
});
