/**
 * The tracker's side of protocol v1: decode a request, find the session by its address, apply the
 * v1 rules, choose and encode the reply. Pure apart from the state it is given.
 *
 * @module
 */

import {
  decodeRequest,
  MIN_STRANGER_REQUEST_BYTES,
  type Reply,
  replyText,
  type Request,
} from "../protocol/mod.ts";
import type { Authenticator, CredentialRefusal } from "./authenticator.ts";
import type { LoginGuard } from "./guard.ts";
import { fitNames } from "./list_fit.ts";
import { ReplyBytes } from "./reply_bytes.ts";
import type { NameIndex } from "./name_index.ts";
import type { HandlerOutcome, TableLimit } from "./outcome.ts";
import { searchNameList } from "./search_pages.ts";
import {
  type Address,
  addressKey,
  isOwnHost,
  type Session,
  type SessionRefusal,
  type SessionResult,
  type TrackerState,
} from "./state.ts";

/** Why a v1 login was refused. */
export type LoginRefusal = CredentialRefusal | SessionRefusal;

/** The outcome of a v1 login. */
export type LoginResult = SessionResult | {
  readonly ok: false;
  readonly reason: CredentialRefusal;
};

/** What a v1 login checks with and opens a session in. */
export interface LoginParts {
  readonly state: TrackerState;
  readonly authenticator: Authenticator;
}

/**
 * A v1 `auth`: checks the password, then opens a v1 session for `user` at `from`.
 *
 * @example
 * ```ts
 * import { Authenticator } from "./authenticator.ts";
 * import { TrackerState } from "./state.ts";
 * import { plaintextLogin } from "./v1_handler.ts";
 * const parts = {
 *   state: new TrackerState({ now: () => 0 }),
 *   authenticator: new Authenticator({
 *     credentials: new Map([["alice", { kind: "plain", password: "pw" }]]),
 *   }),
 * };
 * console.assert(plaintextLogin(parts, { hostname: "127.0.0.1", port: 9 }, "alice", "pw").ok);
 * ```
 */
export function plaintextLogin(
  parts: LoginParts,
  from: Address,
  user: string,
  password: string,
): LoginResult {
  const refusal = parts.authenticator.checkPassword(user, password);
  if (refusal !== undefined) return { ok: false, reason: refusal };
  return parts.state.openSession(from, user, { version: 1 });
}

/** What a {@linkcode V1Handler} needs. */
export interface V1HandlerOptions extends LoginParts {
  /** Counts `auth` failures (whose source address nothing proves) and checks their lockouts. */
  readonly guard: LoginGuard;
  /** Lockouts earned where the source was proven (v2 logins), honoured by `auth` too. */
  readonly verifiedGuard?: LoginGuard;
  /** False refuses every plaintext `auth` (the password would cross the network in clear). */
  readonly allowPlaintext?: boolean;
  /** True lets `TCP` name a host other than the one the session speaks from (see docs). */
  readonly allowForeignTcpAddress?: boolean;
}

const MAX_LOGGED_REPLY_CHARS = 80;

/**
 * Handles v1 datagrams.
 *
 * @example
 * ```ts
 * import { Authenticator } from "./authenticator.ts";
 * import { LoginGuard } from "./guard.ts";
 * import { TrackerState } from "./state.ts";
 * import { V1Handler } from "./v1_handler.ts";
 * const handler = new V1Handler({
 *   state: new TrackerState({ now: () => 0 }),
 *   authenticator: new Authenticator({ credentials: new Map() }),
 *   guard: new LoginGuard({ now: () => 0 }),
 * });
 * const outcome = handler.handle(new TextEncoder().encode("lap"), {
 *   hostname: "127.0.0.1",
 *   port: 4000,
 * });
 * console.assert(outcome.summary === "ERR");
 * ```
 */
export class V1Handler {
  readonly #state: TrackerState;
  readonly #parts: LoginParts;
  readonly #guard: LoginGuard;
  readonly #verifiedGuard: LoginGuard | undefined;
  readonly #allowPlaintext: boolean;
  readonly #allowForeignTcp: boolean;
  readonly #replyBytes = new ReplyBytes();

  constructor(options: V1HandlerOptions) {
    this.#state = options.state;
    this.#parts = { state: options.state, authenticator: options.authenticator };
    this.#guard = options.guard;
    this.#verifiedGuard = options.verifiedGuard;
    this.#allowPlaintext = options.allowPlaintext ?? true;
    this.#allowForeignTcp = options.allowForeignTcpAddress ?? false;
  }

  /** Handles one datagram from `from` that is not v2. */
  handle(datagram: Uint8Array, from: Address): HandlerOutcome {
    return this.handleFrom(datagram, from, this.#state.sessionAt(from));
  }

  /** {@linkcode V1Handler.handle} with the live session at `from` already looked up. */
  handleFrom(datagram: Uint8Array, from: Address, session: Session | undefined): HandlerOutcome {
    return this.#encode(this.#decide(datagram, from, session));
  }

  #encode(decided: Decision): HandlerOutcome {
    const { reply, later, command } = decided;
    const pending = later?.then((next) => this.#encode({ ...next, command }));
    if (reply === undefined) {
      return { peer: decided.peer, command, note: decided.note, limit: decided.limit, pending };
    }
    const text = replyText(reply);
    const summary = text.length > MAX_LOGGED_REPLY_CHARS
      ? `${text.slice(0, MAX_LOGGED_REPLY_CHARS)}\u2026`
      : text;
    // The text is made once for the log and the datagram (encodeReply would make it again).
    return {
      peer: decided.peer,
      command,
      note: decided.note,
      limit: decided.limit,
      pending,
      reply: this.#replyBytes.encode(text),
      summary,
    };
  }

  #decide(datagram: Uint8Array, from: Address, session: Session | undefined): Decision {
    const state = this.#state;
    const decoded = decodeRequest(datagram);
    if (!decoded.ok) {
      const command = decoded.command?.toUpperCase() ?? "INVALID";
      const peer = session?.user ?? addressKey(from);
      const note = decoded.reason;
      // HBT and TCP never get a reply; and a stranger's reply is never larger than its datagram.
      const silent = decoded.command === "HBT" || decoded.command === "TCP" ||
        (session === undefined && datagram.length < MIN_STRANGER_REQUEST_BYTES);
      return silent ? { peer, command, note } : { peer, command, note, reply: { kind: "error" } };
    }
    const request = decoded.request;
    const command = request.kind.toUpperCase();
    if (request.kind === "auth") return { command, ...this.#auth(request, from) };
    if (session?.version === 2) {
      // A v2 session is identified by its token, never by its address alone.
      const silent = request.kind === "HBT" || request.kind === "TCP";
      const note = "v1 request from a v2 session's address";
      return silent
        ? { peer: session.user, command, note }
        : { peer: session.user, command, note, reply: { kind: "error" } };
    }
    if (session === undefined) {
      const stranger = addressKey(from);
      const silent = request.kind === "HBT" || request.kind === "TCP";
      const note = "no session";
      return silent
        ? { peer: stranger, command, note }
        : { peer: stranger, command, note, reply: { kind: "error" } };
    }
    state.touch(session);
    if (
      request.kind === "TCP" && !this.#allowForeignTcp &&
      !isOwnHost(request.host, session.address)
    ) {
      // v1 has no reply to TCP: the claim is ignored and only the log says why.
      return { peer: session.user, command, note: "TCP names another host than the sender's" };
    }
    return { peer: session.user, command, ...answer(state, session, request) };
  }

  #auth(
    request: Extract<Request, { kind: "auth" }>,
    from: Address,
  ): Omit<Decision, "command"> {
    const peer = request.user;
    const refuse = (note: string, limit?: TableLimit) => ({
      peer,
      reply: { kind: "error" } as const,
      note,
      ...(limit ? { limit } : {}),
    });
    if (!this.#allowPlaintext) return refuse("plaintext logins are disabled");
    if (
      this.#guard.lockedFor(peer, from.hostname) > 0 ||
      (this.#verifiedGuard?.lockedFor(peer, from.hostname) ?? 0) > 0
    ) {
      return refuse("locked out after failures");
    }
    const check = this.#parts.authenticator.verifyPassword(request.user, request.password);
    switch (check.kind) {
      case "busy":
        return refuse("too many password checks running", "verifications");
      case "done":
        return this.#finishAuth(peer, from, check.refusal);
      case "pending":
        // PBKDF2 runs off the loop; the reply goes out when it is done.
        return {
          peer,
          note: "checking the password",
          later: check.result.then((refusal) => this.#finishAuth(peer, from, refusal)),
        };
    }
  }

  /** The rest of a v1 `auth` once the password has been checked. */
  #finishAuth(
    peer: string,
    from: Address,
    refusal: CredentialRefusal | undefined,
  ): Omit<Decision, "command"> {
    const refuse = (note: string, limit?: TableLimit) => ({
      peer,
      reply: { kind: "error" } as const,
      note,
      ...(limit ? { limit } : {}),
    });
    if (refusal !== undefined) {
      this.#guard.failed(peer, from.hostname);
      return refuse(refusal);
    }
    const opened = this.#state.openSession(from, peer, { version: 1 });
    if (!opened.ok) {
      return refuse(opened.reason, opened.reason === "tracker full" ? "sessions" : undefined);
    }
    this.#guard.succeeded(peer, from.hostname);
    return { peer, reply: { kind: "ok" } };
  }
}

/** A v1 outcome before its reply is encoded. */
interface Decision extends Omit<HandlerOutcome, "reply" | "summary" | "pending"> {
  readonly reply?: Reply;
  /** The decision still to come, for an `auth` whose password is checked off the loop. */
  readonly later?: Promise<Omit<Decision, "command">>;
}

function answer(
  state: TrackerState,
  session: Session,
  request: Exclude<Request, { kind: "auth" }>,
): { reply?: Reply; note?: string; limit?: TableLimit } {
  const user = session.user;
  switch (request.kind) {
    case "HBT":
      return {};
    case "TCP":
      session.downloadAddress = { hostname: request.host, port: request.port };
      return {};
    case "lap": {
      const users = state.activeUsersFor(session);
      return { reply: { kind: "peers", list: fitNames(users.total, users.next) } };
    }
    case "lpf": {
      const files = state.publishedFrom(user);
      return { reply: { kind: "publishedFiles", list: fitNames(files.total, files.next) } };
    }
    case "pub":
      return state.publish(user, request.file)
        ? { reply: { kind: "published" } }
        : { reply: { kind: "error" }, note: "publication limit reached", limit: "publications" };
    case "unp":
      return {
        reply: { kind: state.unpublish(user, request.file) ? "unpublished" : "unpublishFailed" },
      };
    case "sch":
      return search(state.searchIndex(), request.text, user);
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

/**
 * A v1 `sch`: the names that fit and `…and N more`, N exact. When the count would walk past the
 * step cap, N is the index's upper bound less the names shown (the protocol has no words for
 * "too broad" in v1, and an `ERR` would say the request was wrong), and the log says so.
 */
function search(
  index: NameIndex,
  text: string,
  asker: string,
): { reply: Reply; note?: string; limit?: TableLimit } {
  const found = searchNameList(index, text, asker);
  if (found.kind === "found") return { reply: { kind: "found", list: found.reply } };
  const list = index.list(text, { asker });
  const pulled: string[] = [];
  const bounded = fitNames(found.atMost, () => {
    const name = list.next();
    if (name !== undefined) pulled.push(name);
    return name;
  });
  if (list.stopped === "end") {
    // The listing reached the end of the matches: their number is known after all.
    const again = pulled.values();
    return { reply: { kind: "found", list: fitNames(pulled.length, () => again.next().value) } };
  }
  return {
    reply: { kind: "found", list: bounded },
    note: "search too broad: N is an upper bound",
    limit: "searchCost",
  };
}
