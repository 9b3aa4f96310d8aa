import assert from "node:assert/strict";
import {
  decodeTransferRequest,
  decodeV2Reply,
  decodeV2Request,
  decodeWireName,
  encodeTransferRequest,
  encodeV2Reply,
  encodeV2Request,
  encodeWireName,
  fileNameProblem,
  readWireName,
  v2FileNameProblem,
  type V2Reply,
  type V2Request,
} from "./mod.ts";

const token = "0123456789abcdef0123456789abcdef";
const digest = "b".repeat(64);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (line: string) => new TextEncoder().encode(line);

Deno.test("a name valid before spaces were allowed encodes to itself", () => {
  for (const name of ["notes.txt", "100%.txt", "a%20b", "résumé.txt", "a,b;c:d", "_"]) {
    assert.equal(fileNameProblem(name), undefined);
    assert.equal(encodeWireName(name), name);
    assert.equal(decodeWireName(encodeWireName(name)), name);
  }
});

Deno.test("names with spaces round-trip through their wire form, which holds no space", () => {
  for (const name of ["my report.pdf", " lead", "trail ", "a  b", " ", "100% done.txt"]) {
    assert.equal(v2FileNameProblem(name), undefined);
    const wire = encodeWireName(name);
    assert.ok(!wire.includes(" "));
    assert.equal(readWireName(wire), name);
  }
});

Deno.test("the v2 rule allows U+0020 only: other whitespace, controls and bidi stay refused", () => {
  assert.equal(v2FileNameProblem("a\tb"), "whitespace or control character");
  assert.equal(v2FileNameProblem("a\u00a0b"), "whitespace or control character");
  assert.equal(v2FileNameProblem("a\u2028b"), "whitespace or control character");
  assert.equal(v2FileNameProblem("a\u202eb c"), "bidi override or isolate");
  assert.equal(v2FileNameProblem(". ."), undefined);
  assert.equal(v2FileNameProblem(".."), "dot name");
  assert.equal(v2FileNameProblem("x".repeat(255)), undefined);
  assert.equal(v2FileNameProblem(" ".repeat(256)), "too long");
  assert.equal(readWireName(""), undefined);
  assert.equal(readWireName("a/b"), undefined);
  assert.equal(readWireName("../a"), undefined);
});

Deno.test("PUB, UNP, GET and FIND carry names with spaces in wire form", () => {
  const requests: V2Request[] = [
    { id: 1, token, body: { verb: "PUB", file: "my report.pdf", size: 5, sha256: digest } },
    { id: 2, token, body: { verb: "UNP", file: "my report.pdf" } },
    { id: 3, token, body: { verb: "GET", file: "my report.pdf", offset: 0 } },
    { id: 4, token, body: { verb: "FIND", mode: "fold", text: "my rep", offset: 0 } },
    { id: 5, token, body: { verb: "FIND", mode: "exact", text: "Rep", offset: 7 } },
    { id: 6, token, body: { verb: "OWN", offset: 3 } },
  ];
  for (const request of requests) {
    const encoded = encodeV2Request(request);
    const decoded = decodeV2Request(encoded);
    assert.ok(decoded.ok, text(encoded));
    assert.deepEqual(decoded.request, request);
  }
  assert.equal(
    text(encodeV2Request(requests[0])),
    `PS2 1 ${token} PUB my\\report.pdf 5 ${digest}`,
  );
  assert.equal(text(encodeV2Request(requests[3])), `PS2 4 ${token} FIND i my\\rep 0`);
  // Today's names are sent byte for byte as before.
  assert.equal(
    text(encodeV2Request({ id: 9, token, body: { verb: "UNP", file: "100%.txt" } })),
    `PS2 9 ${token} UNP 100%.txt`,
  );
});

Deno.test("FIND refuses an unknown mode, a missing offset and a bad name field", () => {
  for (
    const line of [
      `PS2 1 ${token} FIND x abc 0`,
      `PS2 1 ${token} FIND i abc`,
      `PS2 1 ${token} FIND i a\tb 0`,
      `PS2 1 ${token} PUB a/b 1 ${digest}`,
      `PS2 1 ${token} GET .. 0`,
      `PS2 1 ${token} OWN`,
    ]
  ) {
    assert.equal(decodeV2Request(bytes(line)).ok, false, line);
  }
});

Deno.test("FOUND round-trips names with spaces, commas, colons and several versions", () => {
  const reply: V2Reply = {
    id: 7,
    body: {
      status: "FOUND",
      total: 3,
      offset: 0,
      found: [
        {
          name: "my report.pdf",
          versions: [
            { size: 1258291, digestPrefix: "0123456789abcdef", holders: 3 },
            { size: 10, digestPrefix: "fedcba9876543210", holders: 1 },
          ],
        },
        { name: "a:b,c;d.txt", versions: [{ holders: 2 }] },
      ],
    },
  };
  const encoded = encodeV2Reply(reply);
  assert.equal(
    text(encoded),
    "PS2 7 FOUND 3 0 1258291,0123456789abcdef,3;10,fedcba9876543210,1:my\\report.pdf " +
      "-,-,2:a:b,c;d.txt",
  );
  const decoded = decodeV2Reply(encoded);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.reply, reply);
});

Deno.test("a malformed FOUND entry is refused, never thrown on", () => {
  for (
    const entry of [
      "1,abc,1:a",
      "1,0123456789abcdef:a",
      ":a",
      "1,0123456789abcdef,1:..",
      "x,0123456789abcdef,1:a",
      "1,0123456789abcdef,1,9:a",
    ]
  ) {
    assert.equal(decodeV2Reply(bytes(`PS2 1 FOUND 1 0 ${entry}`)).ok, false, entry);
  }
});

Deno.test("the v2 data-channel request carries a name with spaces; v1 refuses one", () => {
  const line = encodeTransferRequest({ file: "my report.pdf", offset: 0, sha256: digest });
  assert.equal(text(line), `PS2 GET my\\report.pdf 0 - ${digest}\n`);
  const decoded = decodeTransferRequest(line);
  assert.ok(decoded.ok && decoded.version === 2);
  assert.equal(decoded.request.file, "my report.pdf");
  const v1 = decodeTransferRequest(bytes("my report.pdf"));
  assert.equal(v1.ok, false);
});
