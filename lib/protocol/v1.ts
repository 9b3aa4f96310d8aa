/**
 * PeerSync version 1 control messages: the typed form of every datagram, and the one
 * `encode`/`decode` pair for each direction. Decoders never throw on hostile input; they return a
 * typed failure instead.
 *
 * @module
 */

import { isIpLiteral, parsePort } from "./address.ts";
import { fileNameProblem, isValidField } from "./file_name.ts";
import {
  MAX_DATAGRAM_BYTES,
  MAX_PASSWORD_BYTES,
  MAX_USER_NAME_BYTES,
  V1_MAX_REPLY_BYTES,
} from "./limits.ts";
import { decodeUtf8, utf8Length } from "./text.ts";

/** Every request a peer can send the tracker. `kind` is the wire command word. */
export type Request =
  | { readonly kind: "auth"; readonly user: string; readonly password: string }
  | { readonly kind: "TCP"; readonly host: string; readonly port: number }
  | { readonly kind: "HBT" }
  | { readonly kind: "lap" }
  | { readonly kind: "lpf" }
  | { readonly kind: "pub"; readonly file: string }
  | { readonly kind: "unp"; readonly file: string }
  | { readonly kind: "sch"; readonly text: string }
  | { readonly kind: "get"; readonly file: string };

/** The command words of v1, in the order the tracker's table lists them. */
export type RequestKind = Request["kind"];

const REQUEST_KINDS: ReadonlySet<string> = new Set<RequestKind>([
  "auth",
  "TCP",
  "HBT",
  "lap",
  "lpf",
  "pub",
  "unp",
  "sch",
  "get",
]);

/** A datagram that is not a valid v1 request. `command` is its first word when that is a known one. */
export interface DecodeFailure {
  readonly ok: false;
  readonly command?: RequestKind;
  readonly reason: string;
}

/** The result of decoding a request datagram. */
export type DecodedRequest = { readonly ok: true; readonly request: Request } | DecodeFailure;

const encoder = new TextEncoder();

function fail(reason: string, command?: RequestKind): DecodeFailure {
  return { ok: false, command, reason };
}

function fileArgument(
  kind: "pub" | "unp" | "get",
  args: readonly string[],
): DecodedRequest {
  if (args.length !== 1) return fail(`${kind} takes one file name`, kind);
  const problem = fileNameProblem(args[0]);
  if (problem) return fail(`invalid file name (${problem})`, kind);
  return { ok: true, request: { kind, file: args[0] } };
}

/**
 * Decodes one request datagram. Never throws.
 *
 * @example
 * ```ts
 * import { decodeRequest } from "./v1.ts";
 * const decoded = decodeRequest(new TextEncoder().encode("pub notes.txt"));
 * console.assert(decoded.ok && decoded.request.kind === "pub");
 * ```
 */
export function decodeRequest(datagram: Uint8Array): DecodedRequest {
  if (datagram.length > MAX_DATAGRAM_BYTES) return fail("datagram too large");
  const text = decodeUtf8(datagram);
  if (text === undefined) return fail("not valid UTF-8");
  const fields = text.split(" ");
  const word = fields[0];
  const kind = REQUEST_KINDS.has(word) ? word as RequestKind : undefined;
  if (kind === undefined) return fail(text.length === 0 ? "empty datagram" : "unknown command");
  // Fields are separated by exactly one space: an empty field means a doubled or trailing space.
  if (fields.some((field) => field.length === 0)) return fail("empty field", kind);
  const args = fields.slice(1);
  switch (kind) {
    case "auth": {
      if (args.length !== 2) return fail("auth takes a user name and a password", kind);
      const [user, password] = args;
      if (!isValidField(user, MAX_USER_NAME_BYTES)) return fail("invalid user name", kind);
      if (!isValidField(password, MAX_PASSWORD_BYTES)) return fail("invalid password", kind);
      return { ok: true, request: { kind, user, password } };
    }
    case "TCP": {
      if (args.length !== 2) return fail("TCP takes an address and a port", kind);
      const port = parsePort(args[1]);
      if (!isIpLiteral(args[0]) || port === undefined) return fail("invalid address", kind);
      return { ok: true, request: { kind, host: args[0], port } };
    }
    case "HBT":
    case "lap":
    case "lpf":
      if (args.length !== 0) return fail(`${kind} takes no argument`, kind);
      return { ok: true, request: { kind } };
    case "sch":
      if (args.length !== 1 || !isValidField(args[0], MAX_DATAGRAM_BYTES)) {
        return fail("sch takes one search text without spaces", kind);
      }
      return { ok: true, request: { kind, text: args[0] } };
    case "pub":
    case "unp":
    case "get":
      return fileArgument(kind, args);
  }
}

/**
 * Encodes a request into its datagram.
 *
 * @example
 * ```ts
 * import { encodeRequest } from "./v1.ts";
 * const bytes = encodeRequest({ kind: "get", file: "a.txt" });
 * console.assert(new TextDecoder().decode(bytes) === "get a.txt");
 * ```
 */
export function encodeRequest(request: Request): Uint8Array {
  return encoder.encode(requestText(request));
}

function requestText(request: Request): string {
  switch (request.kind) {
    case "auth":
      return `auth ${request.user} ${request.password}`;
    case "TCP":
      return `TCP ${request.host} ${request.port}`;
    case "HBT":
    case "lap":
    case "lpf":
      return request.kind;
    case "sch":
      return `sch ${request.text}`;
    case "pub":
    case "unp":
    case "get":
      return `${request.kind} ${request.file}`;
  }
}

/** The fixed reply texts of v1, byte for byte. */
export const ReplyText = {
  ok: "OK",
  error: "ERR",
  noActivePeers: "No active peers",
  noPublishedFiles: "No published files",
  published: "File published successfully",
  unpublished: "File unpublished successfully",
  unpublishFailed: "File unpublication failed",
  noFilesFound: "No files found",
  fileNotFound: "File not found",
  noActiveHolder: "No active peer has this file",
} as const;

/** A list reply: the names that fit, and how many more were left out to stay within 1024 bytes. */
export interface NameList {
  readonly names: readonly string[];
  readonly omitted: number;
}

/** Every reply the tracker sends in v1. */
export type Reply =
  | { readonly kind: "ok" }
  | { readonly kind: "error" }
  | { readonly kind: "peers"; readonly list: NameList }
  | { readonly kind: "publishedFiles"; readonly list: NameList }
  | { readonly kind: "found"; readonly list: NameList }
  | { readonly kind: "published" }
  | { readonly kind: "unpublished" }
  | { readonly kind: "unpublishFailed" }
  | { readonly kind: "holder"; readonly user: string; readonly host: string; readonly port: number }
  | { readonly kind: "fileNotFound" }
  | { readonly kind: "noActiveHolder" };

const LIST_SEPARATOR = ", ";
const OMITTED = /^\u2026and (\d+) more$/;

function omittedItem(count: number): string {
  return `\u2026and ${count} more`;
}

/**
 * Joins names with `, `, keeping as many leading names as fit in `maxBytes` and ending with
 * `…and N more` when some had to be left out. Never cuts a name in the middle.
 *
 * @example
 * ```ts
 * import { fitNameList, formatNameList } from "./v1.ts";
 * console.assert(formatNameList(fitNameList(["alpha", "beta", "gamma"], 20)) === "alpha, beta, gamma");
 * console.assert(formatNameList(fitNameList(["alpha", "beta", "gamma"], 16)) === "\u2026and 3 more");
 * ```
 */
export function fitNameList(names: readonly string[], maxBytes = V1_MAX_REPLY_BYTES): NameList {
  const sizes = names.map(utf8Length);
  const separator = utf8Length(LIST_SEPARATOR);
  let total = sizes.reduce((sum, size) => sum + size, 0) +
    separator * Math.max(0, names.length - 1);
  if (total <= maxBytes) return { names, omitted: 0 };
  // Drop names from the end until the kept ones plus the "…and N more" item fit.
  for (let kept = names.length - 1; kept >= 0; kept--) {
    total -= sizes[kept] + (kept > 0 ? separator : 0);
    const tail = utf8Length(omittedItem(names.length - kept)) + (kept > 0 ? separator : 0);
    if (total + tail <= maxBytes) {
      return { names: names.slice(0, kept), omitted: names.length - kept };
    }
  }
  return { names: [], omitted: names.length };
}

/** The wire text of a list reply (which must not be empty: empty lists have their own texts). */
export function formatNameList(list: NameList): string {
  const items = list.omitted > 0 ? [...list.names, omittedItem(list.omitted)] : list.names;
  return items.join(LIST_SEPARATOR);
}

function listOrEmpty(list: NameList, empty: string): string {
  return list.names.length === 0 && list.omitted === 0 ? empty : formatNameList(list);
}

/** The wire text of a reply. */
export function replyText(reply: Reply): string {
  switch (reply.kind) {
    case "ok":
      return ReplyText.ok;
    case "error":
      return ReplyText.error;
    case "peers":
      return listOrEmpty(reply.list, ReplyText.noActivePeers);
    case "publishedFiles":
      return listOrEmpty(reply.list, ReplyText.noPublishedFiles);
    case "found":
      return listOrEmpty(reply.list, ReplyText.noFilesFound);
    case "published":
      return ReplyText.published;
    case "unpublished":
      return ReplyText.unpublished;
    case "unpublishFailed":
      return ReplyText.unpublishFailed;
    case "holder":
      return `${reply.user} ${reply.host} ${reply.port}`;
    case "fileNotFound":
      return ReplyText.fileNotFound;
    case "noActiveHolder":
      return ReplyText.noActiveHolder;
  }
}

/** Encodes a reply into its datagram. */
export function encodeReply(reply: Reply): Uint8Array {
  return encoder.encode(replyText(reply));
}

/** A reply datagram that does not fit the request it answers. */
export interface ReplyFailure {
  readonly ok: false;
  readonly reason: string;
}

/** The result of decoding a reply datagram. */
export type DecodedReply = { readonly ok: true; readonly reply: Reply } | ReplyFailure;

function parseList(text: string): NameList | undefined {
  const items = text.split(LIST_SEPARATOR);
  const last = OMITTED.exec(items[items.length - 1]);
  const names = last ? items.slice(0, -1) : items;
  if (names.some((name) => name.length === 0)) return undefined;
  return { names, omitted: last ? Number(last[1]) : 0 };
}

/**
 * Decodes the tracker's reply to a request of kind `to`. Never throws.
 *
 * @example
 * ```ts
 * import { decodeReply } from "./v1.ts";
 * const decoded = decodeReply("lap", new TextEncoder().encode("bob, carol"));
 * console.assert(decoded.ok && decoded.reply.kind === "peers");
 * ```
 */
export function decodeReply(to: RequestKind, datagram: Uint8Array): DecodedReply {
  const text = decodeUtf8(datagram);
  if (text === undefined) return { ok: false, reason: "reply is not valid UTF-8" };
  if (text === ReplyText.error) return { ok: true, reply: { kind: "error" } };
  const reply = interpretReply(to, text);
  return reply ? { ok: true, reply } : { ok: false, reason: `unexpected reply to ${to}: ${text}` };
}

function interpretReply(to: RequestKind, text: string): Reply | undefined {
  const list = (kind: "peers" | "publishedFiles" | "found", empty: string): Reply | undefined => {
    if (text === empty) return { kind, list: { names: [], omitted: 0 } };
    const parsed = parseList(text);
    if (parsed === undefined || kind === "peers") return parsed && { kind, list: parsed };
    // A file name the rule refuses is refused here too: shown cleaned of its bidi override it
    // could read as another, valid name ("a\u202eb.txt" as "ab.txt"), and it cannot be fetched.
    const names = parsed.names.filter((name) => fileNameProblem(name) === undefined);
    return { kind, list: { names, omitted: parsed.omitted } };
  };
  switch (to) {
    case "auth":
      return text === ReplyText.ok ? { kind: "ok" } : undefined;
    case "lap":
      return list("peers", ReplyText.noActivePeers);
    case "lpf":
      return list("publishedFiles", ReplyText.noPublishedFiles);
    case "sch":
      return list("found", ReplyText.noFilesFound);
    case "pub":
      return text === ReplyText.published ? { kind: "published" } : undefined;
    case "unp":
      if (text === ReplyText.unpublished) return { kind: "unpublished" };
      return text === ReplyText.unpublishFailed ? { kind: "unpublishFailed" } : undefined;
    case "get": {
      if (text === ReplyText.fileNotFound) return { kind: "fileNotFound" };
      if (text === ReplyText.noActiveHolder) return { kind: "noActiveHolder" };
      const fields = text.split(" ");
      if (fields.length !== 3) return undefined;
      const [user, host, portText] = fields;
      const port = parsePort(portText);
      if (!isValidField(user, MAX_USER_NAME_BYTES) || !isIpLiteral(host) || port === undefined) {
        return undefined;
      }
      return { kind: "holder", user, host, port };
    }
    case "TCP":
    case "HBT":
      return undefined;
  }
}
