/**
 * The PeerSync data channel (TCP, peer ↔ peer): the v1 request (a bare file name) and the v2
 * request and status line that come before the bytes (see docs/protocol.md, "Version 2 — data
 * channel"). Pure: no sockets, files or clocks. Decoders never throw on hostile input.
 *
 * ```
 * request:  PS2 GET <file> <offset> <length|-> <sha256>\n
 * reply:    PS2 OK <size> <sha256>\n   then bytes [offset, offset + length) and close
 *           PS2 ERR <code> <message…>\n   then close
 * ```
 *
 * @module
 */

import { fileNameProblem } from "./file_name.ts";
import { decodeWireName, encodeWireName, v2FileNameProblem } from "./wire_name.ts";
import {
  MAX_TCP_REQUEST_BYTES,
  MAX_TRANSFER_ERROR_MESSAGE_BYTES,
  MAX_TRANSFER_REQUEST_BYTES,
  MAX_TRANSFER_STATUS_BYTES,
  TRANSFER_V2_PREFIX,
} from "./limits.ts";
import { decodeUtf8, isSha256Hex, parseDecimal, utf8Length } from "./text.ts";

/** A v2 data-channel request: bytes `[offset, offset + length)` of `file`, whose digest is `sha256`. */
export interface TransferRequestV2 {
  readonly file: string;
  /** First byte wanted. */
  readonly offset: number;
  /** Bytes wanted from `offset`; absent means "to the end of the file". */
  readonly length?: number;
  /** The SHA-256 (64 lowercase hex digits) the downloader expects the whole file to have. */
  readonly sha256: string;
}

/** Why an uploader refuses a v2 request. */
export type TransferErrorCode =
  /** The request is malformed or names an invalid file. */
  | "badrequest"
  /** The uploader does not publish that name. */
  | "notpublished"
  /** Published, but no longer a regular file inside the share folder. */
  | "notfound"
  /** The file on disk no longer has the digest the downloader asked for. */
  | "changed"
  /** The uploader serves as many downloads as it allows; try another holder or later. */
  | "busy"
  /** The requested range does not lie within the file. */
  | "range"
  /** The uploader could not read its own file. */
  | "internal";

const ERROR_CODES: ReadonlySet<string> = new Set<TransferErrorCode>([
  "badrequest",
  "notpublished",
  "notfound",
  "changed",
  "busy",
  "range",
  "internal",
]);

/** The status line an uploader sends before any byte of a v2 transfer. */
export type TransferStatus =
  | { readonly ok: true; readonly size: number; readonly sha256: string }
  | { readonly ok: false; readonly code: TransferErrorCode; readonly message: string };

/** What a downloader's first bytes ask for. */
export type DecodedTransferRequest =
  | { readonly ok: true; readonly version: 1; readonly file: string }
  | { readonly ok: true; readonly version: 2; readonly request: TransferRequestV2 }
  | { readonly ok: false; readonly version: 1 | 2; readonly reason: string };

const encoder = new TextEncoder();
const LF = 0x0a;
const CR = 0x0d;
const PREFIX_BYTES = encoder.encode(TRANSFER_V2_PREFIX);

/**
 * Whether `bytes` (the first read of a connection) opens a v2 request. A v1 file name never
 * contains a space, so `PS2 ` cannot start one.
 *
 * @example
 * ```ts
 * import { isV2TransferRequest } from "./transfer.ts";
 * console.assert(isV2TransferRequest(new TextEncoder().encode("PS2 GET a 0 - x")));
 * console.assert(!isV2TransferRequest(new TextEncoder().encode("PS2")));
 * ```
 */
export function isV2TransferRequest(bytes: Uint8Array): boolean {
  if (bytes.length < PREFIX_BYTES.length) return false;
  return PREFIX_BYTES.every((byte, index) => bytes[index] === byte);
}

/**
 * Encodes a v2 request line, newline included.
 *
 * @example
 * ```ts
 * import { encodeTransferRequest } from "./transfer.ts";
 * const line = new TextDecoder().decode(
 *   encodeTransferRequest({ file: "a.txt", offset: 10, sha256: "0".repeat(64) }),
 * );
 * console.assert(line === `PS2 GET a.txt 10 - ${"0".repeat(64)}\n`);
 * ```
 */
export function encodeTransferRequest(request: TransferRequestV2): Uint8Array {
  const length = request.length === undefined ? "-" : String(request.length);
  return encoder.encode(
    `${TRANSFER_V2_PREFIX}GET ${
      encodeWireName(request.file)
    } ${request.offset} ${length} ${request.sha256}\n`,
  );
}

/**
 * Decodes the v1 request: the name with one trailing `\n` or `\r\n` dropped, strict UTF-8.
 * Returns `undefined` when that is impossible; the file-name rule is checked separately.
 *
 * @example
 * ```ts
 * import { decodeV1TransferRequest } from "./transfer.ts";
 * console.assert(decodeV1TransferRequest(new TextEncoder().encode("a.txt\r\n")) === "a.txt");
 * ```
 */
export function decodeV1TransferRequest(bytes: Uint8Array): string | undefined {
  if (bytes.length > MAX_TCP_REQUEST_BYTES) return undefined;
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === LF) {
    end--;
    if (end > 0 && bytes[end - 1] === CR) end--;
  }
  return decodeUtf8(bytes.subarray(0, end));
}

/**
 * Decodes what a downloader sent: a v1 request (everything in the first read) or a whole v2
 * line (up to and including its newline). Checks the file-name rule for both.
 *
 * @example
 * ```ts
 * import { decodeTransferRequest } from "./transfer.ts";
 * const bytes = new TextEncoder().encode(`PS2 GET a.txt 0 5 ${"f".repeat(64)}\n`);
 * const decoded = decodeTransferRequest(bytes);
 * console.assert(decoded.ok && decoded.version === 2 && decoded.request.length === 5);
 * ```
 */
export function decodeTransferRequest(bytes: Uint8Array): DecodedTransferRequest {
  if (!isV2TransferRequest(bytes)) {
    const file = decodeV1TransferRequest(bytes);
    if (file === undefined) return { ok: false, version: 1, reason: "not a file name" };
    const problem = fileNameProblem(file);
    return problem === undefined
      ? { ok: true, version: 1, file }
      : { ok: false, version: 1, reason: `invalid file name (${problem})` };
  }
  const fail = (reason: string): DecodedTransferRequest => ({ ok: false, version: 2, reason });
  if (bytes.length > MAX_TRANSFER_REQUEST_BYTES) return fail("request too long");
  if (bytes[bytes.length - 1] !== LF) return fail("request not ended by a newline");
  const text = decodeUtf8(bytes.subarray(0, bytes.length - 1));
  if (text === undefined) return fail("request is not UTF-8");
  const fields = text.split(" ");
  if (fields.length !== 6 || fields[1] !== "GET") {
    return fail("expected PS2 GET <file> <offset> <length|-> <sha256>");
  }
  const [, , wireFile, offsetText, lengthText, sha256] = fields;
  // Spaces travel as `\` (wire_name.ts); a v1 request above never holds a space.
  const file = decodeWireName(wireFile);
  const problem = v2FileNameProblem(file);
  if (problem !== undefined) return fail(`invalid file name (${problem})`);
  const offset = parseDecimal(offsetText);
  if (offset === undefined) return fail("invalid offset");
  const length = lengthText === "-" ? undefined : parseDecimal(lengthText);
  if (lengthText !== "-" && length === undefined) return fail("invalid length");
  if (!isSha256Hex(sha256)) return fail("invalid SHA-256");
  return {
    ok: true,
    version: 2,
    request: length === undefined ? { file, offset, sha256 } : { file, offset, length, sha256 },
  };
}

/** Cuts `message` to one line of printable text within the status-line budget. */
function cleanMessage(message: string): string {
  let clean = message.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, " ").trim();
  while (utf8Length(clean) > MAX_TRANSFER_ERROR_MESSAGE_BYTES) {
    clean = clean.slice(0, -1);
  }
  return clean.isWellFormed() ? clean : clean.toWellFormed();
}

/**
 * Encodes a status line, newline included. An error message is cut to one short line.
 *
 * @example
 * ```ts
 * import { encodeTransferStatus } from "./transfer.ts";
 * const line = new TextDecoder().decode(
 *   encodeTransferStatus({ ok: false, code: "busy", message: "8 uploads in progress" }),
 * );
 * console.assert(line === "PS2 ERR busy 8 uploads in progress\n");
 * ```
 */
export function encodeTransferStatus(status: TransferStatus): Uint8Array {
  if (status.ok) {
    return encoder.encode(`${TRANSFER_V2_PREFIX}OK ${status.size} ${status.sha256}\n`);
  }
  const message = cleanMessage(status.message);
  return encoder.encode(
    `${TRANSFER_V2_PREFIX}ERR ${status.code}${message.length > 0 ? ` ${message}` : ""}\n`,
  );
}

/** The result of decoding a status line. */
export type DecodedTransferStatus =
  | { readonly ok: true; readonly status: TransferStatus }
  | { readonly ok: false; readonly reason: string };

/**
 * Decodes a status line (with or without its newline).
 *
 * @example
 * ```ts
 * import { decodeTransferStatus } from "./transfer.ts";
 * const decoded = decodeTransferStatus(new TextEncoder().encode("PS2 ERR changed re-published\n"));
 * console.assert(decoded.ok && !decoded.status.ok && decoded.status.code === "changed");
 * ```
 */
export function decodeTransferStatus(line: Uint8Array): DecodedTransferStatus {
  const fail = (reason: string): DecodedTransferStatus => ({ ok: false, reason });
  if (line.length > MAX_TRANSFER_STATUS_BYTES) return fail("status line too long");
  const end = line.length > 0 && line[line.length - 1] === LF ? line.length - 1 : line.length;
  const text = decodeUtf8(line.subarray(0, end));
  if (text === undefined || !text.startsWith(TRANSFER_V2_PREFIX)) return fail("no status line");
  const fields = text.slice(TRANSFER_V2_PREFIX.length).split(" ");
  if (fields[0] === "OK") {
    const size = parseDecimal(fields[1] ?? "");
    if (fields.length !== 3 || size === undefined || !isSha256Hex(fields[2])) {
      return fail("invalid OK status");
    }
    return { ok: true, status: { ok: true, size, sha256: fields[2] } };
  }
  if (fields[0] === "ERR" && fields.length >= 2 && ERROR_CODES.has(fields[1])) {
    return {
      ok: true,
      status: {
        ok: false,
        code: fields[1] as TransferErrorCode,
        message: fields.slice(2).join(" "),
      },
    };
  }
  return fail("invalid status line");
}
