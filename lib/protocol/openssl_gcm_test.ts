import assert from "node:assert/strict";
import { loadOpensslGcm, MAX_GCM_INPUT_BYTES, type OpensslGcm } from "./openssl_gcm.ts";
import { nodeGcm } from "./gcm.ts";
import { chooseGcm } from "./gcm_backend.ts";
import {
  deriveSessionKeys,
  MAX_SEALED_PLAINTEXT_BYTES,
  openDatagram,
  sealDatagram,
  SealingKey,
} from "./sealed.ts";
import { ReplayWindow } from "./replay_window.ts";

// These tests run the OpenSSL path itself; where libcrypto.so.3 cannot be loaded (outside CI) they
// are skipped and their names say so. In CI (CI=true) the library is installed, so they never skip.
const probe = loadOpensslGcm();
if (probe.ok) probe.gcm.close();
const skip = !probe.ok && Deno.env.get("CI") !== "true";
const suffix = skip ? " (skipped: libcrypto.so.3 not loadable here)" : "";

function ffiTest(name: string, body: (gcm: OpensslGcm) => void): void {
  Deno.test({
    name: name + suffix,
    ignore: skip,
    fn: () => {
      const load = loadOpensslGcm();
      if (!load.ok) throw new Error(`OpenSSL not loadable: ${JSON.stringify(load.why)}`);
      try {
        body(load.gcm);
      } finally {
        load.gcm.close();
      }
    },
  });
}

const token = "00112233445566778899aabbccddeeff";
const keys = deriveSessionKeys(new Uint8Array(32).fill(9), "n=bob,r=x,r=xy,s=AQID,i=4096,c=biws");
let seed = 20261201;
const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >>> 7;
const randomBytes = (length: number) => {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = random() & 0xff;
  return bytes;
};

ffiTest("OpenSSL through FFI seals byte for byte as node:crypto, sizes 0 to 1200", (ffi) => {
  const sizes = [0, 1, 15, 16, 17, MAX_SEALED_PLAINTEXT_BYTES];
  for (let i = 0; i < 200; i++) sizes.push(random() % (MAX_SEALED_PLAINTEXT_BYTES + 1));
  const viaFfi = new SealingKey(keys.reply, "reply", token, ffi);
  const viaNode = new SealingKey(keys.reply, "reply", token, nodeGcm);
  for (const [counter, size] of sizes.entries()) {
    const plaintext = randomBytes(size);
    const sealed = viaFfi.seal(counter, plaintext);
    assert.deepEqual(sealed, viaNode.seal(counter, plaintext), `size ${size}`);
    assert.ok(sealed.length <= 1200);
    // Each opens what the other sealed.
    const byNode = viaNode.open(sealed);
    assert.ok(byNode.ok && byNode.counter === counter, `node opens FFI's, size ${size}`);
    assert.deepEqual(byNode.plaintext, plaintext);
    const byFfi = viaFfi.open(viaNode.seal(counter, plaintext));
    assert.ok(byFfi.ok && byFfi.counter === counter, `FFI opens node's, size ${size}`);
    assert.deepEqual(byFfi.plaintext, plaintext);
  }
});

ffiTest("OpenSSL through FFI refuses every altered byte and every cut or grown datagram", (ffi) => {
  const key = new SealingKey(keys.request, "request", token, ffi);
  for (const size of [0, 40, 300]) {
    const sealed = sealDatagram({
      key: keys.request,
      direction: "request",
      token,
      counter: 77,
      plaintext: randomBytes(size),
      gcm: nodeGcm,
    });
    assert.ok(key.open(sealed).ok);
    for (let i = 0; i < sealed.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const altered = sealed.slice();
        altered[i] ^= flip;
        assert.ok(!key.open(altered).ok, `byte ${i} ^ ${flip} of ${size} accepted`);
        assert.ok(!openDatagram(altered, () => keys.request, "request", ffi).ok);
      }
    }
    for (let cut = 1; cut <= 17; cut++) {
      assert.ok(!key.open(sealed.subarray(0, sealed.length - cut)).ok, `cut ${cut}`);
    }
    const grown = new Uint8Array(sealed.length + 1);
    grown.set(sealed);
    assert.ok(!key.open(grown).ok);
  }
});

ffiTest("OpenSSL through FFI opens only its direction and key; replays still stop", (ffi) => {
  const sealed = sealDatagram({
    key: keys.request,
    direction: "request",
    token,
    counter: 5,
    plaintext: new TextEncoder().encode("PS2 1 x HBT"),
    gcm: ffi,
  });
  assert.deepEqual(openDatagram(sealed, () => keys.request, "reply", ffi), {
    ok: false,
    reason: "forged",
  });
  assert.deepEqual(openDatagram(sealed, () => keys.reply, "request", ffi), {
    ok: false,
    reason: "forged",
  });
  const window = new ReplayWindow();
  const opened = openDatagram(sealed, () => keys.request, "request", ffi);
  assert.ok(opened.ok);
  assert.ok(window.accept(opened.counter));
  const again = openDatagram(sealed, () => keys.request, "request", ffi);
  assert.ok(again.ok);
  assert.ok(!window.accept(again.counter), "a replayed counter was accepted");
});

ffiTest("an opened plaintext is the caller's own copy, not the FFI scratch buffer", (ffi) => {
  const key = new SealingKey(keys.reply, "reply", token, ffi);
  const first = key.open(key.seal(0, new TextEncoder().encode("first reply")));
  const second = key.open(key.seal(1, new TextEncoder().encode("second, longer reply")));
  assert.ok(first.ok && second.ok);
  assert.equal(new TextDecoder().decode(first.plaintext), "first reply");
  // A forgery after a good open leaves what was returned untouched.
  const forged = key.seal(2, new TextEncoder().encode("third"));
  forged[forged.length - 1] ^= 1;
  assert.ok(!key.open(forged).ok);
  assert.equal(new TextDecoder().decode(second.plaintext), "second, longer reply");
});

ffiTest("OpenSSL GCM checks every length before a native call", (ffi) => {
  const key = new Uint8Array(32);
  const nonce = new Uint8Array(12);
  const none = new Uint8Array(0);
  const tag = new Uint8Array(16);
  assert.throws(() => ffi.seal(new Uint8Array(31), nonce, none, none), RangeError);
  assert.throws(() => ffi.seal(key, new Uint8Array(16), none, none), RangeError);
  assert.throws(
    () => ffi.seal(key, nonce, none, new Uint8Array(MAX_GCM_INPUT_BYTES + 1)),
    RangeError,
  );
  assert.throws(
    () => ffi.seal(key, nonce, new Uint8Array(MAX_GCM_INPUT_BYTES + 1), none),
    RangeError,
  );
  const sealed = ffi.seal(key, nonce, none, new Uint8Array(8));
  assert.ok(ffi.open(key, nonce, none, sealed.subarray(0, 8), sealed.subarray(8)));
  assert.equal(
    ffi.open(key, nonce, none, sealed.subarray(0, 8), sealed.subarray(8, 20)),
    undefined,
  );
  assert.equal(ffi.open(new Uint8Array(16), nonce, none, sealed.subarray(0, 8), tag), undefined);
  assert.equal(ffi.open(key, new Uint8Array(8), none, sealed.subarray(0, 8), tag), undefined);
  const huge = new Uint8Array(MAX_GCM_INPUT_BYTES + 1);
  assert.equal(ffi.open(key, nonce, none, huge, tag), undefined);
  assert.equal(ffi.open(key, nonce, huge, none, tag), undefined);
});

ffiTest("a closed OpenSSL GCM refuses to seal and opens nothing", (ffi) => {
  const key = new Uint8Array(32);
  const nonce = new Uint8Array(12);
  const none = new Uint8Array(0);
  const sealed = ffi.seal(key, nonce, none, none);
  ffi.close();
  assert.throws(() => ffi.seal(key, nonce, none, none));
  assert.equal(ffi.open(key, nonce, none, none, sealed), undefined);
});

Deno.test("sealing falls back to node:crypto when asked, or when no path is granted", () => {
  assert.equal(chooseGcm("node").gcm.name, "node-crypto");
  const missing = loadOpensslGcm(["/nonexistent/libcrypto.so.3"]);
  assert.ok(!missing.ok);
  assert.equal(missing.why.kind, "not-loadable");
  assert.deepEqual(loadOpensslGcm([]), {
    ok: false,
    why: { kind: "not-loadable", detail: "no path to try" },
  });
});

ffiTest("hostile bytes never throw from the OpenSSL path", (ffi) => {
  const key = new SealingKey(keys.request, "request", token, ffi);
  const header = new TextEncoder().encode(`PS2 *${token}`);
  for (let i = 0; i < 2000; i++) {
    const datagram = randomBytes(random() % 1300);
    if (i % 2 === 0) datagram.set(header.subarray(0, Math.min(header.length, datagram.length)));
    assert.ok(!key.open(datagram).ok);
    assert.ok(!openDatagram(datagram, () => keys.request, "request", ffi).ok);
  }
});

ffiTest(
  "a seal with room left at the front is the same ciphertext and tag after that room",
  (ffi) => {
    const key = randomBytes(32);
    const nonce = randomBytes(12);
    const aad = randomBytes(40);
    for (const size of [0, 1, 33, 1000]) {
      const plaintext = randomBytes(size);
      const plain = ffi.seal(key, nonce, aad, plaintext);
      assert.deepEqual(plain, nodeGcm.seal(key, nonce, aad, plaintext));
      for (const gcm of [ffi, nodeGcm]) {
        const roomy = gcm.seal(key, nonce, aad, plaintext, 40);
        assert.equal(roomy.length, 40 + size + 16, gcm.name);
        assert.deepEqual(roomy.subarray(0, 40), new Uint8Array(40), `${gcm.name}: front is zero`);
        assert.deepEqual(roomy.subarray(40), plain, `${gcm.name}, size ${size}`);
      }
    }
    for (const gcm of [ffi, nodeGcm]) {
      assert.throws(() => gcm.seal(key, nonce, aad, new Uint8Array(1), -1), RangeError);
    }
    assert.throws(() => ffi.seal(key, nonce, aad, new Uint8Array(1), 1201), RangeError);
  },
);
