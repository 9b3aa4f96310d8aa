/**
 * The peer's side of the v2 control channel: every request carries an id, is retransmitted with
 * exponential backoff until its reply arrives or a deadline passes, and replies that are stale,
 * duplicated or for another id are ignored. Only the tracker's exact address is heard, and once
 * logged in with sealing only sealed replies of this session (`reply_gate.ts`). Also the SCRAM
 * login, which proves the password without sending it, checks that the tracker knows the verifier
 * and derives the session's sealing keys.
 *
 * @module
 */

import {
  encodeV2Request,
  type NameList,
  V2_MAX_REQUEST_ID,
  type V2ErrorCode,
  type V2RequestBody,
} from "../../protocol/mod.ts";
import { deriveSessionKeys } from "../../protocol/sealed.ts";
import {
  SEAL_V2_DATAGRAMS,
  V1_FALLBACK_WINDOW_MS,
  V2_REQUEST_DEADLINE_MS,
  V2_RETRY_INITIAL_MS,
  V2_RETRY_MAX_INTERVAL_MS,
} from "../defaults.ts";
import { classifyDatagram, normaliseIp, SealedSession, type V2Answer } from "./reply_gate.ts";
import {
  decodeBase64,
  deriveClientKeys,
  isAcceptableIterations,
  newNonce,
  verifyServerSignature,
} from "../../protocol/scram.ts";
import { answerChallenge } from "../../protocol/scram_answer.ts";
import { collectPages, LISTING_LIMITS, type PagingLimits } from "./paging.ts";

/** The tracker did not answer a request within the deadline, despite retransmissions. */
export class TrackerNotRespondingError extends Error {
  override name = "TrackerNotRespondingError";
  constructor(readonly verb: string, readonly deadlineMs: number, readonly tries: number) {
    super(`tracker not responding (${verb}: no reply to ${tries} tries in ${deadlineMs} ms)`);
  }
}

/**
 * The tracker answered `LOGIN` only with v1's bare `ERR`, for the whole fall-back window and
 * never in v2: it speaks only v1.
 */
export class V1OnlyTrackerError extends Error {
  override name = "V1OnlyTrackerError";
  constructor() {
    super("the tracker speaks only PeerSync v1");
  }
}

/** The tracker refused a request with a v2 error code (and, maybe, how long to wait). */
export class TrackerRefusedError extends Error {
  override name = "TrackerRefusedError";
  constructor(
    readonly verb: string,
    readonly code: V2ErrorCode,
    readonly waitSeconds?: number,
  ) {
    super(`the tracker refused ${verb}: ${code}`);
  }
}

/** The tracker could not prove it knows the user's verifier: it may be an impostor. */
export class TrackerNotAuthenticError extends Error {
  override name = "TrackerNotAuthenticError";
  constructor(reason: string) {
    super(`the tracker failed to prove its identity (${reason}); not logging in`);
  }
}

/** The client was closed. */
export class V2ClientClosedError extends Error {
  override name = "V2ClientClosedError";
  constructor() {
    super("the control channel is closed");
  }
}

/** Where the tracker is and how patient to be. */
export interface V2ClientOptions {
  /** The tracker's IP literal (resolved): replies are heard from this address only. */
  readonly trackerHost: string;
  readonly trackerPort: number;
  readonly bindHostname: string;
  readonly initialIntervalMs?: number;
  readonly maxIntervalMs?: number;
  readonly deadlineMs?: number;
  /** Seal every request after login; defaults to {@linkcode SEAL_V2_DATAGRAMS}. */
  readonly sealed?: boolean;
  /** How long `LOGIN` is retried before v1's `ERR` alone means a v1 tracker. */
  readonly v1FallbackWindowMs?: number;
}

/** One request's own retransmission timing, where it differs from the client's. */
export interface RequestTiming {
  /** The first wait before a retransmission (doubled after each try). */
  readonly initialIntervalMs?: number;
  /** When to give up with {@linkcode TrackerNotRespondingError}. */
  readonly deadlineMs?: number;
}

interface Pending {
  readonly verb: string;
  readonly resolve: (body: V2Answer) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A reliable v2 request/reply client over one UDP socket.
 *
 * @example
 * ```ts ignore
 * const client = new V2Client({ trackerHost: "127.0.0.1", trackerPort: 9000, bindHostname: "127.0.0.1" });
 * await loginV2(client, "alice", "secret");
 * const reply = await client.request({ verb: "LAP", offset: 0 });
 * await client.close();
 * ```
 */
export class V2Client {
  readonly #conn: Deno.DatagramConn;
  readonly #tracker: Deno.NetAddr;
  readonly #initialMs: number;
  readonly #maxIntervalMs: number;
  readonly #deadlineMs: number;
  readonly #fallbackWindowMs: number;
  readonly #trackerIp: string;
  readonly #pending = new Map<number, Pending>();
  readonly #receiving: Promise<void>;
  #nextId = 1;
  #closed = false;
  #sawV1Error = false;
  #sawV2Reply = false;
  #sealed: SealedSession | undefined;
  /** The session token, once logged in. */
  token: string | undefined;
  /** Whether requests are sealed once logged in. */
  readonly sealing: boolean;

  constructor(options: V2ClientOptions) {
    this.#tracker = { transport: "udp", hostname: options.trackerHost, port: options.trackerPort };
    this.#trackerIp = normaliseIp(options.trackerHost);
    this.#initialMs = options.initialIntervalMs ?? V2_RETRY_INITIAL_MS;
    this.#maxIntervalMs = options.maxIntervalMs ?? V2_RETRY_MAX_INTERVAL_MS;
    this.#deadlineMs = options.deadlineMs ?? V2_REQUEST_DEADLINE_MS;
    this.#fallbackWindowMs = options.v1FallbackWindowMs ?? V1_FALLBACK_WINDOW_MS;
    this.sealing = options.sealed ?? SEAL_V2_DATAGRAMS;
    this.#conn = Deno.listenDatagram({ transport: "udp", hostname: options.bindHostname, port: 0 });
    this.#receiving = this.#receiveLoop();
  }

  /** The local address the tracker knows this client by. */
  get localAddr(): Deno.NetAddr {
    return this.#conn.addr as Deno.NetAddr;
  }

  /** Seals every request from now on, under this session's keys. */
  startSealing(session: SealedSession): void {
    this.#sealed = session;
  }

  /** Today's encoded request, sealed with a fresh counter once the session is sealed. */
  #datagram(id: number, body: V2RequestBody): Uint8Array {
    const plain = encodeV2Request({ id, body, ...(this.token ? { token: this.token } : {}) });
    return this.#sealed ? this.#sealed.seal(plain) : plain;
  }

  #takeId(): number {
    const id = this.#nextId;
    this.#nextId = id >= V2_MAX_REQUEST_ID ? 1 : id + 1;
    return id;
  }

  /**
   * Sends a request and resolves with the reply body (an `ERR` body included), retransmitting
   * with exponential backoff.
   *
   * @throws {TrackerNotRespondingError} past the deadline.
   * @throws {V1OnlyTrackerError} for `LOGIN`, when the fall-back window passed with v1's `ERR`
   * and no v2 reply (any v2 reply wins over any number of `ERR`s).
   */
  async request(body: V2RequestBody, timing: RequestTiming = {}): Promise<V2Answer> {
    if (this.#closed) throw new V2ClientClosedError();
    const id = this.#takeId();
    const negotiating = body.verb === "LOGIN";
    const deadlineMs = timing.deadlineMs ?? this.#deadlineMs;
    const reply = new Promise<V2Answer>((resolve, reject) => {
      this.#pending.set(id, { verb: body.verb, resolve, reject });
    });
    const started = performance.now();
    let interval = timing.initialIntervalMs ?? this.#initialMs;
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    reply.then(() => settled = true, () => settled = true);
    try {
      while (!settled) {
        const elapsed = performance.now() - started;
        // LOGIN is given the whole fall-back window even under a shorter --timeout.
        const left = (negotiating ? Math.max(deadlineMs, this.#fallbackWindowMs) : deadlineMs) -
          elapsed;
        const windowLeft = this.#fallbackWindowMs - elapsed;
        if (negotiating && windowLeft <= 0 && this.#sawV1Error) throw new V1OnlyTrackerError();
        if (left <= 0) throw new TrackerNotRespondingError(body.verb, deadlineMs, tries);
        tries++;
        // Sealed anew for every try: a counter is never used twice.
        await this.#conn.send(this.#datagram(id, body), this.#tracker).catch(() => {});
        // While negotiating, wake when the fall-back window closes too.
        const wait = Math.min(interval, left, negotiating && windowLeft > 0 ? windowLeft : left);
        await Promise.race([
          reply.catch(() => {}),
          new Promise((resolve) => timer = setTimeout(resolve, wait)),
        ]);
        clearTimeout(timer);
        // That wait ran to the deadline: a timer may fire a fraction of a millisecond early by
        // this clock, and a try sent then could never be answered in time. (LOGIN keeps the
        // checks at the top: its fall-back window decides between two errors.)
        if (!settled && !negotiating && wait >= left) {
          throw new TrackerNotRespondingError(body.verb, deadlineMs, tries);
        }
        interval = Math.min(interval * 2, this.#maxIntervalMs);
      }
      return await reply;
    } finally {
      clearTimeout(timer);
      this.#pending.delete(id);
    }
  }

  /**
   * Sends a request once, without retransmitting (a second `BYE`: the session may be over).
   * A reply that arrives within `listenMs` goes to `onReply`; later ones are ignored.
   */
  async notify(
    body: V2RequestBody,
    onReply?: (reply: V2Answer) => void,
    listenMs = this.#deadlineMs,
  ): Promise<void> {
    if (this.#closed) return;
    const id = this.#takeId();
    const datagram = this.#datagram(id, body);
    if (onReply !== undefined) {
      const forget = () => {
        clearTimeout(timer);
        this.#pending.delete(id);
      };
      const timer = setTimeout(forget, listenMs);
      this.#pending.set(id, {
        verb: body.verb,
        resolve: (reply) => {
          forget();
          onReply(reply);
        },
        reject: forget,
      });
    }
    await this.#conn.send(datagram, this.#tracker).catch(() => {});
  }

  /** Closes the socket; waiting requests fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#pending.values()) pending.reject(new V2ClientClosedError());
    this.#pending.clear();
    this.#conn.close();
    await this.#receiving;
  }

  async #receiveLoop(): Promise<void> {
    while (!this.#closed) {
      let datagram: Uint8Array;
      let from: Deno.NetAddr;
      try {
        const [data, addr] = await this.#conn.receive();
        datagram = data;
        from = addr as Deno.NetAddr;
      } catch {
        if (this.#closed) return;
        continue;
      }
      const outcome = classifyDatagram(datagram, from, {
        trackerIp: this.#trackerIp,
        trackerPort: this.#tracker.port as number,
        sealed: this.#sealed,
      });
      switch (outcome.kind) {
        case "reply":
          if (this.token === undefined) this.#sawV2Reply = true;
          // Only the first reply to a waiting id counts; duplicates and stale ones find nothing.
          this.#pending.get(outcome.id)?.resolve(outcome.answer);
          break;
        case "v1Error":
          // Only a sign for the negotiation: never an answer, never fatal.
          if (this.token === undefined) this.#sawV1Error = true;
          break;
        case "gone":
          // The tracker no longer knows this session: every waiting request hears what v2's
          // `ERR token` says, and the link logs in again.
          for (const pending of [...this.#pending.values()]) {
            pending.resolve({ status: "ERR", code: "token" });
          }
          break;
        case "drop":
          break;
      }
    }
  }

  /** Whether a v1 `ERR` came from the tracker's address before login (negotiation). */
  get sawV1Error(): boolean {
    return this.#sawV1Error;
  }

  /** Whether a v2 reply came from the tracker's address before login: it speaks v2. */
  get sawV2Reply(): boolean {
    return this.#sawV2Reply;
  }
}

/** What the tracker said at login. */
export interface V2Welcome {
  readonly token: string;
  readonly heartbeatMs: number;
  readonly timeoutMs: number;
}

/**
 * Logs in with SCRAM-SHA-256: the password never crosses the network, and a tracker that cannot
 * produce the server signature is refused.
 *
 * @throws {TrackerRefusedError} for a wrong password (`auth`), a live session (`live`), a lockout.
 * @throws {TrackerNotAuthenticError} when the tracker's proof is wrong or its challenge is unsafe.
 * @throws {V1OnlyTrackerError} when the tracker speaks only v1.
 */
export async function loginV2(
  client: V2Client,
  user: string,
  password: string,
): Promise<V2Welcome> {
  const clientNonce = newNonce();
  const challenge = await client.request({ verb: "LOGIN", user, clientNonce });
  if (challenge.status === "ERR") {
    throw new TrackerRefusedError("LOGIN", challenge.code, challenge.waitSeconds);
  }
  if (challenge.status !== "CHALLENGE") {
    throw new TrackerNotAuthenticError(`unexpected ${challenge.status}`);
  }
  const salt = decodeBase64(challenge.salt);
  if (!challenge.nonce.startsWith(clientNonce) || challenge.nonce === clientNonce) {
    throw new TrackerNotAuthenticError("the challenge does not extend our nonce");
  }
  if (salt === undefined || salt.length === 0 || !isAcceptableIterations(challenge.iterations)) {
    throw new TrackerNotAuthenticError("unacceptable salt or iteration count");
  }
  const keys = await deriveClientKeys(password, salt, challenge.iterations);
  const { message, proof } = answerChallenge({ keys, user, clientNonce, salt, challenge });
  const welcome = await client.request({ verb: "PROOF", nonce: challenge.nonce, proof });
  if (welcome.status === "ERR") {
    throw new TrackerRefusedError("PROOF", welcome.code, welcome.waitSeconds);
  }
  if (welcome.status !== "WELCOME") {
    throw new TrackerNotAuthenticError(`unexpected ${welcome.status}`);
  }
  const signature = decodeBase64(welcome.serverSignature);
  if (signature === undefined || !verifyServerSignature(keys.serverKey, message, signature)) {
    throw new TrackerNotAuthenticError("wrong server signature");
  }
  client.token = welcome.token;
  if (client.sealing) {
    client.startSealing(
      new SealedSession(welcome.token, deriveSessionKeys(keys.storedKey, message)),
    );
  }
  return { token: welcome.token, heartbeatMs: welcome.heartbeatMs, timeoutMs: welcome.timeoutMs };
}

/** Reads the pages of a `LIST` reply, up to `limits`. */
export async function fetchNames(
  client: Pick<V2Client, "request">,
  page: (offset: number) => V2RequestBody,
  limits: PagingLimits = LISTING_LIMITS,
): Promise<NameList> {
  const { items, omitted } = await collectPages(async (offset) => {
    const reply = await client.request(page(offset));
    if (reply.status === "ERR") throw new TrackerRefusedError(page(0).verb, reply.code);
    if (reply.status !== "LIST") throw new TrackerRefusedError(page(0).verb, "malformed");
    return { items: reply.names, total: reply.total };
  }, limits);
  return { names: items, omitted };
}
