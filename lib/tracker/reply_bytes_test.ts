import assert from "node:assert/strict";
import { ReplyBytes, RING_BYTES } from "./reply_bytes.ts";

const decoder = new TextDecoder();

Deno.test("reply texts come back as their UTF-8 bytes, across the ring's wrap-around", () => {
  const replies = new ReplyBytes();
  const texts = ["OK", "File not found", "zoë, \u{1f600}, \u2026and 3 more", "x".repeat(1024)];
  let encoded = 0;
  for (let i = 0; encoded < 3 * RING_BYTES; i++) {
    const text = texts[i % texts.length];
    const bytes = replies.encode(text);
    assert.deepEqual(bytes, new TextEncoder().encode(text));
    encoded += bytes.length;
  }
});

Deno.test("a reply's bytes stay as they were while later replies fill the ring", () => {
  const replies = new ReplyBytes();
  const first = replies.encode("alice, bob, carol");
  for (let i = 0; i < 100; i++) replies.encode(`reply ${i} `.repeat(50));
  assert.equal(decoder.decode(first), "alice, bob, carol");
});

Deno.test("a text longer than a datagram still encodes whole", () => {
  const text = "é".repeat(5000);
  assert.equal(decoder.decode(new ReplyBytes().encode(text)), text);
});
