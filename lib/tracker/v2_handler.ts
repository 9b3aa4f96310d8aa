/**
 * The tracker's side of protocol v2 after login: tokens bound to the login address, replies
 * remembered per session so a retransmission is answered again and never applied twice, paged
 * lists. `LOGIN` and `PROOF` go to `v2_login.ts`. Pure apart from the state it is given; time and
 * randomness are injected.
 *
 * @module
 */

import {
  decodeV2Request,
  type FoundName,
  foundNameText,
  MAX_DATAGRAM_BYTES,
  MAX_SEALED_PLAINTEXT_BYTES,
  sealedToken,
  type SearchMode,
  utf8Length,
  type V2ReplyBody,
  type V2Request,
  type V2RequestBody,
} from "../protocol/mod.ts";
import { constantTimeEqual } from "../protocol/scram.ts";
import type { Authenticator } from "./authenticator.ts";
import {
  ACCEPT_UNSEALED_REQUESTS,
  V2_HEARTBEAT_INTERVAL_MS,
  V2_REPLY_CACHE_SIZE,
  V2_SESSION_TIMEOUT_MS,
} from "./defaults.ts";
import type { LoginGuard } from "./guard.ts";
import {
  type EncodedV2Reply,
  type HandlerOutcome,
  type TableLimit,
  v2Refusal,
  v2Reply,
} from "./outcome.ts";
import { type Address, addressKey, isOwnHost, type Session, type TrackerState } from "./state.ts";
import { PageCursors } from "./search_pages.ts";
import { answerable, holderOf, holdersPage, pageFrom, pageRequest } from "./v2_pages.ts";
import { V2Login } from "./v2_login.ts";
import { type SealedDropReason, SessionSeals } from "./session_seals.ts";
import { EndedSessions } from "./ended_sessions.ts";
import { ReplyRing } from "./reply_ring.ts";

/** What {@linkcode V2Handler} needs. */
export interface V2HandlerOptions {
  readonly state: TrackerState;
  readonly authenticator: Authenticator;
  readonly guard: LoginGuard;
  readonly now: () => number;
  /** Random bytes (tokens, nonces); defaults to the CSPRNG. */
  readonly randomBytes?: (length: number) => Uint8Array;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatMs?: number;
  /**
   * Whether a request carrying a token may come unsealed (the behaviour before sealed datagrams);
   * default {@linkcode ACCEPT_UNSEALED_REQUESTS}. False answers it `ERR token`.
   */
  readonly acceptUnsealed?: boolean;
  /** True lets `TCP` name a host other than the one the session speaks from. */
  readonly allowForeignTcpAddress?: boolean;
}

/** A sealed datagram dropped without a word, for the throttled log and the counters. */
export interface SealedDrop {
  readonly peer: string;
  readonly dropped: SealedDropReason;
}

/** A remembered reply, with the cap it reported, so a retransmission reports it again. */
interface CachedReply extends EncodedV2Reply {
  readonly limit?: TableLimit;
}

type ReplyCache = ReplyRing<CachedReply | typeof BARE_OK>;

// Most replies are a bare OK (HBT, PUB, TCP…): cached as this marker and encoded again for a
// retransmission (the same id and body encode to the same bytes). Kept encoded, each cost ~250
// bytes of heap, 64 of them per v2 session: ~16 KB for every heartbeating session.
const BARE_OK = "OK";

const encoder = new TextEncoder();

/**
 * Handles v2 datagrams.
 *
 * @example
 * ```ts ignore
 * const handler = new V2Handler({ state, authenticator, guard, now });
 * const outcome = handler.handle(datagram, { hostname: "127.0.0.1", port: 5000 });
 * ```
 */
export class V2Handler {
  readonly #state: TrackerState;
  readonly #login: V2Login;
  readonly #replyCaches = new WeakMap<Session, ReplyCache>();
  // Where each session's search pages continue: page 2 does not search again.
  readonly #cursors: PageCursors;
  readonly #seals = new SessionSeals();
  readonly #ended: EndedSessions;
  readonly #acceptUnsealed: boolean;
  readonly #allowForeignTcp: boolean;

  constructor(options: V2HandlerOptions) {
    this.#state = options.state;
    this.#acceptUnsealed = options.acceptUnsealed ?? ACCEPT_UNSEALED_REQUESTS;
    this.#allowForeignTcp = options.allowForeignTcpAddress ?? false;
    this.#ended = new EndedSessions({ now: options.now });
    this.#cursors = new PageCursors({ now: options.now });
    this.#login = new V2Login({
      state: options.state,
      authenticator: options.authenticator,
      guard: options.guard,
      seals: this.#seals,
      now: options.now,
      randomBytes: options.randomBytes ??
        ((length) => crypto.getRandomValues(new Uint8Array(length))),
      sessionTimeoutMs: options.sessionTimeoutMs ?? V2_SESSION_TIMEOUT_MS,
      heartbeatMs: options.heartbeatMs ?? V2_HEARTBEAT_INTERVAL_MS,
    });
  }

  /**
   * Handles one datagram that starts with `PS2 *`: an authentic request is answered as usual and
   * the reply sealed; a token without a session gets the gone notice; anything else is dropped
   * and changes nothing.
   */
  handleSealed(datagram: Uint8Array, from: Address): HandlerOutcome | SealedDrop {
    const opening = this.#seals.open(datagram, from, this.#state);
    switch (opening.kind) {
      case "dropped":
        return { peer: addressKey(from), dropped: opening.reason };
      case "gone":
        return this.#repeatedBye(datagram, from) ?? {
          peer: addressKey(from),
          command: "SEALED",
          note: "no session has this token",
          reply: opening.notice,
          summary: "gone",
        };
      case "request": {
        const { session, request } = opening;
        const outcome = this.#serve(session, request, MAX_SEALED_PLAINTEXT_BYTES);
        const sealed = outcome.reply && this.#seals.seal(session, outcome.reply);
        const { reply: _plaintext, ...rest } = outcome;
        return sealed ? { ...rest, reply: sealed } : rest;
      }
    }
  }

  /**
   * A `BYE` sealed under a session that `BYE` ended moments ago: answered `OK` again, so a repeat
   * is neither met with `gone` nor logged as an error. Anything else for that token is gone.
   */
  #repeatedBye(datagram: Uint8Array, from: Address): HandlerOutcome | undefined {
    const token = sealedToken(datagram);
    const session = token === undefined ? undefined : this.#ended.find(token);
    if (session === undefined || token === undefined) return undefined;
    const opening = this.#seals.openFor(session, datagram, from, token);
    if (opening.kind !== "request" || opening.request.body.verb !== "BYE") return undefined;
    const { reply: plain, summary } = v2Reply(opening.request.id, OK.body);
    const reply = this.#seals.seal(session, plain);
    if (reply === undefined) return undefined;
    return {
      peer: session.user,
      command: "BYE",
      note: "repeated after the session ended",
      reply,
      summary,
    };
  }

  /** Handles one datagram that starts with `PS2 ` but is not sealed. */
  handle(datagram: Uint8Array, from: Address): HandlerOutcome {
    const session = this.#state.sessionAt(from);
    const sourceKey = addressKey(from);
    const decoded = decodeV2Request(datagram);
    if (!decoded.ok) {
      const peer = session?.user ?? sourceKey;
      if (decoded.id === undefined) return { peer, command: "INVALID", note: decoded.reason };
      return {
        peer,
        command: "INVALID",
        note: decoded.reason,
        ...v2Refusal(decoded.id, "malformed", datagram.length, session !== undefined),
      };
    }
    const request = decoded.request;
    const body = request.body;
    const command = body.verb;
    if (request.token === undefined) {
      if (body.verb === "LOGIN" || body.verb === "PROOF") {
        return {
          command,
          ...this.#login.handle(request.id, body, from, sourceKey, datagram),
        };
      }
      // The decoder already refuses these; kept so no path can act without a token.
      return {
        peer: sourceKey,
        command,
        note: "token required",
        ...v2Refusal(request.id, "token", datagram.length, false),
      };
    }
    if (
      session === undefined || session.version !== 2 || session.token === undefined ||
      !constantTimeEqual(encoder.encode(session.token), encoder.encode(request.token))
    ) {
      // A wrong, stale or roaming token changes nothing and learns nothing.
      return {
        peer: sourceKey,
        command,
        note: session ? "wrong token" : "no session for this address",
        ...v2Refusal(request.id, "token", datagram.length, false),
      };
    }
    if (!this.#acceptUnsealed) {
      // After login only sealed requests count; the refusal is sized like a stranger's.
      return {
        peer: sourceKey,
        command,
        note: "unsealed request after login",
        ...v2Refusal(request.id, "token", datagram.length, false),
      };
    }
    return this.#serve(session, request, MAX_DATAGRAM_BYTES);
  }

  /**
   * Answers an authenticated request of `session` (from the reply cache for a retransmission),
   * with lists paged to `budget` bytes of encoded reply.
   */
  #serve(session: Session, request: V2Request, budget: number): HandlerOutcome {
    const body = request.body;
    const command = body.verb;
    const cache = this.#cacheOf(session);
    const cached = cache.get(request.id);
    if (cached !== undefined) {
      this.#state.touch(session);
      const again = cached === BARE_OK ? v2Reply(request.id, OK.body) : cached;
      return { peer: session.user, command, ...again, note: "retransmission" };
    }
    if (request.id <= cache.highestId - V2_REPLY_CACHE_SIZE) {
      return {
        peer: session.user,
        command,
        note: "stale id",
        ...v2Reply(request.id, { status: "ERR", code: "stale" }),
      };
    }
    this.#state.touch(session);
    const answer = this.#answer(session, body, budget);
    const reply: CachedReply = {
      ...v2Reply(request.id, answer.body),
      ...(answer.limit ? { limit: answer.limit } : {}),
    };
    cache.add(request.id, answer === OK ? BARE_OK : reply);
    return { peer: session.user, command, ...reply };
  }

  #cacheOf(session: Session): ReplyCache {
    let cache = this.#replyCaches.get(session);
    if (cache === undefined) {
      cache = new ReplyRing(V2_REPLY_CACHE_SIZE);
      this.#replyCaches.set(session, cache);
    }
    return cache;
  }

  #answer(session: Session, body: V2RequestBody, budget: number): Answer {
    const state = this.#state;
    const user = session.user;
    switch (body.verb) {
      case "LOGIN":
      case "PROOF":
        return { body: { status: "ERR", code: "malformed" } };
      case "TCP":
        if (!this.#allowForeignTcp && !isOwnHost(body.host, session.address)) {
          return { body: { status: "ERR", code: "address" } };
        }
        session.downloadAddress = { hostname: body.host, port: body.port };
        session.tls = body.tls;
        return OK;
      case "HBT":
        return OK;
      case "BYE":
        state.end(session);
        this.#ended.remember(session);
        return OK;
      case "LAP":
        return {
          body: pageFrom(state.activeUsersFor(session, body.offset), body.offset, budget),
        };
      case "LPF":
        return { body: pageFrom(state.publishedFrom(user, body.offset), body.offset, budget) };
      case "OWN":
        // The same list as LPF with names in wire form, so names with spaces are there too.
        return {
          body: pageFrom(state.allPublishedFrom(user, body.offset), body.offset, budget, true),
        };
      case "SCH":
        return this.#search(session, body.text, body.offset, budget);
      case "FIND":
        return this.#find(session, body.mode, body.text, body.offset, budget);
      case "PUB":
        return state.publish(user, body.file, { size: body.size, sha256: body.sha256 })
          ? OK
          : { body: { status: "ERR", code: "limit" }, limit: "publications" };
      case "UNP":
        return state.unpublish(user, body.file)
          ? OK
          : { body: { status: "ERR", code: "notpublished" } };
      case "GET": {
        if (!state.isPublished(body.file)) return { body: { status: "ERR", code: "notfound" } };
        const holders = state.holders(body.file, user).map(({ session: holder, meta }) =>
          holderOf(holder, meta)
        );
        if (holders.length === 0) return { body: { status: "ERR", code: "inactive" } };
        return { body: holdersPage(holders, body.offset, budget) };
      }
    }
  }

  // A page of a search, continuing from the session's cursor when it asks for the next page.
  #search(session: Session, text: string, offset: number, budget: number): Answer {
    const page = this.#cursors.page(
      this.#state.searchIndex(),
      pageRequest(session, text, offset, budget),
    );
    if (!answerable(page, offset)) return BROAD;
    const { total, names } = page.reply;
    return { body: { status: "LIST", total, offset, names: [...names] } };
  }

  /**
   * A page of `FIND`: as `SCH`, from the folded or the exact index, each name with its versions
   * (worked out once per name, for sizing the page and for the reply).
   */
  #find(
    session: Session,
    mode: SearchMode,
    text: string,
    offset: number,
    budget: number,
  ): Answer {
    const found = new Map<string, FoundName>();
    const entry = (name: string) => {
      let item = found.get(name);
      if (item === undefined) {
        item = { name, versions: this.#state.versions(name, session.user) };
        found.set(name, item);
      }
      return item;
    };
    const page = this.#cursors.page(this.#state.findIndex(mode), {
      ...pageRequest(session, text, offset, budget),
      scope: `FIND ${mode}`,
      sizeOf: (name) => utf8Length(foundNameText(entry(name))),
    });
    if (!answerable(page, offset)) return BROAD;
    const { total, names } = page.reply;
    return { body: { status: "FOUND", total, offset, found: names.map(entry) } };
  }
}

/** The reply to a request in a session, and the cap that refused it. */
interface Answer {
  readonly body: V2ReplyBody;
  readonly limit?: TableLimit;
}

const OK: Answer = { body: { status: "OK" } };
// A search too broad to count or page exactly (see `answerable`): the user can narrow the text.
const BROAD: Answer = { body: { status: "ERR", code: "broad" }, limit: "searchCost" };
