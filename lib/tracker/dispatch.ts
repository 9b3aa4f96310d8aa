/**
 * Turns one request datagram into the tracker's answer: decode, find the session, apply the v1
 * rules, choose the reply. Pure apart from the state it is given.
 *
 * @module
 */

import {
  decodeRequest,
  fitNameList,
  MIN_STRANGER_REQUEST_BYTES,
  type Reply,
  type Request,
} from "../protocol/mod.ts";
import type { LoginGuard } from "./guard.ts";
import { type Address, addressKey, type Session, type TrackerState } from "./state.ts";

/** How v1 logins are policed. */
export interface V1Policy {
  readonly guard?: LoginGuard;
  /** False refuses every plaintext `auth` (the password would cross the network in clear). */
  readonly allowPlaintext?: boolean;
}

/** What happened to one datagram, for the reply and the operator's log. */
export interface Outcome {
  /** The user name of the session (or of an `auth` attempt), else the source address. */
  readonly peer: string;
  /** The request's command word, upper-case, or `INVALID`. */
  readonly command: string;
  /** The reply to send; absent where v1 sends nothing. */
  readonly reply?: Reply;
  /** Why a request was refused or ignored. */
  readonly note?: string;
  /** Sessions found expired while handling this datagram. */
  readonly expired: readonly Session[];
}

/**
 * Handles one datagram from `from`.
 *
 * @example
 * ```ts
 * import { handleDatagram } from "./dispatch.ts";
 * import { TrackerState } from "./state.ts";
 * const state = new TrackerState({ credentials: new Map(), now: () => 0 });
 * const outcome = handleDatagram(state, new TextEncoder().encode("lap"), {
 *   hostname: "127.0.0.1",
 *   port: 4000,
 * });
 * console.assert(outcome.reply?.kind === "error");
 * ```
 */
export function handleDatagram(
  state: TrackerState,
  datagram: Uint8Array,
  from: Address,
  policy: V1Policy = {},
): Outcome {
  const expired = state.expire();
  const session = state.sessionAt(from);
  const stranger = addressKey(from);
  const decoded = decodeRequest(datagram);
  if (!decoded.ok) {
    const command = decoded.command?.toUpperCase() ?? "INVALID";
    const peer = session?.user ?? stranger;
    const note = decoded.reason;
    // HBT and TCP never get a reply; and a stranger's reply is never larger than its datagram.
    const silent = decoded.command === "HBT" || decoded.command === "TCP" ||
      (session === undefined && datagram.length < MIN_STRANGER_REQUEST_BYTES);
    return silent
      ? { peer, command, note, expired }
      : { peer, command, note, expired, reply: { kind: "error" } };
  }
  const request = decoded.request;
  const command = request.kind.toUpperCase();
  if (request.kind === "auth") {
    const peer = request.user;
    const refuse = (note: string): Outcome => ({
      peer,
      command,
      expired,
      reply: { kind: "error" },
      note,
    });
    if (policy.allowPlaintext === false) return refuse("plaintext logins are disabled");
    if (policy.guard && policy.guard.lockedFor(peer, from.hostname) > 0) {
      return refuse("locked out after failures");
    }
    const login = state.login(from, request.user, request.password);
    if (!login.ok) {
      if (login.reason === "unknown user" || login.reason === "wrong password") {
        policy.guard?.failed(peer, from.hostname);
      }
      return refuse(login.reason);
    }
    policy.guard?.succeeded(peer);
    return { peer, command, expired, reply: { kind: "ok" } };
  }
  if (session?.version === 2) {
    // A v2 session is identified by its token, never by its address alone.
    const silent = request.kind === "HBT" || request.kind === "TCP";
    const note = "v1 request from a v2 session's address";
    return silent
      ? { peer: session.user, command, note, expired }
      : { peer: session.user, command, note, expired, reply: { kind: "error" } };
  }
  if (session === undefined) {
    const silent = request.kind === "HBT" || request.kind === "TCP";
    const note = "no session";
    return silent
      ? { peer: stranger, command, note, expired }
      : { peer: stranger, command, note, expired, reply: { kind: "error" } };
  }
  state.touch(session);
  const reply = answer(state, session, request);
  return { peer: session.user, command, expired, ...reply };
}

function answer(
  state: TrackerState,
  session: Session,
  request: Exclude<Request, { kind: "auth" }>,
): { reply?: Reply; note?: string } {
  const user = session.user;
  switch (request.kind) {
    case "HBT":
      return {};
    case "TCP":
      session.downloadAddress = { hostname: request.host, port: request.port };
      return {};
    case "lap":
      return { reply: { kind: "peers", list: fitNameList(state.activeUsers(user)) } };
    case "lpf":
      return { reply: { kind: "publishedFiles", list: fitNameList(state.publishedBy(user)) } };
    case "pub":
      return state.publish(user, request.file)
        ? { reply: { kind: "published" } }
        : { reply: { kind: "error" }, note: "publication limit reached" };
    case "unp":
      return {
        reply: { kind: state.unpublish(user, request.file) ? "unpublished" : "unpublishFailed" },
      };
    case "sch":
      return { reply: { kind: "found", list: fitNameList(state.search(request.text, user)) } };
    case "get": {
      const location = state.locate(request.file, user);
      switch (location.kind) {
        case "notPublished":
          return { reply: { kind: "fileNotFound" } };
        case "noActiveHolder":
          return { reply: { kind: "noActiveHolder" } };
        case "holder": {
          // locate() only returns sessions that have a download address.
          const where = location.session.downloadAddress as Address;
          return {
            reply: {
              kind: "holder",
              user: location.session.user,
              host: where.hostname,
              port: where.port,
            },
          };
        }
      }
    }
  }
}
