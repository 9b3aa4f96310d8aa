/**
 * The tracker's state: sessions, publications and the queries over them. It opens a session for a
 * user whose credentials were already checked (`authenticator.ts`); it never sees a password. Pure:
 * no sockets, no real clock (time comes from the injected `now`), so every rule is tested without
 * waiting.
 *
 * @module
 */

import { canonicalIp, SESSION_TIMEOUT_MS, type TlsEndpoint } from "../protocol/mod.ts";
import { MAX_PUBLICATIONS_PER_USER, MAX_SESSIONS } from "./defaults.ts";

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

/** What a holder published along with a file name (v2 only). */
export interface FileMeta {
  readonly size: number;
  readonly sha256: string;
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

/** What a {@linkcode TrackerState} needs from outside. */
export interface TrackerStateOptions {
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** Timeout of v1 sessions (v2 sessions say their own). */
  readonly sessionTimeoutMs?: number;
  readonly maxPublicationsPerUser?: number;
  readonly maxSessions?: number;
  /** Told of every accepted publication change; none by default. */
  readonly journal?: PublicationJournal;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const sameMeta = (a: FileMeta | undefined, b: FileMeta | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.size === b.size && a.sha256 === b.sha256);

/**
 * Sessions and publications with the v1 semantics.
 *
 * @example
 * ```ts
 * import { TrackerState } from "./state.ts";
 * let clock = 0;
 * const state = new TrackerState({ now: () => clock });
 * const opened = state.openSession({ hostname: "127.0.0.1", port: 5000 }, "alice", { version: 1 });
 * console.assert(opened.ok);
 * clock = 3001;
 * console.assert(state.expire().length === 1);
 * ```
 */
export class TrackerState {
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #maxPublications: number;
  readonly #maxSessions: number;
  readonly #journal: PublicationJournal | undefined;
  readonly #sessions = new Map<string, Session>();
  // One queue per timeout, each in order of last sign of life (a touch re-inserts), so expiry
  // only ever looks at the front of each.
  readonly #expiryQueues = new Map<number, Map<string, Session>>();
  readonly #sessionByUser = new Map<string, Session>();
  // v2 sessions by token: a sealed datagram names its session by token, not by address.
  readonly #sessionByToken = new Map<string, Session>();
  // Publications belong to users, not sessions: they outlive logouts.
  readonly #filesByUser = new Map<string, Map<string, FileMeta | undefined>>();
  readonly #holdersByFile = new Map<string, Set<string>>();
  #rotation = 0;

  constructor(options: TrackerStateOptions) {
    this.#now = options.now;
    this.#timeoutMs = options.sessionTimeoutMs ?? SESSION_TIMEOUT_MS;
    this.#maxPublications = options.maxPublicationsPerUser ?? MAX_PUBLICATIONS_PER_USER;
    this.#maxSessions = options.maxSessions ?? MAX_SESSIONS;
    this.#journal = options.journal;
  }

  /** Number of live sessions. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Removes every session whose last sign of life is older than the timeout; returns them. */
  expire(): Session[] {
    const now = this.#now();
    const expired: Session[] = [];
    for (const [timeoutMs, queue] of this.#expiryQueues) {
      for (const session of queue.values()) {
        if (now - session.lastSeen <= timeoutMs) break;
        this.end(session);
        expired.push(session);
      }
    }
    return expired;
  }

  /** Ends a session at once (logout, or expiry). */
  end(session: Session): void {
    const key = addressKey(session.address);
    if (this.#sessions.get(key) !== session) return;
    this.#sessions.delete(key);
    this.#sessionByUser.delete(session.user);
    if (session.token !== undefined) this.#sessionByToken.delete(session.token);
    this.#expiryQueues.get(session.timeoutMs)?.delete(key);
  }

  /** The live session that logged in from `address`, if any. */
  sessionAt(address: Address): Session | undefined {
    const session = this.#sessions.get(addressKey(address));
    return session && this.#isLive(session) ? session : undefined;
  }

  /** Milliseconds until `user`'s live session expires if it stays silent; 0 when it has none. */
  msUntilExpiry(user: string): number {
    const session = this.#sessionByUser.get(user);
    if (session === undefined || !this.#isLive(session)) return 0;
    return Math.max(0, session.lastSeen + session.timeoutMs - this.#now());
  }

  /** The live v2 session whose token is `token`, if any. */
  sessionWithToken(token: string): Session | undefined {
    const session = this.#sessionByToken.get(token);
    return session && this.#isLive(session) ? session : undefined;
  }

  /** Opens a session for an authenticated user, unless the user or the address has one. */
  openSession(address: Address, user: string, options: SessionOptions): SessionResult {
    this.expire();
    const key = addressKey(address);
    const existing = this.#sessionByUser.get(user);
    if (existing !== undefined) {
      if (options.replaceAtSameAddress && addressKey(existing.address) === key) {
        this.end(existing);
      } else {
        return { ok: false, reason: "already logged in" };
      }
    }
    if (this.#sessions.has(key)) return { ok: false, reason: "address busy" };
    if (this.#sessions.size >= this.#maxSessions) return { ok: false, reason: "tracker full" };
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const session: Session = {
      user,
      address,
      version: options.version,
      timeoutMs,
      lastSeen: this.#now(),
      ...(options.token ? { token: options.token } : {}),
    };
    this.#sessions.set(key, session);
    this.#sessionByUser.set(user, session);
    if (session.token !== undefined) this.#sessionByToken.set(session.token, session);
    let queue = this.#expiryQueues.get(timeoutMs);
    if (queue === undefined) {
      queue = new Map();
      this.#expiryQueues.set(timeoutMs, queue);
    }
    queue.set(key, session);
    return { ok: true, session };
  }

  /** Records a sign of life. */
  touch(session: Session): void {
    const key = addressKey(session.address);
    if (this.#sessions.get(key) !== session) return;
    session.lastSeen = this.#now();
    const queue = this.#expiryQueues.get(session.timeoutMs);
    queue?.delete(key);
    queue?.set(key, session);
  }

  /** Names of the users with a live session, other than `asker`, sorted. */
  activeUsers(asker: string): string[] {
    const users: string[] = [];
    for (const user of this.#sessionByUser.keys()) if (user !== asker) users.push(user);
    return users.sort(byCodeUnit);
  }

  /** The files `user` has published, sorted. */
  publishedBy(user: string): string[] {
    return [...(this.#filesByUser.get(user)?.keys() ?? [])].sort(byCodeUnit);
  }

  /**
   * Publishes `file` for `user` with its size and digest where known (v2); publishing again
   * replaces them. False when the user is at the cap.
   */
  publish(user: string, file: string, meta?: FileMeta): boolean {
    const files = this.#filesByUser.get(user);
    if (files?.has(file)) {
      const before = files.get(file);
      files.set(file, meta);
      // A peer publishes all its files again at every re-login: only news reach the journal.
      if (!sameMeta(before, meta)) this.#journal?.publish(user, file, meta);
      return true;
    }
    if (!this.#add(user, file, meta)) return false;
    this.#journal?.publish(user, file, meta);
    return true;
  }

  /**
   * Puts back a publication kept from an earlier run (the journal is not told: it came from
   * there). False when the user is at the cap or already publishes `file`.
   */
  restore(user: string, file: string, meta?: FileMeta): boolean {
    if (this.#filesByUser.get(user)?.has(file)) return false;
    return this.#add(user, file, meta);
  }

  #add(user: string, file: string, meta: FileMeta | undefined): boolean {
    let files = this.#filesByUser.get(user);
    if (files === undefined) {
      files = new Map();
      this.#filesByUser.set(user, files);
    }
    if (files.size >= this.#maxPublications) return false;
    files.set(file, meta);
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
    if (!this.#remove(user, file)) return false;
    this.#journal?.unpublish(user, file);
    return true;
  }

  #remove(user: string, file: string): boolean {
    const files = this.#filesByUser.get(user);
    if (!files?.delete(file)) return false;
    if (files.size === 0) this.#filesByUser.delete(user);
    const holders = this.#holdersByFile.get(file);
    holders?.delete(user);
    if (holders?.size === 0) this.#holdersByFile.delete(file);
    return true;
  }

  /**
   * Forgets a user dropped from the credentials: ends their session and withdraws every
   * publication. Returns the session ended (if any) and how many publications went.
   */
  removeUser(user: string): { readonly session?: Session; readonly withdrawn: number } {
    const session = this.#sessionByUser.get(user);
    if (session) this.end(session);
    const files = [...this.#filesByUser.get(user)?.keys() ?? []];
    for (const file of files) this.#remove(user, file);
    this.#journal?.removeUser(user);
    return { ...(session ? { session } : {}), withdrawn: files.length };
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

  /** Every live holder of `file` other than `asker` that registered a download address. */
  holders(file: string, asker: string): HolderSession[] {
    const holders: HolderSession[] = [];
    for (const user of this.#holdersByFile.get(file) ?? []) {
      const session = this.#sessionByUser.get(user);
      if (user !== asker && session?.downloadAddress && this.#isLive(session)) {
        holders.push({ session, meta: this.#filesByUser.get(user)?.get(file) });
      }
    }
    return holders.sort((a, b) => byCodeUnit(a.session.user, b.session.user));
  }

  /** Whether anyone, live or not, publishes `file`. */
  isPublished(file: string): boolean {
    return this.#holdersByFile.has(file);
  }

  /**
   * A live session other than `asker`'s that published `file` and told where it accepts
   * downloads. Holders take turns so one peer does not serve every download.
   */
  locate(file: string, asker: string): Location {
    if (!this.isPublished(file)) return { kind: "notPublished" };
    const candidates = this.holders(file, asker);
    if (candidates.length === 0) return { kind: "noActiveHolder" };
    const { session } = candidates[this.#rotation++ % candidates.length];
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
    return this.#now() - session.lastSeen <= session.timeoutMs;
  }
}
