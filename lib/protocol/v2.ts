/**
 * PeerSync version 2 control messages (see docs/protocol.md): typed requests and replies, one
 * `encode`/`decode` pair per direction. Decoders never throw on hostile input.
 *
 * @module
 */

import { fileNameProblem, isValidField } from "./file_name.ts";
import {
  MAX_DATAGRAM_BYTES,
  MAX_USER_NAME_BYTES,
  V2_MAX_NONCE_CHARS,
  V2_MAX_REQUEST_ID,
  V2_MIN_HANDSHAKE_BYTES,
  V2_PREFIX,
} from "./limits.ts";
import { decodeUtf8, isIpLiteral, parsePort, utf8Length } from "./v1.ts";

/** What a v2 request asks for. */
export type V2RequestBody =
  | { readonly verb: "LOGIN"; readonly user: string; readonly clientNonce: string }
  | { readonly verb: "PROOF"; readonly nonce: string; readonly proof: string }
  | { readonly verb: "TCP"; readonly host: string; readonly port: number }
  | { readonly verb: "HBT" }
  | { readonly verb: "BYE" }
  | { readonly verb: "LAP"; readonly offset: number }
  | { readonly verb: "LPF"; readonly offset: number }
  | { readonly verb: "SCH"; readonly text: string; readonly offset: number }
  | { readonly verb: "PUB"; readonly file: string; readonly size: number; readonly sha256: string }
  | { readonly verb: "UNP"; readonly file: string }
  | { readonly verb: "GET"; readonly file: string; readonly offset: number };

/** The verbs of v2. */
export type V2Verb = V2RequestBody["verb"];

/** A v2 request: id echoed by the reply, token (absent before login) and body. */
export interface V2Request {
  readonly id: number;
  readonly token?: string;
  readonly body: V2RequestBody;
}

/** Error codes a v2 reply can carry. */
export type V2ErrorCode =
  | "malformed"
  | "token"
  | "stale"
  | "limit"
  | "locked"
  | "busy"
  | "auth"
  | "expired"
  | "live"
  | "notpublished"
  | "notfound"
  | "inactive";

const ERROR_CODES: ReadonlySet<string> = new Set<V2ErrorCode>([
  "malformed",
  "token",
  "stale",
  "limit",
  "locked",
  "busy",
  "auth",
  "expired",
  "live",
  "notpublished",
  "notfound",
  "inactive",
]);

/** A peer that can serve a file, as `GET` reports it. */
export interface Holder {
  readonly user: string;
  /** The address the tracker observed for the holder's session. */
  readonly host: string;
  /** The TCP port the holder registered. */
  readonly port: number;
  /** Size and digest the holder published; absent for a v1 holder. */
  readonly size?: number;
  readonly sha256?: string;
  /** The address the holder claimed in `TCP`, where it differs from the observed one. */
  readonly claimed?: { readonly host: string; readonly port: number };
}

/** What a v2 reply says. */
export type V2ReplyBody =
  | {
    readonly status: "CHALLENGE";
    readonly nonce: string;
    readonly salt: string;
    readonly iterations: number;
  }
  | {
    readonly status: "WELCOME";
    readonly token: string;
    readonly serverSignature: string;
    readonly heartbeatMs: number;
    readonly timeoutMs: number;
  }
  | { readonly status: "OK" }
  | {
    readonly status: "LIST";
    readonly total: number;
    readonly offset: number;
    readonly names: readonly string[];
  }
  | {
    readonly status: "HOLDERS";
    readonly total: number;
    readonly offset: number;
    readonly holders: readonly Holder[];
  }
  | { readonly status: "ERR"; readonly code: V2ErrorCode };

/** A v2 reply. */
export interface V2Reply {
  readonly id: number;
  readonly body: V2ReplyBody;
}

/** A datagram that is not a valid v2 message; `id` is set when it could be read. */
export interface V2DecodeFailure {
  readonly ok: false;
  readonly id?: number;
  readonly reason: string;
}

const encoder = new TextEncoder();
const TOKEN = /^[0-9a-f]{32}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const DECIMAL = /^(0|[1-9]\d{0,15})$/;
// SCRAM nonces are printable ASCII without commas; base64 fits.
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PADDING = /^_+$/;

/** Whether a datagram is meant as v2 (starts with `PS2 `). */
export function isV2Datagram(datagram: Uint8Array): boolean {
  return datagram.length >= 4 && datagram[0] === 0x50 && datagram[1] === 0x53 &&
    datagram[2] === 0x32 && datagram[3] === 0x20;
}

/** Parses a non-negative safe integer written in decimal, or `undefined`. */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

function parseId(text: string): number | undefined {
  const id = parseDecimal(text);
  return id !== undefined && id >= 1 && id <= V2_MAX_REQUEST_ID ? id : undefined;
}

/** Whether `token` has the form of a session token. */
export function isToken(token: string): boolean {
  return TOKEN.test(token);
}

/** Whether `digest` is a SHA-256 digest in lowercase hex. */
export function isSha256Hex(digest: string): boolean {
  return SHA256_HEX.test(digest);
}

function isNonce(nonce: string): boolean {
  return nonce.length <= V2_MAX_NONCE_CHARS && NONCE.test(nonce);
}

function isBase64(text: string, maxChars: number): boolean {
  return text.length <= maxChars && text.length % 4 === 0 && BASE64.test(text);
}

function splitFields(datagram: Uint8Array): string[] | undefined {
  if (datagram.length > MAX_DATAGRAM_BYTES) return undefined;
  const text = decodeUtf8(datagram);
  if (text === undefined || !text.startsWith(V2_PREFIX)) return undefined;
  const fields = text.split(" ");
  return fields.some((field) => field.length === 0) ? undefined : fields;
}

/** The result of decoding a v2 request. */
export type DecodedV2Request = { readonly ok: true; readonly request: V2Request } | V2DecodeFailure;

/**
 * Decodes one v2 request datagram. Never throws.
 *
 * @example
 * ```ts
 * import { decodeV2Request } from "./v2.ts";
 * const decoded = decodeV2Request(
 *   new TextEncoder().encode("PS2 7 0123456789abcdef0123456789abcdef LAP 0"),
 * );
 * console.assert(decoded.ok && decoded.request.body.verb === "LAP");
 * ```
 */
export function decodeV2Request(datagram: Uint8Array): DecodedV2Request {
  const fields = splitFields(datagram);
  if (fields === undefined || fields.length < 4) return { ok: false, reason: "not a v2 request" };
  const id = parseId(fields[1]);
  if (id === undefined) return { ok: false, reason: "invalid id" };
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
      if (args.length !== 2 || !isIpLiteral(args[0]) || port === undefined) {
        return fail("TCP takes an address and a port");
      }
      return body({ verb, host: args[0], port });
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
      if (fileNameProblem(args[0])) return fail("invalid file name");
      return body({ verb, file: args[0], size, sha256: args[2] });
    }
    case "UNP":
      if (args.length !== 1 || fileNameProblem(args[0])) return fail("UNP takes a file name");
      return body({ verb, file: args[0] });
    case "GET": {
      const offset = offsetAt(1);
      if (args.length !== 2 || fileNameProblem(args[0]) || offset === undefined) {
        return fail("GET takes a file name and an offset");
      }
      return body({ verb, file: args[0], offset });
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
      return `TCP ${body.host} ${body.port}`;
    case "HBT":
    case "BYE":
      return body.verb;
    case "LAP":
    case "LPF":
      return `${body.verb} ${body.offset}`;
    case "SCH":
      return `SCH ${body.text} ${body.offset}`;
    case "PUB":
      return `PUB ${body.file} ${body.size} ${body.sha256}`;
    case "UNP":
      return `UNP ${body.file}`;
    case "GET":
      return `GET ${body.file} ${body.offset}`;
  }
}

/**
 * Encodes a v2 request, padding `LOGIN` and `PROOF` to the handshake minimum.
 *
 * @example
 * ```ts
 * import { encodeV2Request } from "./v2.ts";
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

function holderText(holder: Holder): string {
  const fields = [
    holder.user,
    holder.host,
    String(holder.port),
    holder.size === undefined ? "-" : String(holder.size),
    holder.sha256 ?? "-",
  ];
  if (holder.claimed) fields.push(holder.claimed.host, String(holder.claimed.port));
  return fields.join(",");
}

function parseHolder(text: string): Holder | undefined {
  const fields = text.split(",");
  if (fields.length !== 5 && fields.length !== 7) return undefined;
  const [user, host, portText, sizeText, sha256] = fields;
  const port = parsePort(portText);
  if (!isValidField(user, MAX_USER_NAME_BYTES) || !isIpLiteral(host) || port === undefined) {
    return undefined;
  }
  const versioned = sizeText !== "-" || sha256 !== "-";
  const size = versioned ? parseDecimal(sizeText) : undefined;
  if (versioned && (size === undefined || !isSha256Hex(sha256))) return undefined;
  let claimed: Holder["claimed"];
  if (fields.length === 7) {
    const claimedPort = parsePort(fields[6]);
    if (!isIpLiteral(fields[5]) || claimedPort === undefined) return undefined;
    claimed = { host: fields[5], port: claimedPort };
  }
  return {
    user,
    host,
    port,
    ...(versioned ? { size, sha256 } : {}),
    ...(claimed ? { claimed } : {}),
  };
}

/** The wire text of a reply body. */
export function replyBodyText(body: V2ReplyBody): string {
  switch (body.status) {
    case "CHALLENGE":
      return `CHALLENGE ${body.nonce} ${body.salt} ${body.iterations}`;
    case "WELCOME":
      return `WELCOME ${body.token} ${body.serverSignature} ${body.heartbeatMs} ${body.timeoutMs}`;
    case "OK":
      return "OK";
    case "LIST":
      return [`LIST ${body.total} ${body.offset}`, ...body.names].join(" ");
    case "HOLDERS":
      return [`HOLDERS ${body.total} ${body.offset}`, ...body.holders.map(holderText)].join(" ");
    case "ERR":
      return `ERR ${body.code}`;
  }
}

/** Encodes a v2 reply. */
export function encodeV2Reply(reply: V2Reply): Uint8Array {
  return encoder.encode(`${V2_PREFIX}${reply.id} ${replyBodyText(reply.body)}`);
}

/** The result of decoding a v2 reply. */
export type DecodedV2Reply = { readonly ok: true; readonly reply: V2Reply } | V2DecodeFailure;

/**
 * Decodes one v2 reply datagram. Never throws.
 *
 * @example
 * ```ts
 * import { decodeV2Reply } from "./v2.ts";
 * const decoded = decodeV2Reply(new TextEncoder().encode("PS2 7 LIST 2 0 bob carol"));
 * console.assert(decoded.ok && decoded.reply.body.status === "LIST");
 * ```
 */
export function decodeV2Reply(datagram: Uint8Array): DecodedV2Reply {
  const fields = splitFields(datagram);
  if (fields === undefined || fields.length < 3) return { ok: false, reason: "not a v2 reply" };
  const id = parseId(fields[1]);
  if (id === undefined) return { ok: false, reason: "invalid id" };
  const args = fields.slice(3);
  const fail = (reason: string): V2DecodeFailure => ({ ok: false, id, reason });
  const reply = (body: V2ReplyBody): DecodedV2Reply => ({ ok: true, reply: { id, body } });
  switch (fields[2]) {
    case "CHALLENGE": {
      const iterations = parseDecimal(args[2] ?? "");
      if (args.length !== 3 || !isNonce(args[0]) || !isBase64(args[1], 64) || !iterations) {
        return fail("invalid CHALLENGE");
      }
      return reply({ status: "CHALLENGE", nonce: args[0], salt: args[1], iterations });
    }
    case "WELCOME": {
      const heartbeatMs = parseDecimal(args[2] ?? "");
      const timeoutMs = parseDecimal(args[3] ?? "");
      if (
        args.length !== 4 || !isToken(args[0]) || !isBase64(args[1], 64) || !heartbeatMs ||
        !timeoutMs
      ) {
        return fail("invalid WELCOME");
      }
      return reply({
        status: "WELCOME",
        token: args[0],
        serverSignature: args[1],
        heartbeatMs,
        timeoutMs,
      });
    }
    case "OK":
      return args.length === 0 ? reply({ status: "OK" }) : fail("invalid OK");
    case "LIST":
    case "HOLDERS": {
      const total = parseDecimal(args[0] ?? "");
      const offset = parseDecimal(args[1] ?? "");
      if (total === undefined || offset === undefined) return fail(`invalid ${fields[2]}`);
      const items = args.slice(2);
      if (fields[2] === "LIST") return reply({ status: "LIST", total, offset, names: items });
      const holders = items.map(parseHolder);
      if (holders.some((holder) => holder === undefined)) return fail("invalid holder");
      return reply({ status: "HOLDERS", total, offset, holders: holders as Holder[] });
    }
    case "ERR":
      return args.length === 1 && ERROR_CODES.has(args[0])
        ? reply({ status: "ERR", code: args[0] as V2ErrorCode })
        : fail("invalid ERR");
    default:
      return fail("unknown status");
  }
}

/**
 * How many of `items`, starting at `offset`, fit in one datagram after a header of
 * `headerBytes`, each item taking its UTF-8 length plus one separating space.
 */
export function pageLength(
  items: readonly string[],
  offset: number,
  headerBytes: number,
  maxBytes = MAX_DATAGRAM_BYTES,
): number {
  let used = headerBytes;
  let count = 0;
  for (let index = offset; index < items.length; index++) {
    used += 1 + utf8Length(items[index]);
    if (used > maxBytes) break;
    count++;
  }
  return count;
}

/** The wire text of a holder, for sizing a `HOLDERS` page. */
export function holderWireText(holder: Holder): string {
  return holderText(holder);
}
