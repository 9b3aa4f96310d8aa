/**
 * A stand-in v2 tracker for the peer's tests: SCRAM login for any user with one password, then
 * (when `sealed`) the sealed datagrams of docs/protocol.md — opened, replay-checked and answered
 * sealed, `PS2 * <token> gone` once it has "restarted" — or clear v2 requests otherwise. Test
 * support only; nothing ships it.
 *
 * @module
 */

import {
  decodeV2Request,
  encodeV2Reply,
  type V2ReplyBody,
  type V2RequestBody,
} from "../../../protocol/mod.ts";
import {
  authMessage,
  deriveClientKeysSync,
  encodeBase64,
  newNonce,
  serverSignature,
} from "../../../protocol/scram.ts";
import {
  deriveSessionKeys,
  isSealedDatagram,
  openDatagram,
  ReplayWindow,
  sealDatagram,
  sealedToken,
  type SessionKeys,
} from "../../../protocol/sealed.ts";
import { encodeHex } from "../../../protocol/mod.ts";

/** How the stand-in behaves. */
export interface FakeV2TrackerOptions {
  /** The password of every user. */
  readonly password: string;
  /** Open sealed requests after login, and refuse clear ones with a token (`ERR token`). */
  readonly sealed: boolean;
  /** The answer to a request after login; `undefined` stays silent. Default: `OK`. */
  readonly answer?: (body: V2RequestBody) => V2ReplyBody | undefined;
  /** Datagrams sent just before the answer to each `LOGIN` (e.g. v1's `ERR`). */
  readonly beforeLoginReply?: readonly string[];
  /** Answer `LOGIN` only from this many milliseconds after the first one arrived. */
  readonly loginReplyAfterMs?: number;
}

interface Session {
  readonly token: string;
  readonly keys: SessionKeys;
  readonly window: ReplayWindow;
  counter: number;
}

/** A running stand-in. */
export interface FakeV2Tracker {
  readonly port: number;
  /** Every request after login, as today's clear text (opened first when sealed). */
  readonly requests: string[];
  /** Counters of the sealed requests received, in order. */
  readonly counters: number[];
  /** Clear datagrams carrying a token received after login. */
  clearAfterLogin: number;
  /** Forgets every session, as a restarted tracker would. */
  forgetSessions(): void;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SALT = new Uint8Array(16).fill(7);
const ITERATIONS = 4096;

/** Starts the stand-in on 127.0.0.1, port 0. */
export function startFakeV2Tracker(options: FakeV2TrackerOptions): FakeV2Tracker {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const keys = deriveClientKeysSync(options.password, SALT, ITERATIONS);
  const challenges = new Map<string, { user: string; clientNonce: string }>();
  let sessions = new Map<string, Session>();
  let firstLogin: number | undefined;
  const tracker: FakeV2Tracker = {
    port: (socket.addr as Deno.NetAddr).port,
    requests: [],
    counters: [],
    clearAfterLogin: 0,
    forgetSessions: () => sessions = new Map(),
    close: async () => {
      socket.close();
      await loop;
    },
  };
  const send = (bytes: Uint8Array, to: Deno.Addr) => socket.send(bytes, to).catch(() => 0);
  const answer = (body: V2RequestBody): V2ReplyBody | undefined =>
    options.answer ? options.answer(body) : { status: "OK" };

  async function handleSealed(datagram: Uint8Array, from: Deno.Addr): Promise<void> {
    const token = sealedToken(datagram);
    if (token === undefined) return;
    const session = sessions.get(token);
    if (session === undefined) {
      await send(encoder.encode(`PS2 * ${token} gone`), from);
      return;
    }
    const opened = openDatagram(datagram, () => session.keys.request, "request");
    if (!opened.ok || !session.window.accept(opened.counter)) return;
    tracker.counters.push(opened.counter);
    const decoded = decodeV2Request(opened.plaintext);
    if (!decoded.ok || decoded.request.token !== token) return;
    tracker.requests.push(decoder.decode(opened.plaintext));
    const body = answer(decoded.request.body);
    if (body === undefined) return;
    const plaintext = encodeV2Reply({ id: decoded.request.id, body });
    const counter = session.counter++;
    await send(
      sealDatagram({ key: session.keys.reply, direction: "reply", token, counter, plaintext }),
      from,
    );
  }

  async function handleClear(datagram: Uint8Array, from: Deno.Addr): Promise<void> {
    const decoded = decodeV2Request(datagram);
    if (!decoded.ok) return;
    const { id, body } = decoded.request;
    const reply = (answerBody: V2ReplyBody) => send(encodeV2Reply({ id, body: answerBody }), from);
    if (body.verb === "LOGIN") {
      firstLogin ??= Date.now();
      if (Date.now() - firstLogin < (options.loginReplyAfterMs ?? 0)) return;
      for (const text of options.beforeLoginReply ?? []) await send(encoder.encode(text), from);
      const nonce = body.clientNonce + newNonce();
      challenges.set(nonce, { user: body.user, clientNonce: body.clientNonce });
      await reply({
        status: "CHALLENGE",
        nonce,
        salt: encodeBase64(SALT),
        iterations: ITERATIONS,
      });
      return;
    }
    if (body.verb === "PROOF") {
      const challenge = challenges.get(body.nonce);
      if (challenge === undefined) return;
      const message = authMessage({
        user: challenge.user,
        clientNonce: challenge.clientNonce,
        nonce: body.nonce,
        salt: SALT,
        iterations: ITERATIONS,
      });
      const token = encodeHex(crypto.getRandomValues(new Uint8Array(16)));
      sessions.set(token, {
        token,
        keys: deriveSessionKeys(keys.storedKey, message),
        window: new ReplayWindow(),
        counter: 0,
      });
      await reply({
        status: "WELCOME",
        token,
        serverSignature: encodeBase64(serverSignature(keys.serverKey, message)),
        heartbeatMs: 1000,
        timeoutMs: 3000,
      });
      return;
    }
    tracker.clearAfterLogin++;
    if (options.sealed) {
      await reply({ status: "ERR", code: "token" });
      return;
    }
    tracker.requests.push(decoder.decode(datagram));
    const answered = answer(body);
    if (answered !== undefined) await reply(answered);
  }

  const loop = (async () => {
    for (;;) {
      let datagram: Uint8Array;
      let from: Deno.Addr;
      try {
        [datagram, from] = await socket.receive();
      } catch {
        return;
      }
      if (isSealedDatagram(datagram)) await handleSealed(datagram, from);
      else await handleClear(datagram, from);
    }
  })();
  return tracker;
}
