/**
 * Making and checking a peer's self-signed certificate, with `@peculiar/x509` over WebCrypto
 * (ECDSA P-256): no ASN.1 is built by hand here. The certificate names no address (a peer's
 * address changes); it is trusted by its SHA-256 fingerprint, which the tracker hands out, and its
 * one DNS name, {@linkcode CERTIFICATE_NAME}, is what TLS clients verify it against.
 *
 * @module
 */

// The library's dependency injection needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { encodeHex } from "../../protocol/mod.ts";

/** The name every peer certificate carries; never resolved, only checked by TLS. */
export const CERTIFICATE_NAME = "peer.peersync.invalid";

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;

x509.cryptoProvider.set(crypto);

/** A key pair and its certificate, both PEM. */
export interface IdentityPem {
  readonly keyPem: string;
  readonly certPem: string;
}

/** A new P-256 key pair and a self-signed certificate for it, valid for 100 years. */
export async function makeIdentity(now = new Date()): Promise<IdentityPem> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const serial = encodeHex(crypto.getRandomValues(new Uint8Array(16)));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    // A positive serial: the top bit clear.
    serialNumber: `7${serial.slice(1)}`,
    name: "CN=peersync peer",
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + 36_525 * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.SubjectAlternativeNameExtension([{ type: "dns", value: CERTIFICATE_NAME }]),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return { keyPem: pem("PRIVATE KEY", pkcs8), certPem: cert.toString("pem") + "\n" };
}

/** The SHA-256 of a certificate's DER bytes, 64 lowercase hex digits. */
export async function fingerprintOf(der: Uint8Array<ArrayBuffer>): Promise<string> {
  return encodeHex(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
}

/** Why a stored identity cannot be used. */
export type IdentityProblem = "key" | "certificate" | "mismatch";

/**
 * Checks that `keyPem` is a P-256 private key and `certPem` a certificate for its public key;
 * returns the certificate's fingerprint, or what is wrong.
 */
export async function checkIdentity(
  identity: IdentityPem,
): Promise<{ ok: true; fingerprint: string } | { ok: false; problem: IdentityProblem }> {
  let keyJwk: JsonWebKey;
  try {
    const key = await crypto.subtle.importKey(
      "pkcs8",
      x509.PemConverter.decodeFirst(identity.keyPem),
      ALGORITHM,
      true,
      ["sign"],
    );
    keyJwk = await crypto.subtle.exportKey("jwk", key);
  } catch {
    return { ok: false, problem: "key" };
  }
  let cert: x509.X509Certificate;
  let certJwk: JsonWebKey;
  try {
    cert = new x509.X509Certificate(identity.certPem);
    const publicKey = await cert.publicKey.export(ALGORITHM, ["verify"]);
    certJwk = await crypto.subtle.exportKey("jwk", publicKey);
  } catch {
    return { ok: false, problem: "certificate" };
  }
  if (certJwk.x !== keyJwk.x || certJwk.y !== keyJwk.y) return { ok: false, problem: "mismatch" };
  return { ok: true, fingerprint: await fingerprintOf(new Uint8Array(cert.rawData)) };
}

function pem(label: string, der: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...der));
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
