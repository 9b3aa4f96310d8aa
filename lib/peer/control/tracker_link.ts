/**
 * The peer's view of the tracker, whichever protocol it speaks: v2 (reliable, SCRAM login, paged
 * lists, digests) when the tracker does, v1 otherwise. Every answer comes back in the v1 reply
 * types the terminal already knows how to print, plus the full holder list for downloads.
 *
 * @module
 */

import {
  HEARTBEAT_INTERVAL_MS,
  type Holder,
  type NameList,
  type Reply,
  type TlsEndpoint,
  type V2ErrorCode,
} from "../../protocol/mod.ts";
import {
  BYE_COPIES,
  BYE_GAP_MS,
  HEARTBEAT_RETRY_INITIAL_MS,
  V2_REQUEST_DEADLINE_MS,
} from "../defaults.ts";
import { type KnownTrackers, trackerKey } from "./known_trackers.ts";
import { collectPages, type PagingLimits } from "./paging.ts";
import { TrackerTimeoutError, V1Client, V1ClientClosedError } from "./v1_client.ts";
import {
  fetchNames,
  loginV2,
  TrackerNotRespondingError,
  TrackerRefusedError,
  V1OnlyTrackerError,
  V2Client,
  V2ClientClosedError,
} from "./v2_client.ts";

/**
 * How many holders of one file a download collects at most (pages of ~5 holders each): more
 * sources than a download uses, so a tracker that claims endless holders is not asked forever.
 */
const HOLDER_LIMITS: PagingLimits = { maxItems: 256, maxPages: 64 };

/** A file's size and digest, sent with a v2 publication. */
export interface PublishedMeta {
  readonly size: number;
  readonly sha256: string;
}

/** Who can serve a file. */
export type Located =
  | { readonly kind: "holders"; readonly holders: readonly Holder[] }
  | { readonly kind: "fileNotFound" }
  | { readonly kind: "noActiveHolder" };

/** The tracker no longer knows this session (it expired, or the tracker restarted). */
export class SessionLostError extends Error {
  override name = "SessionLostError";
  constructor() {
    super("the tracker no longer knows this session (it expired or the tracker restarted)");
  }
}

/** The tracker did not answer in time (v1: one try; v2: retransmitted until the deadline). */
export function isNotResponding(error: unknown): boolean {
  return error instanceof TrackerTimeoutError || error instanceof TrackerNotRespondingError;
}

/** The link was closed (the session is over, or was replaced by a restored one). */
export function isClosed(error: unknown): boolean {
  return error instanceof V1ClientClosedError || error instanceof V2ClientClosedError;
}

/**
 * What one heartbeat came to: `answered` (the tracker is alive), `unanswered` (no reply within
 * its interval), `unknown` (v1 sends heartbeats without a reply, or the link was closed).
 */
export type HeartbeatOutcome = "answered" | "unanswered" | "unknown";

/** One logged-in connection to the tracker. */
export interface TrackerLink {
  readonly version: 1 | 2;
  /** How often the tracker wants a heartbeat. */
  readonly heartbeatIntervalMs: number;
  /** Registers the data channel's address (and, v2 only, its TLS port and fingerprint). */
  register(host: string, port: number, tls?: TlsEndpoint): Promise<void>;
  /**
   * Sends one heartbeat. `onSessionLost` is called if the tracker answers that it does not know
   * this session (it restarted, or the session expired); v1 cannot tell, and never calls it.
   */
  heartbeat(onSessionLost?: () => void): Promise<HeartbeatOutcome>;
  activePeers(): Promise<Reply>;
  publishedFiles(): Promise<Reply>;
  search(text: string): Promise<Reply>;
  publish(file: string, meta: PublishedMeta): Promise<Reply>;
  unpublish(file: string): Promise<Reply>;
  locate(file: string): Promise<Located>;
  logout(): Promise<void>;
  close(): Promise<void>;
}

/** A v1 link over an already logged-in {@linkcode V1Client}. */
export class V1Link implements TrackerLink {
  readonly version = 1;
  readonly heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS;
  constructor(readonly client: V1Client) {}

  async register(host: string, port: number): Promise<void> {
    await this.client.send({ kind: "TCP", host, port });
  }

  async heartbeat(): Promise<HeartbeatOutcome> {
    await this.client.send({ kind: "HBT" });
    return "unknown";
  }

  activePeers(): Promise<Reply> {
    return this.client.request({ kind: "lap" });
  }

  publishedFiles(): Promise<Reply> {
    return this.client.request({ kind: "lpf" });
  }

  search(text: string): Promise<Reply> {
    return this.client.request({ kind: "sch", text });
  }

  publish(file: string): Promise<Reply> {
    return this.client.request({ kind: "pub", file });
  }

  unpublish(file: string): Promise<Reply> {
    return this.client.request({ kind: "unp", file });
  }

  async locate(file: string): Promise<Located> {
    const reply = await this.client.request({ kind: "get", file });
    switch (reply.kind) {
      case "holder":
        return {
          kind: "holders",
          holders: [{ user: reply.user, host: reply.host, port: reply.port }],
        };
      case "fileNotFound":
      case "noActiveHolder":
        return { kind: reply.kind };
      default:
        throw new SessionLostError();
    }
  }

  async logout(): Promise<void> {
    // v1 has no logout: the session expires 3 s after the last heartbeat.
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

function refusal(code: V2ErrorCode): Error {
  return code === "token" ? new SessionLostError() : new TrackerRefusedError("request", code);
}

/** A v2 link over a logged-in {@linkcode V2Client}. */
export class V2Link implements TrackerLink {
  readonly version = 2;
  constructor(readonly client: V2Client, readonly heartbeatIntervalMs: number) {}

  async register(host: string, port: number, tls?: TlsEndpoint): Promise<void> {
    const reply = await this.client.request({ verb: "TCP", host, port, ...(tls ? { tls } : {}) });
    if (reply.status === "ERR") throw refusal(reply.code);
  }

  async heartbeat(onSessionLost?: () => void): Promise<HeartbeatOutcome> {
    // Acknowledged and retried until the next beat is due: the session lives only three
    // intervals, so under loss a beat must not be left to chance (docs/protocol.md, "Sessions,
    // liveness and negotiation"). `ERR token` (or `gone`) says the tracker lost the session.
    let reply;
    try {
      reply = await this.client.request({ verb: "HBT" }, {
        initialIntervalMs: HEARTBEAT_RETRY_INITIAL_MS,
        deadlineMs: this.heartbeatIntervalMs,
      });
    } catch (error) {
      // Unanswered within its interval: the next beat tries again.
      if (error instanceof TrackerNotRespondingError) return "unanswered";
      if (isClosed(error)) return "unknown";
      throw error;
    }
    if (reply.status === "ERR" && reply.code === "token") onSessionLost?.();
    return "answered";
  }

  async #names(page: (offset: number) => Parameters<V2Client["request"]>[0]): Promise<NameList> {
    try {
      return await fetchNames(this.client, page);
    } catch (error) {
      if (error instanceof TrackerRefusedError) throw refusal(error.code);
      throw error;
    }
  }

  async activePeers(): Promise<Reply> {
    return { kind: "peers", list: await this.#names((offset) => ({ verb: "LAP", offset })) };
  }

  async publishedFiles(): Promise<Reply> {
    return {
      kind: "publishedFiles",
      list: await this.#names((offset) => ({ verb: "LPF", offset })),
    };
  }

  async search(text: string): Promise<Reply> {
    return { kind: "found", list: await this.#names((offset) => ({ verb: "SCH", text, offset })) };
  }

  async publish(file: string, meta: PublishedMeta): Promise<Reply> {
    const reply = await this.client.request({ verb: "PUB", file, ...meta });
    if (reply.status === "OK") return { kind: "published" };
    if (reply.status === "ERR" && reply.code === "token") throw new SessionLostError();
    // The user is at the tracker's per-user limit: said as such (`ask` words it).
    if (reply.status === "ERR" && reply.code === "limit") throw refusal(reply.code);
    return { kind: "error" };
  }

  async unpublish(file: string): Promise<Reply> {
    const reply = await this.client.request({ verb: "UNP", file });
    if (reply.status === "OK") return { kind: "unpublished" };
    if (reply.status === "ERR" && reply.code === "notpublished") return { kind: "unpublishFailed" };
    if (reply.status === "ERR" && reply.code === "token") throw new SessionLostError();
    return { kind: "error" };
  }

  async locate(file: string): Promise<Located> {
    let ended: Located | undefined;
    const { items } = await collectPages<Holder>(async (offset) => {
      const reply = await this.client.request({ verb: "GET", file, offset });
      if (reply.status === "ERR") {
        if (reply.code === "notfound") ended = { kind: "fileNotFound" };
        else if (reply.code === "inactive") ended = { kind: "noActiveHolder" };
        else throw refusal(reply.code);
        return { items: [], total: 0 };
      }
      if (reply.status !== "HOLDERS") throw refusal("malformed");
      return { items: reply.holders, total: reply.total };
    }, HOLDER_LIMITS);
    if (ended !== undefined) return ended;
    return items.length > 0 ? { kind: "holders", holders: items } : { kind: "noActiveHolder" };
  }

  async logout(): Promise<void> {
    // Best effort and never slow (a tracker that is gone holds the exit ~0.3 s at most): copies
    // BYE_GAP_MS apart until the tracker answers any of them; a later copy is refused harmlessly
    // once an earlier one ended the session. Two copies sent at once were both lost 4 % of the
    // time at 20 % loss each way, and the session then stayed listed until it expired.
    let answered = false;
    let wake: (() => void) | undefined;
    const onReply = () => {
      answered = true;
      wake?.();
    };
    for (let copy = 1; copy <= BYE_COPIES; copy++) {
      await this.client.notify({ verb: "BYE" }, onReply, BYE_GAP_MS * (BYE_COPIES - copy + 1));
      if (answered || copy === BYE_COPIES) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, BYE_GAP_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** How to reach the tracker and what to insist on. */
export interface ConnectOptions {
  readonly trackerIp: string;
  readonly trackerPort: number;
  readonly bindHostname: string;
  /** Per request: v1 waits this long once; v2 retransmits until this deadline. */
  readonly timeoutMs?: number;
  /** The trackers known to speak v2: one that answers v2 is added, and never falls back. */
  readonly knownTrackers?: KnownTrackers;
  /** Seal v2 datagrams after login (defaults to the peer's `SEAL_V2_DATAGRAMS`). */
  readonly sealed?: boolean;
}

/** Whether this tracker was heard speaking v2 before, so v1 must never be used with it. */
export function knownToSpeakV2(options: ConnectOptions): boolean {
  return options.knownTrackers?.has(trackerKey(options.trackerIp, options.trackerPort)) ?? false;
}

/** The outcome of one login attempt. */
export type LoginAttempt =
  | { readonly kind: "ok"; readonly link: TrackerLink }
  | {
    readonly kind: "refused";
    readonly code: V2ErrorCode | "v1";
    /** How long the tracker says to wait (`ERR live <s>`, `ERR locked <s>`), when it says. */
    readonly waitSeconds?: number;
  }
  | { readonly kind: "v1Only" };

/**
 * Tries a v2 login; the caller falls back to {@linkcode loginV1} on `v1Only`.
 *
 * @throws {TrackerNotRespondingError} when the tracker does not answer.
 * @throws {TrackerNotAuthenticError} when the tracker cannot prove it knows the verifier.
 */
export async function loginWithV2(
  options: ConnectOptions,
  user: string,
  password: string,
): Promise<LoginAttempt> {
  const client = new V2Client({
    trackerHost: options.trackerIp,
    trackerPort: options.trackerPort,
    bindHostname: options.bindHostname,
    deadlineMs: options.timeoutMs ?? V2_REQUEST_DEADLINE_MS,
    ...(options.sealed === undefined ? {} : { sealed: options.sealed }),
  });
  const remember = async () => {
    // Any well-formed v2 reply from the tracker's own address, even a refusal, proves v2.
    if (client.sawV2Reply) {
      await options.knownTrackers?.remember(trackerKey(options.trackerIp, options.trackerPort));
    }
  };
  try {
    const welcome = await loginV2(client, user, password);
    await remember();
    return { kind: "ok", link: new V2Link(client, welcome.heartbeatMs) };
  } catch (error) {
    await client.close();
    await remember();
    if (error instanceof TrackerRefusedError) {
      return {
        kind: "refused",
        code: error.code,
        ...(error.waitSeconds === undefined ? {} : { waitSeconds: error.waitSeconds }),
      };
    }
    if (error instanceof V1OnlyTrackerError) return { kind: "v1Only" };
    throw error;
  }
}

/**
 * Logs in with v1's plaintext `auth`.
 *
 * @throws {TrackerTimeoutError} when the tracker does not answer.
 */
export async function loginV1(
  options: ConnectOptions,
  user: string,
  password: string,
): Promise<LoginAttempt> {
  const client = new V1Client({
    trackerHost: options.trackerIp,
    trackerPort: options.trackerPort,
    bindHostname: options.bindHostname,
    timeoutMs: options.timeoutMs,
  });
  try {
    const reply = await client.request({ kind: "auth", user, password });
    if (reply.kind === "ok") return { kind: "ok", link: new V1Link(client) };
    await client.close();
    return { kind: "refused", code: "v1" };
  } catch (error) {
    await client.close();
    throw error;
  }
}
