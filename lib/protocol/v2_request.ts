/**
 * PeerSync version 2 requests (see docs/protocol.md): what a peer asks the tracker, typed, with one
 * `encode`/`decode` pair. The decoder never throws on hostile input.
 *
 * @module
 */

import { isIpLiteral, parsePort } from "./address.ts";
import { isValidField } from "./file_name.ts";
import {
  MAX_DATAGRAM_BYTES,
  MAX_USER_NAME_BYTES,
  V2_MIN_HANDSHAKE_BYTES,
  V2_PREFIX,
} from "./limits.ts";
import { isSha256Hex, parseDecimal, utf8Length } from "./text.ts";
import { isBase64, isNonce, isToken, readV2Head, type V2DecodeFailure } from "./v2_fields.ts";
import { decodeWireName, encodeWireName, readWireName } from "./wire_name.ts";

const encoder = new TextEncoder();
const PADDING = /^_+$/;

/** A TLS data port and the SHA-256 of the certificate it presents (64 lowercase hex digits). */
export interface TlsEndpoint {
  readonly port: number;
  readonly fingerprint: string;
}

/** What a v2 request asks for. */
export type V2RequestBody =
  | { readonly verb: "LOGIN"; readonly user: string; readonly clientNonce: string }
  | { readonly verb: "PROOF"; readonly nonce: string; readonly proof: string }
  | {
    readonly verb: "TCP";
    readonly host: string;
    readonly port: number;
    /** Where the peer serves v2 downloads over TLS, and its certificate's fingerprint. */
    readonly tls?: TlsEndpoint;
  }
  | { readonly verb: "HBT" }
  | { readonly verb: "BYE" }
  | { readonly verb: "LAP"; readonly offset: number }
  | { readonly verb: "LPF"; readonly offset: number }
  | { readonly verb: "SCH"; readonly text: string; readonly offset: number }
  | { readonly verb: "PUB"; readonly file: string; readonly size: number; readonly sha256: string }
  | { readonly verb: "UNP"; readonly file: string }
  | { readonly verb: "GET"; readonly file: string; readonly offset: number }
  /** A search that answers with versions and holder counts (`FOUND`); names may hold spaces. */
  | {
    readonly verb: "FIND";
    readonly mode: SearchMode;
    readonly text: string;
    readonly offset: number;
  }
  /** The asker's publications, names with spaces included (`LIST`, names in wire form). */
  | { readonly verb: "OWN"; readonly offset: number };

/**
 * How `FIND` matches: `fold` (wire `i`) compares NFC case-folded text, `exact` (wire `e`) code
 * units, as `SCH` does.
 */
export type SearchMode = "fold" | "exact";

/** The verbs of v2. */
export type V2Verb = V2RequestBody["verb"];

/** A v2 request: id echoed by the reply, token (absent before login) and body. */
export interface V2Request {
  readonly id: number;
  readonly token?: string;
  readonly body: V2RequestBody;
}

/** The result of decoding a v2 request. */
export type DecodedV2Request = { readonly ok: true; readonly request: V2Request } | V2DecodeFailure;

/**
 * Decodes one v2 request datagram. Never throws.
 *
 * @example
 * ```ts
 * import { decodeV2Request } from "./v2_request.ts";
 * const decoded = decodeV2Request(
 *   new TextEncoder().encode("PS2 7 0123456789abcdef0123456789abcdef LAP 0"),
 * );
 * console.assert(decoded.ok && decoded.request.body.verb === "LAP");
 * ```
 */
export function decodeV2Request(datagram: Uint8Array): DecodedV2Request {
  const head = readV2Head(datagram, 4, "request");
  if (!head.ok) return head;
  const { fields, id } = head;
  const tokenField = fields[2];
  if (tokenField !== "-" && !isToken(tokenField)) return { ok: false, id, reason: "invalid token" };
  const token = tokenField === "-" ? undefined : tokenField;
  let args = fields.slice(4);
  const fail = (reason: string): V2DecodeFailure => ({ ok: false, id, reason });
  const body = (value: V2RequestBody): DecodedV2Request => ({
    ok: true,
    request: token === undefined ? { id, body: value } : { id, token, body: value },
  });
  const verb = fields[3];
  if (verb === "LOGIN" || verb === "PROOF") {
    if (token !== undefined) return fail(`${verb} takes no token`);
    if (datagram.length < V2_MIN_HANDSHAKE_BYTES) return fail(`${verb} not padded`);
    if (args.length > 0 && PADDING.test(args[args.length - 1])) args = args.slice(0, -1);
  } else if (token === undefined) {
    return fail("token required");
  }
  const offsetAt = (index: number) => parseDecimal(args[index] ?? "");
  switch (verb) {
    case "LOGIN": {
      const [user, clientNonce] = args;
      if (args.length !== 2 || !isValidField(user, MAX_USER_NAME_BYTES) || !isNonce(clientNonce)) {
        return fail("LOGIN takes a user and a nonce");
      }
      return body({ verb, user, clientNonce });
    }
    case "PROOF": {
      const [nonce, proof] = args;
      if (args.length !== 2 || !isNonce(nonce) || !isBase64(proof, 64)) {
        return fail("PROOF takes a nonce and a proof");
      }
      return body({ verb, nonce, proof });
    }
    case "TCP": {
      const port = parsePort(args[1] ?? "");
      if ((args.length !== 2 && args.length !== 4) || !isIpLiteral(args[0]) || port === undefined) {
        return fail("TCP takes an address and a port, then a TLS port and fingerprint");
      }
      if (args.length === 2) return body({ verb, host: args[0], port });
      const tlsPort = parsePort(args[2]);
      if (tlsPort === undefined || !isSha256Hex(args[3])) {
        return fail("TCP takes an address and a port, then a TLS port and fingerprint");
      }
      return body({ verb, host: args[0], port, tls: { port: tlsPort, fingerprint: args[3] } });
    }
    case "HBT":
    case "BYE":
      return args.length === 0 ? body({ verb }) : fail(`${verb} takes no argument`);
    case "LAP":
    case "LPF": {
      const offset = offsetAt(0);
      return args.length === 1 && offset !== undefined
        ? body({ verb, offset })
        : fail(`${verb} takes an offset`);
    }
    case "SCH": {
      const offset = offsetAt(1);
      return args.length === 2 && isValidField(args[0], MAX_DATAGRAM_BYTES) && offset !== undefined
        ? body({ verb, text: args[0], offset })
        : fail("SCH takes a text and an offset");
    }
    case "PUB": {
      const size = offsetAt(1);
      if (args.length !== 3 || size === undefined || !isSha256Hex(args[2])) {
        return fail("PUB takes a file, a size and a SHA-256");
      }
      const file = readWireName(args[0]);
      if (file === undefined) return fail("invalid file name");
      return body({ verb, file, size, sha256: args[2] });
    }
    case "UNP": {
      const file = args.length === 1 ? readWireName(args[0]) : undefined;
      return file === undefined ? fail("UNP takes a file name") : body({ verb, file });
    }
    case "GET": {
      const offset = offsetAt(1);
      const file = args.length === 2 ? readWireName(args[0]) : undefined;
      if (file === undefined || offset === undefined) {
        return fail("GET takes a file name and an offset");
      }
      return body({ verb, file, offset });
    }
    case "FIND": {
      const offset = offsetAt(2);
      const mode = args[0] === "i" ? "fold" : args[0] === "e" ? "exact" : undefined;
      if (
        args.length !== 3 || mode === undefined || offset === undefined ||
        !isValidField(args[1], MAX_DATAGRAM_BYTES)
      ) {
        return fail("FIND takes a mode, a text and an offset");
      }
      return body({ verb, mode, text: decodeWireName(args[1]), offset });
    }
    case "OWN": {
      const offset = offsetAt(0);
      return args.length === 1 && offset !== undefined
        ? body({ verb, offset })
        : fail("OWN takes an offset");
    }
    default:
      return fail("unknown verb");
  }
}

function requestBodyText(body: V2RequestBody): string {
  switch (body.verb) {
    case "LOGIN":
      return `LOGIN ${body.user} ${body.clientNonce}`;
    case "PROOF":
      return `PROOF ${body.nonce} ${body.proof}`;
    case "TCP":
      return body.tls
        ? `TCP ${body.host} ${body.port} ${body.tls.port} ${body.tls.fingerprint}`
        : `TCP ${body.host} ${body.port}`;
    case "HBT":
    case "BYE":
      return body.verb;
    case "LAP":
    case "LPF":
      return `${body.verb} ${body.offset}`;
    case "SCH":
      return `SCH ${body.text} ${body.offset}`;
    case "PUB":
      return `PUB ${encodeWireName(body.file)} ${body.size} ${body.sha256}`;
    case "UNP":
      return `UNP ${encodeWireName(body.file)}`;
    case "GET":
      return `GET ${encodeWireName(body.file)} ${body.offset}`;
    case "FIND":
      return `FIND ${body.mode === "fold" ? "i" : "e"} ${encodeWireName(body.text)} ${body.offset}`;
    case "OWN":
      return `OWN ${body.offset}`;
  }
}

/**
 * Encodes a v2 request, padding `LOGIN` and `PROOF` to the handshake minimum.
 *
 * @example
 * ```ts
 * import { encodeV2Request } from "./v2_request.ts";
 * const bytes = encodeV2Request({ id: 1, body: { verb: "LOGIN", user: "alice", clientNonce: "abc" } });
 * console.assert(bytes.length >= 256);
 * ```
 */
export function encodeV2Request(request: V2Request): Uint8Array {
  let text = `${V2_PREFIX}${request.id} ${request.token ?? "-"} ${requestBodyText(request.body)}`;
  if (request.body.verb === "LOGIN" || request.body.verb === "PROOF") {
    const missing = V2_MIN_HANDSHAKE_BYTES - utf8Length(text) - 1;
    text += ` ${"_".repeat(Math.max(1, missing))}`;
  }
  return encoder.encode(text);
}
