/**
 * The tracker's sessions and what is said about them: addresses, a session's fields, the outcome
 * of opening one, where a file is, and the journal that hears publication changes. Types and two
 * pure helpers; the state that keeps them is `state.ts`.
 *
 * @module
 */

import { canonicalIp, hostPort, type TlsEndpoint } from "../protocol/mod.ts";
import type { RateBucket } from "./guard.ts";
import type { FileMeta } from "./publications.ts";

/** A UDP or TCP endpoint. */
export interface Address {
  readonly hostname: string;
  readonly port: number;
}

/** The key a session is found by: the UDP source address that logged in. */
export function addressKey(address: Address): string {
  return hostPort(address.hostname, address.port);
}

/**
 * Whether `host` (from `TCP`) is the address `from` speaks from. A registered address must be
 * the peer's own unless the operator allows otherwise: else a user could point downloaders at any
 * host, including their own loopback services.
 */
export function isOwnHost(host: string, from: Address): boolean {
  return canonicalIp(host) === canonicalIp(from.hostname);
}

/** One logged-in user, identified by the address it logged in from. */
export interface Session {
  readonly user: string;
  readonly address: Address;
  /** The protocol the session logged in with; a v2 session refuses v1 requests. */
  readonly version: 1 | 2;
  /** v2 only: the secret every request must carry. */
  readonly token?: string;
  /** How long the session lives after its last sign of life. */
  readonly timeoutMs: number;
  /** Where this session accepts downloads, once it has said so with `TCP`. */
  downloadAddress?: Address;
  /** v2 only: the TLS data port and certificate fingerprint sent with the last `TCP`. */
  tls?: TlsEndpoint;
  lastSeen: number;
  /**
   * The flood limit's bucket of the session's address, made by the router at its first datagram:
   * one record holds the session and its bucket, so a datagram looks its address up once.
   */
  flood?: RateBucket;
  /** The host limit's bucket of the session's host, shared with the limiter's table (the router's). */
  hostFlood?: RateBucket;
}

/** How a new session is opened. */
export interface SessionOptions {
  readonly version: 1 | 2;
  readonly timeoutMs?: number;
  readonly token?: string;
  /**
   * A live session of the same user at the very same address (ip and port) is ended and replaced
   * rather than refused: the user proved the password again from where that session lives (a v2
   * peer recovering from a lost `WELCOME` or a forged `gone`).
   */
  readonly replaceAtSameAddress?: boolean;
}

/** A live holder of a file, with what it published. */
export interface HolderSession {
  readonly session: Session;
  readonly meta?: FileMeta;
}

/** Why a session could not be opened for an authenticated user. */
export type SessionRefusal = "already logged in" | "address busy" | "tracker full";

/** The outcome of opening a session. */
export type SessionResult =
  | { readonly ok: true; readonly session: Session }
  | { readonly ok: false; readonly reason: SessionRefusal };

/** The outcome of looking up who can serve a file. */
export type Location =
  | { readonly kind: "holder"; readonly session: Session }
  | { readonly kind: "notPublished" }
  | { readonly kind: "noActiveHolder" };

/**
 * Hears every publication change the state accepts, in order, so it can be kept beyond the
 * process. A `PublicationStore` (`store/mod.ts`) is one: its calls only queue the change, so the
 * state never waits on a disk.
 */
export interface PublicationJournal {
  publish(user: string, file: string, meta?: FileMeta): void;
  unpublish(user: string, file: string): void;
  removeUser(user: string): void;
}
