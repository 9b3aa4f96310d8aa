/**
 * A small v2 client for tracker tests that speaks sealed datagrams exactly as the spec says,
 * built only from `lib/protocol/` (SCRAM and `sealed.ts`), independent of the peer's own client:
 * it logs in, then seals every request and opens every reply — and lets a test send raw, forged
 * or replayed datagrams from the same socket.
 *
 * @module
 */

import {
  decodeV2Reply,
  deriveSessionKeys,
  encodeV2Request,
  openDatagram,
  ReplayWindow,
  sealDatagram,
  type SessionKeys,
  type V2ReplyBody,
  type V2RequestBody,
} from "../../lib/protocol/mod.ts";
import {
  decodeBase64,
  deriveClientKeys,
  newNonce,
  verifyServerSignature,
} from "../../lib/protocol/scram.ts";
import { answerChallenge } from "../../lib/protocol/scram_answer.ts";
import { UdpProbe } from "./udp_probe.ts";

/** Where the client talks from and to. */
export interface SealedClientOptions {
  readonly trackerPort: number;
  /** Local address to bind (default 127.0.0.1, port 0). */
  readonly hostname?: string;
  readonly port?: number;
}

/** A login refused or unanswered. */
export class SealedLoginError extends Error {
  constructor(readonly reply: V2ReplyBody | undefined) {
    super(`login failed: ${reply ? JSON.stringify(reply) : "no reply"}`);
    this.name = "SealedLoginError";
  }
}

/** One UDP socket speaking sealed v2 to a tracker. */
export class SealedClient {
  readonly #probe: UdpProbe;
  #nextId = 1;
  token: string | undefined;
  keys: SessionKeys | undefined;
  /** The next counter this client seals with. */
  counter = 0;
  readonly #replayWindow = new ReplayWindow();

  constructor(options: SealedClientOptions) {
    // The tracker listens on 127.0.0.1 whichever loopback address this client speaks from.
    this.#probe = new UdpProbe(options.trackerPort, options.hostname ?? "127.0.0.1", {
      port: options.port,
      trackerHost: "127.0.0.1",
    });
  }

  /** This client's UDP port. */
  get port(): number {
    return this.#probe.port;
  }

  /** Sends raw bytes to the tracker. */
  send(datagram: Uint8Array): Promise<void> {
    return this.#probe.send(datagram);
  }

  /** The next datagram received, or `undefined` after `timeoutMs`. */
  receive(timeoutMs = 1000): Promise<Uint8Array | undefined> {
    return this.#probe.receive(timeoutMs);
  }

  /** A clear v2 exchange (LOGIN, PROOF): the decoded reply, or undefined. */
  async #askClear(body: V2RequestBody): Promise<V2ReplyBody | undefined> {
    await this.send(encodeV2Request({ id: this.#nextId++, body }));
    const reply = await this.receive(2000);
    if (reply === undefined) return undefined;
    const decoded = decodeV2Reply(reply);
    return decoded.ok ? decoded.reply.body : undefined;
  }

  /** Logs in with SCRAM and keeps the session keys; throws {@linkcode SealedLoginError}. */
  async login(user: string, password: string): Promise<void> {
    const clientNonce = newNonce();
    const challenge = await this.#askClear({ verb: "LOGIN", user, clientNonce });
    if (challenge?.status !== "CHALLENGE") throw new SealedLoginError(challenge);
    const salt = decodeBase64(challenge.salt) as Uint8Array;
    const keys = await deriveClientKeys(password, salt, challenge.iterations);
    const { message, proof } = answerChallenge({ keys, user, clientNonce, salt, challenge });
    const welcome = await this.#askClear({ verb: "PROOF", nonce: challenge.nonce, proof });
    if (welcome?.status !== "WELCOME") throw new SealedLoginError(welcome);
    const signature = decodeBase64(welcome.serverSignature) as Uint8Array;
    if (!verifyServerSignature(keys.serverKey, message, signature)) {
      throw new SealedLoginError(welcome);
    }
    this.token = welcome.token;
    this.keys = deriveSessionKeys(keys.storedKey, message);
    this.counter = 0;
  }

  /** The plaintext of a request with a fresh id (or `id`), as the spec seals it. */
  plaintext(body: V2RequestBody, id = this.#nextId++): Uint8Array {
    return encodeV2Request({ id, token: this.token, body });
  }

  /** Seals `plaintext` with the next counter (or `counter`). */
  seal(plaintext: Uint8Array, counter = this.counter++): Uint8Array {
    if (this.keys === undefined || this.token === undefined) throw new Error("not logged in");
    return sealDatagram({
      key: this.keys.request,
      direction: "request",
      token: this.token,
      counter,
      plaintext,
    });
  }

  /** Opens a sealed reply: its decoded body, or `undefined` when it is not an authentic reply. */
  open(datagram: Uint8Array): V2ReplyBody | undefined {
    const keys = this.keys;
    if (keys === undefined) return undefined;
    const opened = openDatagram(
      datagram,
      (token) => (token === this.token ? keys.reply : undefined),
      "reply",
    );
    if (!opened.ok || !this.#replayWindow.accept(opened.counter)) return undefined;
    const decoded = decodeV2Reply(opened.plaintext);
    return decoded.ok ? decoded.reply.body : undefined;
  }

  /** Sends one sealed request and returns the opened reply (`undefined` when none came). */
  async request(body: V2RequestBody, timeoutMs = 1000): Promise<V2ReplyBody | undefined> {
    await this.send(this.seal(this.plaintext(body)));
    const reply = await this.receive(timeoutMs);
    return reply && this.open(reply);
  }

  /** Closes the socket. */
  close(): Promise<void> {
    return this.#probe.close();
  }
}
