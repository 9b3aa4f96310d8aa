/**
 * PeerSync version 2 replies (see docs/protocol.md): what the tracker answers, typed, with one
 * `encode`/`decode` pair, and the paging arithmetic that keeps every reply within one datagram.
 * The decoder never throws on hostile input.
 *
 * @module
 */

import { isIpLiteral, parsePort } from "./address.ts";
import { isValidField } from "./file_name.ts";
import {
  FOUND_DIGEST_HEX_DIGITS,
  MAX_DATAGRAM_BYTES,
  MAX_USER_NAME_BYTES,
  V2_PREFIX,
} from "./limits.ts";
import { isSha256Hex, parseDecimal, utf8Length } from "./text.ts";
import { isBase64, isNonce, isToken, readV2Head, type V2DecodeFailure } from "./v2_fields.ts";
import type { TlsEndpoint } from "./v2_request.ts";
import { encodeWireName, readWireName } from "./wire_name.ts";

const encoder = new TextEncoder();

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
  | "inactive"
  | "address"
  | "broad";

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
  "address",
  "broad",
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
  /** The holder's TLS data port and certificate fingerprint, when it registered them. */
  readonly tls?: TlsEndpoint;
}

/** One version of a found name: what its holders published, and how many live ones hold it. */
export interface FoundVersion {
  /** Size and the first 16 hex digits of the SHA-256; both absent for v1 holders (no digest). */
  readonly size?: number;
  readonly digestPrefix?: string;
  readonly holders: number;
}

/** A name `FIND` found, with each distinct version of it, most holders first. */
export interface FoundName {
  readonly name: string;
  readonly versions: readonly FoundVersion[];
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
  | {
    readonly status: "FOUND";
    /** Names (not versions) found in all, and this page's first name's position. */
    readonly total: number;
    readonly offset: number;
    readonly found: readonly FoundName[];
  }
  | {
    readonly status: "ERR";
    readonly code: V2ErrorCode;
    /**
     * Whole seconds to wait before trying again, where the tracker says (`live`, `locked`):
     * `ERR <code> <seconds>`. Absent in `ERR <code>`.
     */
    readonly seconds?: number;
  };

/** A v2 reply. */
export interface V2Reply {
  readonly id: number;
  readonly body: V2ReplyBody;
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
  if (holder.tls) fields.push(`${holder.tls.port}:${holder.tls.fingerprint}`);
  return fields.join(",");
}

function parseHolder(text: string): Holder | undefined {
  const fields = text.split(",");
  // A last field of an even count is `<tls-port>:<fingerprint>`.
  let tls: TlsEndpoint | undefined;
  if (fields.length === 6 || fields.length === 8) {
    tls = parseTls(fields.pop()!);
    if (tls === undefined) return undefined;
  }
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
    ...(tls ? { tls } : {}),
  };
}

function parseTls(text: string): TlsEndpoint | undefined {
  const [portText, fingerprint, ...rest] = text.split(":");
  const port = parsePort(portText);
  if (rest.length > 0 || port === undefined || !isSha256Hex(fingerprint ?? "")) return undefined;
  return { port, fingerprint };
}

const DIGEST_PREFIX = new RegExp(`^[0-9a-f]{${FOUND_DIGEST_HEX_DIGITS}}$`);

/**
 * The wire text of one found name: `<version>;<version>…:<name>`, each version
 * `<size>,<digest-prefix>,<holders>` (`-,-,<holders>` for v1 holders). The name comes last and
 * the versions hold no `:`, so a name with `:`, `,` or `;` splits at the first `:`.
 */
export function foundNameText(found: FoundName): string {
  const versions = found.versions.map((version) =>
    `${version.size ?? "-"},${version.digestPrefix ?? "-"},${version.holders}`
  );
  return `${versions.join(";")}:${encodeWireName(found.name)}`;
}

function parseFoundName(text: string): FoundName | undefined {
  const colon = text.indexOf(":");
  if (colon <= 0) return undefined;
  const name = readWireName(text.slice(colon + 1));
  if (name === undefined) return undefined;
  const versions: FoundVersion[] = [];
  for (const part of text.slice(0, colon).split(";")) {
    const [sizeText, digest, holdersText, ...rest] = part.split(",");
    const holders = parseDecimal(holdersText ?? "");
    if (rest.length > 0 || holders === undefined) return undefined;
    if (sizeText === "-" && digest === "-") {
      versions.push({ holders });
      continue;
    }
    const size = parseDecimal(sizeText);
    if (size === undefined || !DIGEST_PREFIX.test(digest ?? "")) return undefined;
    versions.push({ size, digestPrefix: digest, holders });
  }
  return { name, versions };
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
    case "FOUND":
      return [`FOUND ${body.total} ${body.offset}`, ...body.found.map(foundNameText)].join(" ");
    case "ERR":
      return body.seconds === undefined ? `ERR ${body.code}` : `ERR ${body.code} ${body.seconds}`;
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
 * import { decodeV2Reply } from "./v2_reply.ts";
 * const decoded = decodeV2Reply(new TextEncoder().encode("PS2 7 LIST 2 0 bob carol"));
 * console.assert(decoded.ok && decoded.reply.body.status === "LIST");
 * ```
 */
export function decodeV2Reply(datagram: Uint8Array): DecodedV2Reply {
  const head = readV2Head(datagram, 3, "reply");
  if (!head.ok) return head;
  const { fields, id } = head;
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
    case "FOUND": {
      const total = parseDecimal(args[0] ?? "");
      const offset = parseDecimal(args[1] ?? "");
      if (total === undefined || offset === undefined) return fail("invalid FOUND");
      const found = args.slice(2).map(parseFoundName);
      if (found.some((entry) => entry === undefined)) return fail("invalid found name");
      return reply({ status: "FOUND", total, offset, found: found as FoundName[] });
    }
    case "ERR": {
      // `ERR <code>` or `ERR <code> <seconds>`: older trackers never send the number.
      const seconds = args.length === 2 ? parseDecimal(args[1]) : undefined;
      if (
        (args.length !== 1 && (args.length !== 2 || seconds === undefined)) ||
        !ERROR_CODES.has(args[0])
      ) {
        return fail("invalid ERR");
      }
      const code = args[0] as V2ErrorCode;
      return reply(
        seconds === undefined ? { status: "ERR", code } : { status: "ERR", code, seconds },
      );
    }
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
