/**
 * TLS to a holder whose certificate is pinned by the SHA-256 fingerprint the tracker handed out.
 *
 * Deno's own TLS client (`Deno.startTls`) verifies a server only against CA certificates it is
 * given, and cannot be told a fingerprint. So the holder's certificate is first fetched once with
 * `node:tls` (verification off, nothing sent), its SHA-256 compared with the pin, and only a
 * certificate that matches becomes the one trust anchor of the real connection: rustls then makes
 * the holder prove it has that certificate's private key, before the request is sent. A matching
 * certificate is remembered for the process, so later connections to the same holder make one
 * handshake. Anyone can present someone's certificate; only its owner can finish the handshake.
 *
 * @module
 */

import * as tls from "node:tls";
import { errorText, formatSeconds } from "../../util/mod.ts";
import { CERTIFICATE_NAME, fingerprintOf } from "../identity/mod.ts";
import { FetchError } from "./errors.ts";
import { hostPort } from "./holders.ts";

/** Certificates (PEM) already checked against their fingerprint, by fingerprint. */
const checked = new Map<string, string>();
const MAX_CHECKED = 1024;

/**
 * The PEM certificate with `fingerprint` as presented at `host:port`.
 *
 * @throws {FetchError} `identity` when the holder presents another certificate, `connect` when
 * no TLS handshake completes within `timeoutMs`.
 */
export async function pinnedCertificate(
  host: string,
  port: number,
  fingerprint: string,
  timeoutMs: number,
): Promise<string> {
  const known = checked.get(fingerprint);
  if (known !== undefined) return known;
  const der = await presentedCertificate(host, port, timeoutMs);
  const presented = await fingerprintOf(der);
  if (presented !== fingerprint) {
    throw new FetchError(
      "identity",
      `presented certificate ${presented.slice(0, 16)}…, not ${fingerprint.slice(0, 16)}… ` +
        `registered with the tracker: refused (someone else may be answering at its address)`,
    );
  }
  const pem = toPem(der);
  if (checked.size >= MAX_CHECKED) checked.clear();
  checked.set(fingerprint, pem);
  return pem;
}

/**
 * Starts TLS on `conn` trusting only `certPem`, and completes the handshake within `timeoutMs`.
 *
 * @throws {FetchError} `identity` when the holder cannot prove it owns `certPem`.
 */
export async function startPinnedTls(
  conn: Deno.TcpConn,
  certPem: string,
  timeoutMs: number,
): Promise<Deno.TlsConn> {
  let secured: Deno.TlsConn | undefined;
  const timer = setTimeout(() => secured?.close(), timeoutMs);
  try {
    secured = await Deno.startTls(conn, { hostname: CERTIFICATE_NAME, caCerts: [certPem] });
    await secured.handshake();
    return secured;
  } catch (error) {
    try {
      secured?.close();
    } catch {
      // Closed by the timer already.
    }
    throw new FetchError(
      "identity",
      `failed the TLS handshake for its pinned certificate: ${errorText(error)}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

function presentedCertificate(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const where = hostPort(host, port);
    const socket = tls.connect({
      host,
      port,
      servername: CERTIFICATE_NAME,
      // Verified below by fingerprint, instead of by a CA.
      rejectUnauthorized: false,
    });
    const done = (outcome: () => void) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on("error", () => {});
      socket.destroy();
      outcome();
    };
    const timer = setTimeout(
      () =>
        done(() =>
          reject(
            new FetchError(
              "connect",
              `no TLS handshake with ${where} within ${formatSeconds(timeoutMs)}`,
            ),
          )
        ),
      timeoutMs,
    );
    socket.once("secureConnect", () => {
      const raw = socket.getPeerCertificate().raw;
      done(() =>
        raw
          ? resolve(new Uint8Array(raw))
          : reject(new FetchError("identity", `presented no certificate at ${where}`))
      );
    });
    socket.once(
      "error",
      (error: Error) =>
        done(() => reject(new FetchError("connect", `no TLS at ${where}: ${errorText(error)}`))),
    );
  });
}

function toPem(der: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...der));
  return `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)?.join("\n")}\n` +
    `-----END CERTIFICATE-----\n`;
}
