import assert from "node:assert/strict";
import { parseTransferRequest } from "./upload_server.ts";

const encoder = new TextEncoder();

Deno.test("a transfer request loses exactly one trailing LF or CRLF", () => {
  assert.equal(parseTransferRequest(encoder.encode("a.txt")), "a.txt");
  assert.equal(parseTransferRequest(encoder.encode("a.txt\n")), "a.txt");
  assert.equal(parseTransferRequest(encoder.encode("a.txt\r\n")), "a.txt");
  assert.equal(parseTransferRequest(encoder.encode("a.txt\n\n")), "a.txt\n");
  assert.equal(parseTransferRequest(encoder.encode("a.txt\r")), "a.txt\r");
});

Deno.test("a transfer request that is not UTF-8 or too long is refused", () => {
  assert.equal(parseTransferRequest(new Uint8Array([0x61, 0xc3])), undefined);
  assert.equal(parseTransferRequest(encoder.encode("x".repeat(258))), undefined);
});
