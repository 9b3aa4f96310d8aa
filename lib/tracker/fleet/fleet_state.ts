/**
 * A tracker's state as one member of a fleet: the same {@linkcode TrackerState}, which also holds
 * the sessions of the other trackers ("remote" sessions, put in and taken out by `fleet_sync.ts`
 * and `fleet_view.ts`), so `lap`, `sch` and `get` see every peer of the fleet from memory. Its own
 * ("local") sessions are reported to an observer as they open, end and are touched, and
 * publication changes heard from other trackers are applied without being written back.
 * Pure like the state: no sockets, no clock of its own.
 *
 * @module
 */

import type { TlsEndpoint } from "../../protocol/mod.ts";
import {
  type Address,
  type FileMeta,
  type PublicationJournal,
  type Session,
  type SessionOptions,
  type SessionResult,
  TrackerState,
  type TrackerStateOptions,
} from "../state.ts";
import type { FeedUser, SessionRecord } from "./feed.ts";
import { parsePubMeta } from "./keys.ts";

/** Hears what happens to this tracker's own sessions. */
export interface SessionObserver {
  opened(session: Session): void;
  ended(session: Session): void;
  /** Called per datagram of the session: must only note it. */
  touched(session: Session): void;
}

/** What a {@linkcode FleetState} needs beyond a state's options. */
export interface FleetStateOptions extends TrackerStateOptions {
  /** How long a remote session lives locally without being confirmed (by `touchRemote`). */
  readonly remoteTimeoutMs: number;
}

interface Remote {
  readonly session: Session;
  readonly owner: string;
}

/**
 * Local and remote sessions in one state.
 *
 * @example
 * ```ts
 * import { FleetState } from "./fleet_state.ts";
 * const state = new FleetState({ now: () => 0, remoteTimeoutMs: 5000 });
 * state.putRemote("t2", { user: "bob", address: { hostname: "10.0.0.2", port: 4000 }, version: 1 });
 * console.assert(state.activeUsers("alice")[0] === "bob");
 * const twice = state.openSession({ hostname: "10.0.0.3", port: 4000 }, "bob", { version: 1 });
 * console.assert(!twice.ok && twice.reason === "already logged in");
 * ```
 */
export class FleetState extends TrackerState {
  readonly #gate: { muted: boolean };
  readonly #remoteTimeoutMs: number;
  readonly #local = new Map<string, Session>();
  readonly #remote = new Map<string, Remote>();
  #observer: SessionObserver | undefined;
  #fed: Set<string> | undefined;
  #openingRemote = false;

  constructor(options: FleetStateOptions) {
    const gate = { muted: false };
    const journal = options.journal;
    // Changes heard from another tracker are in Redis already: the journal must not hear them.
    const gated: PublicationJournal | undefined = journal && {
      publish: (user, file, meta) => gate.muted || journal.publish(user, file, meta),
      unpublish: (user, file) => gate.muted || journal.unpublish(user, file),
      removeUser: (user) => gate.muted || journal.removeUser(user),
    };
    super({ ...options, journal: gated });
    this.#gate = gate;
    this.#remoteTimeoutMs = options.remoteTimeoutMs;
  }

  /** Starts reporting local sessions to `observer`. */
  observe(observer: SessionObserver): void {
    this.#observer = observer;
  }

  /** This tracker's own sessions, by user. */
  localSessions(): IterableIterator<Session> {
    return this.#local.values();
  }

  /** Whether `session` is this tracker's own and still open. */
  isLocal(session: Session): boolean {
    return this.#local.get(session.user) === session;
  }

  /** Whether another tracker of the fleet holds a session of `user`. */
  hasRemote(user: string): boolean {
    return this.#remote.has(user);
  }

  /** Number of sessions other trackers hold. */
  get remoteCount(): number {
    return this.#remote.size;
  }

  override openSession(address: Address, user: string, options: SessionOptions): SessionResult {
    const opened = super.openSession(address, user, options);
    if (opened.ok && !this.#openingRemote) {
      this.#local.set(user, opened.session);
      this.#observer?.opened(opened.session);
    }
    return opened;
  }

  override end(session: Session): void {
    super.end(session);
    if (this.#local.get(session.user) === session) {
      this.#local.delete(session.user);
      this.#observer?.ended(session);
    } else if (this.#remote.get(session.user)?.session === session) {
      this.#remote.delete(session.user);
    }
  }

  override touch(session: Session): void {
    super.touch(session);
    if (this.#local.get(session.user) === session) this.#observer?.touched(session);
  }

  /**
   * Puts in (or updates) a session that tracker `owner` holds. False when this tracker holds a
   * session of the same user or at the same address (the fleet's claim decides who keeps it).
   */
  putRemote(owner: string, record: SessionRecord): boolean {
    const known = this.#remote.get(record.user);
    if (known !== undefined) {
      const same = known.owner === owner && known.session.version === record.version &&
        known.session.address.hostname === record.address.hostname &&
        known.session.address.port === record.address.port;
      if (same) {
        setEndpoint(known.session, record.download, record.tls);
        super.touch(known.session);
        return true;
      }
      this.end(known.session);
    }
    this.#openingRemote = true;
    let opened: SessionResult;
    try {
      opened = super.openSession(record.address, record.user, {
        version: record.version,
        timeoutMs: this.#remoteTimeoutMs,
      });
    } finally {
      this.#openingRemote = false;
    }
    if (!opened.ok) return false;
    setEndpoint(opened.session, record.download, record.tls);
    this.#remote.set(record.user, { session: opened.session, owner });
    return true;
  }

  /** Ends `user`'s remote session if `owner` holds it. */
  dropRemote(owner: string, user: string): void {
    const known = this.#remote.get(user);
    if (known?.owner === owner) this.end(known.session);
  }

  /**
   * Confirms the remote sessions of the trackers in `alive` (they live on) and ends those of
   * any other tracker; with `seen`, also ends remote sessions the owner no longer lists.
   */
  confirmRemote(alive: ReadonlySet<string>, seen?: ReadonlySet<string>): void {
    for (const { session, owner } of [...this.#remote.values()]) {
      if (alive.has(owner) && (seen === undefined || seen.has(`${owner}\n${session.user}`))) {
        super.touch(session);
      } else {
        this.end(session);
      }
    }
  }

  /**
   * Starts noting which users' publications the feed changes, until
   * {@linkcode FleetState.stopNotingFed} returns them.
   */
  startNotingFed(): void {
    this.#fed = new Set();
  }

  /** The users whose publications the feed changed since {@linkcode FleetState.startNotingFed}. */
  stopNotingFed(): ReadonlySet<string> {
    const fed = this.#fed ?? new Set<string>();
    this.#fed = undefined;
    return fed;
  }

  /**
   * Makes what this tracker holds match `stored` (what Redis holds, user → name → meta text)
   * after an outage, in which feed messages may have been missed: a withdrawal missed then would
   * be served until a restart. Users logged in here are this tracker's own to write and only
   * gain names, as does everyone unless `withdraw`; users in `skip` (changed by the feed while
   * `stored` was read) are left alone.
   */
  syncPublications(
    stored: ReadonlyMap<string, ReadonlyMap<string, string>>,
    skip: ReadonlySet<string>,
    withdraw = true,
  ): void {
    const users = new Set(stored.keys());
    this.forEachPublication((user) => users.add(user));
    const changes: FeedUser[] = [];
    for (const user of users) {
      if (skip.has(user)) continue;
      const names = stored.get(user) ?? new Map<string, string>();
      const gone = !withdraw || this.#local.has(user)
        ? []
        : this.allPublishedBy(user).filter((name) => !names.has(name));
      changes.push([user, false, [
        ...gone.map((name) => [name, null] as const),
        ...names,
      ]]);
    }
    this.applyPublications(changes);
  }

  /** Applies publication changes another tracker wrote, without writing them again. */
  applyPublications(users: readonly FeedUser[]): void {
    this.#gate.muted = true;
    try {
      for (const [user, removeAll, changes] of users) {
        this.#fed?.add(user);
        if (removeAll) this.withdrawAll(user);
        for (const [name, meta] of changes) {
          if (meta === null) this.unpublish(user, name);
          else this.publish(user, name, parsePubMeta(meta) as FileMeta | undefined);
        }
      }
    } finally {
      this.#gate.muted = false;
    }
  }

  /** Withdraws every publication of `user`, leaving the session alone. */
  withdrawAll(user: string): void {
    // Every name, those with spaces (v2 only) too.
    for (const name of this.allPublishedBy(user)) this.unpublish(user, name);
  }
}

function setEndpoint(session: Session, download?: Address, tls?: TlsEndpoint): void {
  session.downloadAddress = download;
  session.tls = tls;
}
