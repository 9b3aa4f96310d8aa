/**
 * The peer's side of the v2 control channel: every request carries an id, is retransmitted with
 * exponential backoff until its reply arrives or a deadline passes, and replies that are stale,
 * duplicated or for another id are ignored. Also the SCRAM login, which proves the password
 * without sending it and checks that the tracker knows the verifier.
 *
 * @module
 */

import {
  decodeUtf8,
  decodeV2Reply,
  encodeV2Request,
  isV2Datagram,
  ReplyText,
  V2_MAX_REQUEST_ID,
  type V2ErrorCode,
  type V2ReplyBody,
  type V2RequestBody,
} from "../../protocol/mod.ts";
import {
  V2_REQUEST_DEADLINE_MS,
  V2_RETRY_INITIAL_MS,
  V2_RETRY_MAX_INTERVAL_MS,
} from "../defaults.ts";
import {
  authMessage,
  clientProof,
  decodeBase64,
  deriveClientKeys,
  encodeBase64,
  isAcceptableIterations,
  newNonce,
  verifyServerSignature,
} from "../../protocol/scram.ts";

/** The tracker did not answer a request within the deadline, despite retransmissions. */
export class TrackerNotRespondingError extends Error {
  override name = "TrackerNotRespondingError";
  constructor(readonly verb: string, readonly deadlineMs: number, readonly tries: number) {
    super(`tracker not responding (${verb}: no reply to ${tries} tries in ${deadlineMs} ms)`);
  }
}

/** The tracker answered a v2 request with v1's bare `ERR`: it speaks only v1. */
export class V1OnlyTrackerError extends Error {
  override name = "V1OnlyTrackerError";
  constructor() {
    super("the tracker speaks only PeerSync v1");
  }
}

/** The tracker refused a request with a v2 error code. */
export class TrackerRefusedError extends Error {
  override name = "TrackerRefusedError";
  constructor(readonly verb: string, readonly code: V2ErrorCode) {
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
  readonly trackerHost: string;
  readonly trackerPort: number;
  readonly bindHostname: string;
  readonly initialIntervalMs?: number;
  readonly maxIntervalMs?: number;
  readonly deadlineMs?: number;
}

interface Pending {
  readonly verb: string;
  readonly resolve: (body: V2ReplyBody) => void;
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
  readonly #pending = new Map<number, Pending>();
  readonly #receiving: Promise<void>;
  #nextId = 1;
  #closed = false;
  #sawV1Error = false;
  /** The session token, once logged in. */
  token: string | undefined;

  constructor(options: V2ClientOptions) {
    this.#tracker = { transport: "udp", hostname: options.trackerHost, port: options.trackerPort };
    this.#initialMs = options.initialIntervalMs ?? V2_RETRY_INITIAL_MS;
    this.#maxIntervalMs = options.maxIntervalMs ?? V2_RETRY_MAX_INTERVAL_MS;
    this.#deadlineMs = options.deadlineMs ?? V2_REQUEST_DEADLINE_MS;
    this.#conn = Deno.listenDatagram({ transport: "udp", hostname: options.bindHostname, port: 0 });
    this.#receiving = this.#receiveLoop();
  }

  /** The local address the tracker knows this client by. */
  get localAddr(): Deno.NetAddr {
    return this.#conn.addr as Deno.NetAddr;
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
   * @throws {V1OnlyTrackerError} when the tracker answered in v1.
   */
  async request(body: V2RequestBody): Promise<V2ReplyBody> {
    if (this.#closed) throw new V2ClientClosedError();
    const id = this.#takeId();
    const datagram = encodeV2Request({ id, body, ...(this.token ? { token: this.token } : {}) });
    const reply = new Promise<V2ReplyBody>((resolve, reject) => {
      this.#pending.set(id, { verb: body.verb, resolve, reject });
    });
    const started = performance.now();
    let interval = this.#initialMs;
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    reply.then(() => settled = true, () => settled = true);
    try {
      while (!settled) {
        const left = this.#deadlineMs - (performance.now() - started);
        if (left <= 0) throw new TrackerNotRespondingError(body.verb, this.#deadlineMs, tries);
        tries++;
        await this.#conn.send(datagram, this.#tracker).catch(() => {});
        await Promise.race([
          reply.catch(() => {}),
          new Promise((resolve) => timer = setTimeout(resolve, Math.min(interval, left))),
        ]);
        clearTimeout(timer);
        interval = Math.min(interval * 2, this.#maxIntervalMs);
      }
      return await reply;
    } finally {
      clearTimeout(timer);
      this.#pending.delete(id);
    }
  }

  /**
   * Sends a request once, without retransmitting (heartbeats: the next one follows soon anyway).
   * A reply that arrives within `listenMs` goes to `onReply`; later ones are ignored.
   */
  async notify(
    body: V2RequestBody,
    onReply?: (reply: V2ReplyBody) => void,
    listenMs = this.#deadlineMs,
  ): Promise<void> {
    if (this.#closed) return;
    const id = this.#takeId();
    const datagram = encodeV2Request({ id, body, ...(this.token ? { token: this.token } : {}) });
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
      if (from.port !== this.#tracker.port) continue;
      if (!isV2Datagram(datagram)) {
        // A v1 tracker answers anything it does not know with a bare ERR.
        if (decodeUtf8(datagram) === ReplyText.error) {
          this.#sawV1Error = true;
          for (const pending of this.#pending.values()) pending.reject(new V1OnlyTrackerError());
        }
        continue;
      }
      const decoded = decodeV2Reply(datagram);
      if (!decoded.ok) continue;
      // Only the first reply to a waiting id counts; duplicates and stale ones find nothing.
      this.#pending.get(decoded.reply.id)?.resolve(decoded.reply.body);
    }
  }

  /** Whether a v1 `ERR` was seen (negotiation). */
  get sawV1Error(): boolean {
    return this.#sawV1Error;
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
  if (challenge.status === "ERR") throw new TrackerRefusedError("LOGIN", challenge.code);
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
  const message = authMessage({
    user,
    clientNonce,
    nonce: challenge.nonce,
    salt,
    iterations: challenge.iterations,
  });
  const proof = encodeBase64(clientProof(keys.clientKey, keys.storedKey, message));
  const welcome = await client.request({ verb: "PROOF", nonce: challenge.nonce, proof });
  if (welcome.status === "ERR") throw new TrackerRefusedError("PROOF", welcome.code);
  if (welcome.status !== "WELCOME") {
    throw new TrackerNotAuthenticError(`unexpected ${welcome.status}`);
  }
  const signature = decodeBase64(welcome.serverSignature);
  if (signature === undefined || !verifyServerSignature(keys.serverKey, message, signature)) {
    throw new TrackerNotAuthenticError("wrong server signature");
  }
  client.token = welcome.token;
  return { token: welcome.token, heartbeatMs: welcome.heartbeatMs, timeoutMs: welcome.timeoutMs };
}

/** Reads every page of a `LIST` reply. */
export async function fetchAllNames(
  client: V2Client,
  page: (offset: number) => V2RequestBody,
): Promise<string[]> {
  const names: string[] = [];
  for (;;) {
    const reply = await client.request(page(names.length));
    if (reply.status === "ERR") throw new TrackerRefusedError(page(0).verb, reply.code);
    if (reply.status !== "LIST") throw new TrackerRefusedError(page(0).verb, "malformed");
    names.push(...reply.names);
    if (reply.names.length === 0 || names.length >= reply.total) return names;
  }
}
