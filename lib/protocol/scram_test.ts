import assert from "node:assert/strict";
import {
  authMessage,
  clientProof,
  decodeBase64,
  deriveClientKeys,
  deriveClientKeysSync,
  deriveVerifier,
  encodeBase64,
  formatVerifier,
  isAcceptableIterations,
  newNonce,
  newSalt,
  parseVerifier,
  type ScramVerifier,
  secretSalt,
  serverSignature,
  verifyClientProof,
  verifyServerSignature,
} from "./scram.ts";
import {
  DEFAULT_SCRAM_ITERATIONS,
  MAX_SCRAM_ITERATIONS,
  MIN_SCRAM_ITERATIONS,
  SCRAM_NONCE_BYTES,
  SCRAM_SALT_BYTES,
} from "./limits.ts";

// RFC 7677 section 3.
const rfc = {
  user: "user",
  password: "pencil",
  clientNonce: "rOprNGfwEbeRWgbNEkqO",
  nonce: "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
  salt: decodeBase64("W22ZaJ0SNY7soEsUEjb6gQ==")!,
  iterations: 4096,
  authMessage:
    "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
    "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
  proof: "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  signature: "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

function rfcMessage(): string {
  return authMessage({
    user: rfc.user,
    clientNonce: rfc.clientNonce,
    nonce: rfc.nonce,
    salt: rfc.salt,
    iterations: rfc.iterations,
  });
}

Deno.test("authMessage reproduces RFC 7677's AuthMessage byte for byte", () => {
  assert.equal(rfcMessage(), rfc.authMessage);
});

Deno.test("the peer side reproduces RFC 7677's ClientProof and ServerSignature", async () => {
  const keys = await deriveClientKeys(rfc.password, rfc.salt, rfc.iterations);
  assert.equal(encodeBase64(clientProof(keys.clientKey, keys.storedKey, rfcMessage())), rfc.proof);
  assert.equal(encodeBase64(serverSignature(keys.serverKey, rfcMessage())), rfc.signature);
  assert.ok(verifyServerSignature(keys.serverKey, rfcMessage(), decodeBase64(rfc.signature)!));
});

Deno.test("a verifier accepts RFC 7677's ClientProof and signs like the RFC's server", async () => {
  const verifier = await deriveVerifier(rfc.password, rfc.salt, rfc.iterations);
  assert.ok(verifyClientProof(verifier, rfc.authMessage, decodeBase64(rfc.proof)!));
  assert.equal(encodeBase64(serverSignature(verifier.serverKey, rfc.authMessage)), rfc.signature);
});

Deno.test("the synchronous derivation gives the same keys as the asynchronous one", async () => {
  assert.deepEqual(
    deriveClientKeysSync(rfc.password, rfc.salt, rfc.iterations),
    await deriveClientKeys(rfc.password, rfc.salt, rfc.iterations),
  );
  const unicode = "pässwörd-日本";
  assert.deepEqual(
    deriveClientKeysSync(unicode, rfc.salt, rfc.iterations),
    await deriveClientKeys(unicode, rfc.salt, rfc.iterations),
  );
});

Deno.test("a proof made from a wrong password fails verification", async () => {
  const verifier = await deriveVerifier(rfc.password, rfc.salt, rfc.iterations);
  const wrong = await deriveClientKeys("pencil2", rfc.salt, rfc.iterations);
  const proof = clientProof(wrong.clientKey, wrong.storedKey, rfc.authMessage);
  assert.ok(!verifyClientProof(verifier, rfc.authMessage, proof));
});

Deno.test("a tampered, truncated or replayed-elsewhere proof fails verification", async () => {
  const verifier = await deriveVerifier(rfc.password, rfc.salt, rfc.iterations);
  const proof = decodeBase64(rfc.proof)!;
  for (let byte = 0; byte < proof.length; byte += 7) {
    const tampered = proof.slice();
    tampered[byte] ^= 1;
    assert.ok(!verifyClientProof(verifier, rfc.authMessage, tampered), `byte ${byte}`);
  }
  assert.ok(!verifyClientProof(verifier, rfc.authMessage, proof.slice(0, 31)));
  assert.ok(!verifyClientProof(verifier, rfc.authMessage, new Uint8Array(0)));
  assert.ok(!verifyClientProof(verifier, rfc.authMessage.replace("n=user", "n=usex"), proof));
  const signature = decodeBase64(rfc.signature)!;
  signature[0] ^= 0x80;
  assert.ok(!verifyServerSignature(verifier.serverKey, rfc.authMessage, signature));
});

Deno.test("a verifier survives a format/parse round trip in PostgreSQL's format", async () => {
  const verifier = await deriveVerifier(rfc.password, rfc.salt, rfc.iterations);
  const text = formatVerifier(verifier);
  assert.match(
    text,
    /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/]{43}=:[^:$]{44}$/,
  );
  assert.deepEqual(parseVerifier(text), verifier);
  const fresh = await deriveVerifier("x", newSalt(), MIN_SCRAM_ITERATIONS);
  assert.deepEqual(parseVerifier(formatVerifier(fresh)), fresh);
});

Deno.test("hostile or broken verifier strings give undefined without throwing", () => {
  const key = "A".repeat(43) + "=";
  const salt = "W22ZaJ0SNY7soEsUEjb6gQ==";
  const good = `SCRAM-SHA-256$4096:${salt}$${key}:${key}`;
  assert.ok(parseVerifier(good));
  const bad = [
    "",
    "SCRAM-SHA-256$",
    good.replace("SCRAM-SHA-256", "SCRAM-SHA-1"),
    good.replace("SCRAM-SHA-256", "scram-sha-256"),
    good.replace("4096", "4095"),
    good.replace("4096", "0"),
    good.replace("4096", "04096"),
    good.replace("4096", "-4096"),
    good.replace("4096", "4096.0"),
    good.replace("4096", "1e4"),
    good.replace("4096", String(MAX_SCRAM_ITERATIONS + 1)),
    good.replace("4096", "9".repeat(400)),
    good.replace(salt, ""),
    good.replace(salt, "W22ZaJ0SNY7soEsUEjb6gQ"),
    good.replace(salt, "W22ZaJ0SNY7soEsUEjb6gR=="),
    good.replace(salt, "W22ZaJ0S NY7soEsUEjb6gQ=="),
    good.replace(salt, "W22ZaJ0SNY7soEsUEjb6g_=="),
    `SCRAM-SHA-256$4096:${salt}$${key}:${"A".repeat(40)}==`,
    `SCRAM-SHA-256$4096:${salt}$${key}`,
    `SCRAM-SHA-256$4096:${salt}$${key}:${key}:${key}`,
    `SCRAM-SHA-256$4096:${salt}$${key}:${key}$`,
    `SCRAM-SHA-256$4096$${salt}$${key}:${key}`,
    `${good}\n`,
    ` ${good}`,
    "SCRAM-SHA-256$" + "$".repeat(100_000),
    "SCRAM-SHA-256$4096:" + "A".repeat(100_000) + "!",
  ];
  for (const text of bad) assert.equal(parseVerifier(text), undefined, text.slice(0, 120));
});

Deno.test("base64 decoding refuses anything but canonical padded base64", () => {
  assert.deepEqual(decodeBase64(""), new Uint8Array(0));
  assert.deepEqual(decodeBase64("AQID"), new Uint8Array([1, 2, 3]));
  assert.deepEqual(decodeBase64("/w=="), new Uint8Array([255]));
  for (
    const text of ["A", "AQ", "AQ=", "AQ===", "AQ==AQ==", "A===", "AR==", "-w==", "AQ ID", "é"]
  ) {
    assert.equal(decodeBase64(text), undefined, text);
  }
  const bytes = crypto.getRandomValues(new Uint8Array(100));
  for (let length = 0; length <= bytes.length; length++) {
    const slice = bytes.subarray(1, length);
    assert.deepEqual(decodeBase64(encodeBase64(slice)), slice.slice());
  }
});

Deno.test("iteration counts outside the accepted range are refused before any work", async () => {
  assert.equal(DEFAULT_SCRAM_ITERATIONS, 4096);
  assert.ok(isAcceptableIterations(MIN_SCRAM_ITERATIONS));
  assert.ok(isAcceptableIterations(MAX_SCRAM_ITERATIONS));
  for (
    const n of [0, -1, MIN_SCRAM_ITERATIONS - 1, MAX_SCRAM_ITERATIONS + 1, 4096.5, NaN, 2 ** 53]
  ) {
    assert.ok(!isAcceptableIterations(n), String(n));
    await assert.rejects(deriveClientKeys("pw", rfc.salt, n), RangeError);
    assert.throws(() => deriveClientKeysSync("pw", rfc.salt, n), RangeError);
  }
  await assert.rejects(deriveVerifier("pw", new Uint8Array(0), 4096), RangeError);
});

Deno.test("new salts and nonces have the documented sizes and differ", () => {
  assert.equal(newSalt().length, SCRAM_SALT_BYTES);
  const nonce = newNonce();
  assert.equal(decodeBase64(nonce)?.length, SCRAM_NONCE_BYTES);
  assert.notEqual(newNonce(), nonce);
  assert.notDeepEqual(newSalt(), newSalt());
});

Deno.test("a secret salt is stable per user and secret, and differs otherwise", () => {
  const secret = new Uint8Array(32).fill(7);
  const alice = secretSalt(secret, "alice");
  assert.equal(alice.length, SCRAM_SALT_BYTES);
  assert.deepEqual(secretSalt(secret, "alice"), alice);
  assert.notDeepEqual(secretSalt(secret, "bob"), alice);
  assert.notDeepEqual(secretSalt(new Uint8Array(32), "alice"), alice);
});

Deno.test("deriving a verifier does not block the event loop", async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    const started = performance.now();
    const verifier: ScramVerifier = await deriveVerifier("pw", newSalt(), MAX_SCRAM_ITERATIONS);
    const elapsed = performance.now() - started;
    assert.equal(verifier.iterations, MAX_SCRAM_ITERATIONS);
    // Only meaningful when the derivation took a while; then timers kept firing meanwhile.
    if (elapsed > 50) assert.ok(ticks > 5, `${ticks} ticks in ${elapsed.toFixed(0)} ms`);
  } finally {
    clearInterval(timer);
  }
});
