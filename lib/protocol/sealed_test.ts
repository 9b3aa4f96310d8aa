import assert from "node:assert/strict";
import {
  deriveSessionKeys,
  isSealedDatagram,
  MAX_SEALED_PLAINTEXT_BYTES,
  openDatagram,
  sealDatagram,
  sealedToken,
  SealingKey,
} from "./sealed.ts";
import { createCipheriv } from "node:crypto";
import { MAX_DATAGRAM_BYTES } from "./limits.ts";
import { encodeGoneNotice, goneNoticeToken } from "./gone_notice.ts";

const token = "00112233445566778899aabbccddeeff";
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);
const keys = deriveSessionKeys(
  new Uint8Array(32).fill(7),
  "n=alice,r=abc,r=abcdef,s=AQID,i=4096,c=biws,r=abcdef",
);

Deno.test("a sealed datagram opens to its plaintext and hides it on the wire", () => {
  const sealed = sealDatagram({
    key: keys.request,
    direction: "request",
    token,
    counter: 41,
    plaintext: bytes(`PS2 9 ${token} SCH secret-plan 0`),
  });
  assert.ok(isSealedDatagram(sealed));
  assert.equal(sealedToken(sealed), token);
  assert.ok(!text(sealed).includes("secret-plan"));
  const opened = openDatagram(sealed, (t) => t === token ? keys.request : undefined, "request");
  assert.ok(opened.ok);
  assert.equal(opened.counter, 41);
  assert.equal(text(opened.plaintext), `PS2 9 ${token} SCH secret-plan 0`);
});

Deno.test("every altered byte of a sealed datagram makes it a forgery", () => {
  const sealed = sealDatagram({
    key: keys.reply,
    direction: "reply",
    token,
    counter: 3,
    plaintext: bytes("PS2 4 OK"),
  });
  for (let i = 0; i < sealed.length; i++) {
    const altered = sealed.slice();
    altered[i] ^= 0x01;
    const opened = openDatagram(altered, () => keys.reply, "reply");
    assert.ok(!opened.ok, `byte ${i} altered was accepted`);
  }
});

Deno.test("a datagram sealed one way, or under another login's keys, does not open", () => {
  const sealed = sealDatagram({
    key: keys.request,
    direction: "request",
    token,
    counter: 0,
    plaintext: bytes("PS2 1 x HBT"),
  });
  assert.deepEqual(openDatagram(sealed, () => keys.request, "reply"), {
    ok: false,
    reason: "forged",
  });
  const other = deriveSessionKeys(new Uint8Array(32).fill(7), "n=alice,r=abc,r=abcdeg,c=biws");
  assert.deepEqual(openDatagram(sealed, () => other.request, "request"), {
    ok: false,
    reason: "forged",
  });
  assert.deepEqual(openDatagram(sealed, () => undefined, "request"), {
    ok: false,
    reason: "unknown-session",
  });
});

Deno.test("the two directions and the two keys of a session differ", () => {
  assert.notDeepEqual(keys.request, keys.reply);
  const again = deriveSessionKeys(
    new Uint8Array(32).fill(7),
    "n=alice,r=abc,r=abcdef,s=AQID,i=4096,c=biws,r=abcdef",
  );
  assert.deepEqual(again, keys);
});

Deno.test("hostile bytes never throw from openDatagram", () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  const prefix = bytes(`PS2 *${token}`);
  for (let i = 0; i < 2000; i++) {
    const length = random() * 5;
    const datagram = new Uint8Array(length);
    for (let j = 0; j < length; j++) datagram[j] = random();
    if (i % 2 === 0) datagram.set(prefix.subarray(0, Math.min(prefix.length, length)));
    const opened = openDatagram(datagram, () => keys.request, "request");
    assert.ok(!opened.ok);
  }
  assert.deepEqual(
    openDatagram(new Uint8Array(MAX_DATAGRAM_BYTES + 1), () => keys.request, "request"),
    {
      ok: false,
      reason: "malformed",
    },
  );
});

Deno.test("sealing refuses what would not fit one datagram", () => {
  const fits = sealDatagram({
    key: keys.reply,
    direction: "reply",
    token,
    counter: 1,
    plaintext: new Uint8Array(MAX_SEALED_PLAINTEXT_BYTES),
  });
  assert.equal(fits.length, MAX_DATAGRAM_BYTES);
  assert.throws(
    () =>
      sealDatagram({
        key: keys.reply,
        direction: "reply",
        token,
        counter: 1,
        plaintext: new Uint8Array(MAX_SEALED_PLAINTEXT_BYTES + 1),
      }),
    RangeError,
  );
});

Deno.test("the gone notice is 43 bytes, names its token, and is never read as sealed", () => {
  const notice = encodeGoneNotice(token);
  assert.equal(notice.length, 43);
  assert.equal(text(notice), `PS2 * ${token} gone`);
  assert.equal(goneNoticeToken(notice), token);
  assert.equal(sealedToken(notice), undefined);
  assert.equal(goneNoticeToken(bytes(`PS2 * ${token} gonE`)), undefined);
  assert.equal(goneNoticeToken(bytes(`PS2 * ${token.toUpperCase()} gone`)), undefined);
});

Deno.test("counters past 32 bits travel big-endian in the header and open to the same value", () => {
  for (const counter of [0, 255, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER]) {
    const sealed = sealDatagram({
      key: keys.reply,
      direction: "reply",
      token,
      counter,
      plaintext: bytes("PS2 1 OK"),
    });
    const field = new DataView(sealed.buffer, sealed.byteOffset + 5 + 32, 8);
    assert.equal(field.getBigUint64(0), BigInt(counter));
    const opened = openDatagram(sealed, () => keys.reply, "reply");
    assert.ok(opened.ok);
    assert.equal(opened.counter, counter);
  }
});

Deno.test("a header whose token is not 32 lowercase hex digits has no token", () => {
  const sealed = sealDatagram({
    key: keys.request,
    direction: "request",
    token,
    counter: 1,
    plaintext: bytes("PS2 1 x HBT"),
  });
  for (const bad of ["G", "A", " ", "\u00ff"]) {
    const altered = sealed.slice();
    altered[5 + 31] = bad.charCodeAt(0);
    assert.equal(sealedToken(altered), undefined);
    assert.deepEqual(openDatagram(altered, () => keys.request, "request"), {
      ok: false,
      reason: "malformed",
    });
  }
});

Deno.test("a SealingKey seals exactly the layout of the spec, built here by hand", () => {
  const plaintext = bytes("PS2 7 OK");
  const counter = 2 ** 33 + 9;
  const header = new Uint8Array(45);
  header.set(bytes(`PS2 *${token}`));
  new DataView(header.buffer).setBigUint64(37, BigInt(counter));
  const nonce = new Uint8Array(12);
  nonce.set(bytes("PS2R"));
  nonce.set(header.subarray(37), 4);
  const cipher = createCipheriv("aes-256-gcm", keys.reply, nonce, { authTagLength: 16 });
  cipher.setAAD(header);
  const body = cipher.update(plaintext);
  cipher.final();
  const expected = new Uint8Array([...header, ...body, ...cipher.getAuthTag()]);
  const sealer = new SealingKey(keys.reply, "reply", token);
  assert.deepEqual(sealer.seal(counter, plaintext), expected);
});

Deno.test("a SealingKey reused for many datagrams leaves each one as it was sealed", () => {
  const sealer = new SealingKey(keys.request, "request", token);
  const first = sealer.seal(5, bytes("PS2 1 x HBT"));
  const kept = first.slice();
  const second = sealer.seal(6, bytes("PS2 2 x HBT"));
  assert.deepEqual(first, kept);
  const opener = new SealingKey(keys.request, "request", token);
  for (
    const [datagram, counter, text_] of [[second, 6, "PS2 2 x HBT"], [
      first,
      5,
      "PS2 1 x HBT",
    ]] as const
  ) {
    const opened = opener.open(datagram);
    assert.ok(opened.ok);
    assert.equal(opened.counter, counter);
    assert.equal(opened.token, token);
    assert.equal(text(opened.plaintext), text_);
  }
});

Deno.test("a SealingKey opens only its own token, direction and key, and never throws", () => {
  const other = "ffeeddccbbaa99887766554433221100";
  const sealed = sealDatagram({
    key: keys.request,
    direction: "request",
    token: other,
    counter: 1,
    plaintext: bytes("PS2 1 x HBT"),
  });
  const opener = new SealingKey(keys.request, "request", token);
  assert.deepEqual(opener.open(sealed), { ok: false, reason: "unknown-session" });
  const own = new SealingKey(keys.request, "request", token).seal(1, bytes("PS2 1 x HBT"));
  assert.deepEqual(new SealingKey(keys.request, "reply", token).open(own), {
    ok: false,
    reason: "forged",
  });
  assert.deepEqual(new SealingKey(keys.reply, "request", token).open(own), {
    ok: false,
    reason: "forged",
  });
  for (let i = 0; i < own.length; i++) {
    const altered = own.slice();
    altered[i] ^= 0x20;
    assert.ok(!opener.open(altered).ok, `byte ${i} altered was accepted`);
  }
  for (const length of [0, 5, 60, 1201]) {
    assert.deepEqual(opener.open(new Uint8Array(length)), { ok: false, reason: "malformed" });
  }
  const badToken = own.slice();
  badToken[6] = "G".charCodeAt(0);
  assert.deepEqual(opener.open(badToken), { ok: false, reason: "malformed" });
  assert.throws(() => new SealingKey(keys.request, "request", "short"), RangeError);
  assert.throws(() => new SealingKey(new Uint8Array(16), "request", token), RangeError);
  assert.throws(() => opener.seal(-1, bytes("x")), RangeError);
});
