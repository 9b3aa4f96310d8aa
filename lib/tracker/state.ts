/**
 * The tracker's state: sessions, publications and the queries over them. Pure: no sockets, no
 * real clock (time comes from the injected `now`), so every rule is tested without waiting.
 *
 * @module
 */

import { MAX_PUBLICATIONS_PER_USER, SESSION_TIMEOUT_MS } from "../protocol/mod.ts";
import type { Credential } from "./credentials.ts";

/** A UDP or TCP endpoint. */
export interface Address {
  readonly hostname: string;
  readonly port: number;
}

/** The key a session is found by: the UDP source address that logged in. */
export function addressKey(address: Address): string {
  return address.hostname.includes(":")
    ? `[${address.hostname}]:${address.port}`
    : `${address.hostname}:${address.port}`;
}

/** One logged-in user, identified by the address it logged in from. */
export interface Session {
  readonly user: string;
  readonly address: Address;
  /** Where this session accepts downloads, once it has said so with `TCP`. */
  downloadAddress?: Address;
  lastSeen: number;
}

/** Why a login was refused. */
export type LoginRefusal = "unknown user" | "wrong password" | "already logged in" | "address busy";

/** The outcome of a login attempt. */
export type LoginResult =
  | { readonly ok: true; readonly session: Session }
  | { readonly ok: false; readonly reason: LoginRefusal };

/** The outcome of looking up who can serve a file. */
export type Location =
  | { readonly kind: "holder"; readonly session: Session }
  | { readonly kind: "notPublished" }
  | { readonly kind: "noActiveHolder" };

/** What a {@linkcode TrackerState} needs from outside. */
export interface TrackerStateOptions {
  readonly credentials: ReadonlyMap<string, Credential>;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  readonly sessionTimeoutMs?: number;
  readonly maxPublicationsPerUser?: number;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Sessions and publications with the v1 semantics.
 *
 * @example
 * ```ts
 * import { TrackerState } from "./state.ts";
 * let clock = 0;
 * const state = new TrackerState({
 *   credentials: new Map([["alice", { kind: "plain", password: "pw" }]]),
 *   now: () => clock,
 * });
 * const login = state.login({ hostname: "127.0.0.1", port: 5000 }, "alice", "pw");
 * console.assert(login.ok);
 * clock = 3001;
 * console.assert(state.expire().length === 1);
 * ```
 */
export class TrackerState {
  readonly #credentials: ReadonlyMap<string, Credential>;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #maxPublications: number;
  // Kept in order of last sign of life (a touch re-inserts), so expiry only looks at the front.
  readonly #sessions = new Map<string, Session>();
  readonly #sessionByUser = new Map<string, Session>();
  // Publications belong to users, not sessions: they outlive logouts.
  readonly #filesByUser = new Map<string, Set<string>>();
  readonly #holdersByFile = new Map<string, Set<string>>();
  #rotation = 0;

  constructor(options: TrackerStateOptions) {
    this.#credentials = options.credentials;
    this.#now = options.now;
    this.#timeoutMs = options.sessionTimeoutMs ?? SESSION_TIMEOUT_MS;
    this.#maxPublications = options.maxPublicationsPerUser ?? MAX_PUBLICATIONS_PER_USER;
  }

  /** Number of live sessions. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Removes every session whose last sign of life is older than the timeout; returns them. */
  expire(): Session[] {
    const deadline = this.#now() - this.#timeoutMs;
    const expired: Session[] = [];
    for (const [key, session] of this.#sessions) {
      if (session.lastSeen >= deadline) break;
      this.#sessions.delete(key);
      this.#sessionByUser.delete(session.user);
      expired.push(session);
    }
    return expired;
  }

  /** The live session that logged in from `address`, if any. */
  sessionAt(address: Address): Session | undefined {
    const session = this.#sessions.get(addressKey(address));
    return session && this.#isLive(session) ? session : undefined;
  }

  /** Checks a password and opens a session for `user` at `address`. */
  login(address: Address, user: string, password: string): LoginResult {
    this.expire();
    const credential = this.#credentials.get(user);
    if (credential === undefined) return { ok: false, reason: "unknown user" };
    if (!constantTimeEqual(credential.password, password)) {
      return { ok: false, reason: "wrong password" };
    }
    if (this.#sessionByUser.has(user)) return { ok: false, reason: "already logged in" };
    const key = addressKey(address);
    if (this.#sessions.has(key)) return { ok: false, reason: "address busy" };
    const session: Session = { user, address, lastSeen: this.#now() };
    this.#sessions.set(key, session);
    this.#sessionByUser.set(user, session);
    return { ok: true, session };
  }

  /** Records a sign of life. */
  touch(session: Session): void {
    const key = addressKey(session.address);
    if (this.#sessions.get(key) !== session) return;
    session.lastSeen = this.#now();
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
  }

  /** Names of the users with a live session, other than `asker`, sorted. */
  activeUsers(asker: string): string[] {
    const users: string[] = [];
    for (const user of this.#sessionByUser.keys()) if (user !== asker) users.push(user);
    return users.sort(byCodeUnit);
  }

  /** The files `user` has published, sorted. */
  publishedBy(user: string): string[] {
    return [...(this.#filesByUser.get(user) ?? [])].sort(byCodeUnit);
  }

  /** Publishes `file` for `user`; publishing twice is fine. False when the user is at the cap. */
  publish(user: string, file: string): boolean {
    let files = this.#filesByUser.get(user);
    if (files?.has(file)) return true;
    if (files === undefined) {
      files = new Set();
      this.#filesByUser.set(user, files);
    }
    if (files.size >= this.#maxPublications) return false;
    files.add(file);
    let holders = this.#holdersByFile.get(file);
    if (holders === undefined) {
      holders = new Set();
      this.#holdersByFile.set(file, holders);
    }
    holders.add(user);
    return true;
  }

  /** Withdraws a publication; false when `user` had not published `file`. */
  unpublish(user: string, file: string): boolean {
    const files = this.#filesByUser.get(user);
    if (!files?.delete(file)) return false;
    if (files.size === 0) this.#filesByUser.delete(user);
    const holders = this.#holdersByFile.get(file);
    holders?.delete(user);
    if (holders?.size === 0) this.#holdersByFile.delete(file);
    return true;
  }

  /**
   * Distinct published names containing `text` (case-sensitive) that some live user other than
   * `asker` publishes, sorted.
   */
  search(text: string, asker: string): string[] {
    const found: string[] = [];
    for (const [file, holders] of this.#holdersByFile) {
      if (file.includes(text) && this.#hasLiveHolder(holders, asker)) found.push(file);
    }
    return found.sort(byCodeUnit);
  }

  /**
   * A live session other than `asker`'s that published `file` and told where it accepts
   * downloads. Holders take turns so one peer does not serve every download.
   */
  locate(file: string, asker: string): Location {
    const holders = this.#holdersByFile.get(file);
    if (holders === undefined) return { kind: "notPublished" };
    const candidates: Session[] = [];
    for (const user of holders) {
      const session = this.#sessionByUser.get(user);
      if (user !== asker && session?.downloadAddress && this.#isLive(session)) {
        candidates.push(session);
      }
    }
    if (candidates.length === 0) return { kind: "noActiveHolder" };
    const session = candidates[this.#rotation++ % candidates.length];
    return { kind: "holder", session };
  }

  #hasLiveHolder(holders: ReadonlySet<string>, asker: string): boolean {
    for (const user of holders) {
      const session = this.#sessionByUser.get(user);
      if (user !== asker && session && this.#isLive(session)) return true;
    }
    return false;
  }

  #isLive(session: Session): boolean {
    return this.#now() - session.lastSeen <= this.#timeoutMs;
  }
}

/** Compares secrets without an early exit, so response time does not reveal a matching prefix. */
function constantTimeEqual(expected: string, given: string): boolean {
  const a = new TextEncoder().encode(expected);
  const b = new TextEncoder().encode(given);
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ (b[i % Math.max(b.length, 1)] ?? 0);
  return difference === 0;
}
