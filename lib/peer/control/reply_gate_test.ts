import assert from "node:assert/strict";
import { encodeV2Reply } from "../../protocol/mod.ts";
import { deriveSessionKeys, sealDatagram } from "../../protocol/sealed.ts";
import { classifyDatagram, decodeAnswer, normaliseIp, SealedSession } from "./reply_gate.ts";

const encoder = new TextEncoder();
const token = "0123456789abcdef0123456789abcdef";
const keys = deriveSessionKeys(new Uint8Array(32).fill(1), "n=alice,r=a,r=ab,s=AQ==,i=4096");
const tracker = { hostname: "127.0.0.1", port: 9000 };

function sealedReply(counter: number, text = "PS2 3 OK", key = keys.reply): Uint8Array {
  return sealDatagram({ key, direction: "reply", token, counter, plaintext: encoder.encode(text) });
}

Deno.test("only the tracker's exact address is heard, compared as normalised IPs", () => {
  const reply = encoder.encode("PS2 1 OK");
  const state = { trackerIp: normaliseIp("::1"), trackerPort: 9000 };
  assert.equal(
    classifyDatagram(reply, { hostname: "0:0:0:0:0:0:0:1", port: 9000 }, state).kind,
    "reply",
  );
  assert.equal(classifyDatagram(reply, { hostname: "::2", port: 9000 }, state).kind, "drop");
  assert.equal(classifyDatagram(reply, { hostname: "::1", port: 9001 }, state).kind, "drop");
  const v4 = { trackerIp: "127.0.0.1", trackerPort: 9000 };
  assert.equal(classifyDatagram(reply, { hostname: "127.0.0.2", port: 9000 }, v4).kind, "drop");
  assert.equal(classifyDatagram(encoder.encode("ERR"), tracker, v4).kind, "v1Error");
  assert.equal(classifyDatagram(encoder.encode("ERR"), { ...tracker, port: 1 }, v4).kind, "drop");
});

Deno.test("a sealed session opens its replies once and drops forged, replayed and clear ones", () => {
  const session = new SealedSession(token, keys);
  const state = { trackerIp: "127.0.0.1", trackerPort: 9000, sealed: session };
  const first = sealedReply(0);
  assert.deepEqual(classifyDatagram(first, tracker, state), {
    kind: "reply",
    id: 3,
    answer: { status: "OK" },
  });
  assert.equal(classifyDatagram(first, tracker, state).kind, "drop", "replayed");
  assert.equal(
    classifyDatagram(sealedReply(1, "PS2 3 OK", keys.request), tracker, state).kind,
    "drop",
  );
  const altered = sealedReply(2);
  altered[altered.length - 20] ^= 1;
  assert.equal(classifyDatagram(altered, tracker, state).kind, "drop", "altered");
  assert.equal(
    classifyDatagram(encodeV2Reply({ id: 3, body: { status: "OK" } }), tracker, state).kind,
    "drop",
  );
  assert.equal(classifyDatagram(encoder.encode("ERR"), tracker, state).kind, "drop");
  assert.equal(classifyDatagram(sealedReply(3), tracker, state).kind, "reply");
});

Deno.test("`PS2 * <own token> gone` is heard; another token's is not", () => {
  const session = new SealedSession(token, keys);
  const state = { trackerIp: "127.0.0.1", trackerPort: 9000, sealed: session };
  const gone = encoder.encode(`PS2 * ${token} gone`);
  assert.equal(gone.length, 43);
  assert.equal(classifyDatagram(gone, tracker, state).kind, "gone");
  const other = encoder.encode(`PS2 * ${"f".repeat(32)} gone`);
  assert.equal(classifyDatagram(other, tracker, state).kind, "drop");
  assert.equal(classifyDatagram(gone, { ...tracker, hostname: "127.0.0.2" }, state).kind, "drop");
});

Deno.test("every sealed request has a new counter", () => {
  const session = new SealedSession(token, keys);
  const a = session.seal(encoder.encode("PS2 1 x HBT"));
  const b = session.seal(encoder.encode("PS2 1 x HBT"));
  assert.notDeepEqual(a, b);
});

Deno.test("ERR with and without its trailing wait decodes", () => {
  assert.deepEqual(decodeAnswer(encoder.encode("PS2 7 ERR locked 30")), {
    id: 7,
    answer: { status: "ERR", code: "locked", waitSeconds: 30 },
  });
  assert.deepEqual(decodeAnswer(encoder.encode("PS2 7 ERR live")), {
    id: 7,
    answer: { status: "ERR", code: "live" },
  });
  assert.equal(decodeAnswer(encoder.encode("PS2 7 ERR live x")), undefined);
  assert.equal(decodeAnswer(encoder.encode("PS2 7 OK 5")), undefined);
});
