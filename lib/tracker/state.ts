/**
 * The tracker's state: sessions, publications and the queries over them. It opens a session for a
 * user whose credentials were already checked (`authenticator.ts`); it never sees a password. Pure:
 * no sockets, no real clock (time comes from the injected `now`), so every rule is tested without
 * waiting.
 *
 * It stays one piece, though long: every query joins the sessions and the publications (a
 * holder is a publication whose user has a live session; `lap` is the live users), and every
 * session that opens or ends changes what the publications count as active, so splitting it would
 * pass both tables around. The tables are modules of their own (`sessions_by_address.ts`,
 * `expiry_wheel.ts`, `sorted_view.ts`, `publications.ts`); this holds only how they go together.
 *
 * @module
 */

import type { TurnTaker } from "../util/mod.ts";
import { type FoundVersion, type SearchMode, SESSION_TIMEOUT_MS } from "../protocol/mod.ts";
import { MAX_SESSIONS } from "./defaults.ts";
import { foundVersions } from "./found_versions.ts";
import { MergedSearch } from "./merged_search.ts";
import type { Searchable } from "./search_pages.ts";
import type { NameIndex } from "./name_index.ts";
import { type FileMeta, type PublicationFigures, Publications } from "./publications.ts";
import { byCodeUnit, type ListFrom, SortedView, without } from "./sorted_view.ts";
import { ExpiryWheel } from "./expiry_wheel.ts";
import { SessionsByAddress } from "./sessions_by_address.ts";
import {
  type Address,
  type HolderSession,
  type Location,
  type PublicationJournal,
  type Session,
  type SessionOptions,
  type SessionResult,
} from "./session.ts";

export type { FileMeta } from "./publications.ts";
// The session types were born here; most importers still find them here.
export * from "./session.ts";

// A session as the state keeps it: `open` is cleared when it ends, so its expiry wheel drops it
// without being searched, and a touch knows it without a lookup.
interface OpenSession extends Session {
  open: boolean;
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
  /** Most walk steps one search count or listing may take (`--max-search-steps`, `name_index.ts`). */
  readonly maxSearchSteps?: number;
}

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
  readonly #maxSessions: number;
  readonly #journal: PublicationJournal | undefined;
  readonly #sessions = new SessionsByAddress<Session>();
  // One wheel per timeout: a touch only writes `lastSeen`, and expiry looks only at the sessions
  // of the slots that came due (`expiry_wheel.ts`).
  readonly #expiryWheels = new Map<number, ExpiryWheel<OpenSession>>();
  readonly #sessionByUser = new Map<string, Session>();
  // v2 sessions by token: a sealed datagram names its session by token, not by address.
  readonly #sessionByToken = new Map<string, Session>();
  // Users with a session, in order: `lap` from any offset without sorting.
  readonly #activeUsers = new SortedView<string>(byCodeUnit);
  // No session is due to expire before this: a lower bound (a touch only moves a deadline later),
  // so the per-datagram sweep is one comparison until something is due.
  #nextExpiry = Infinity;
  // Sessions a query ended as silent before the next `expire()` reported them.
  #unreported: Session[] = [];
  // Publications belong to users, not sessions: they outlive logouts.
  readonly #publications: Publications;
  #rotation = 0;

  constructor(options: TrackerStateOptions) {
    this.#now = options.now;
    this.#timeoutMs = options.sessionTimeoutMs ?? SESSION_TIMEOUT_MS;
    this.#publications = new Publications({
      maxPerUser: options.maxPublicationsPerUser,
      maxSearchSteps: options.maxSearchSteps,
      // The index asks the sessions who is active instead of keeping a set of its own.
      isActive: (user) => this.#sessionByUser.has(user),
    });
    this.#maxSessions = options.maxSessions ?? MAX_SESSIONS;
    this.#journal = options.journal;
  }

  /** Number of live sessions. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** For operators (status page, metrics): live sessions by user, and the publications' figures. */
  operatorView(): { sessions: ReadonlyMap<string, Session>; publications: PublicationFigures } {
    this.#sweep();
    return { sessions: this.#sessionByUser, publications: this.#publications };
  }

  /**
   * Removes every session whose last sign of life is older than the timeout; returns them (and
   * those a query removed since the last call).
   */
  expire(): Session[] {
    this.#sweep();
    const expired = this.#unreported;
    // Called per datagram: most calls find nothing, and allocate nothing then.
    if (expired.length === 0) return [];
    this.#unreported = [];
    return expired;
  }

  // Ends the silent sessions, so the views and the index hold live users only (a silent session
  // never comes back: nothing touches a session that is not live).
  #sweep(): void {
    const now = this.#now();
    if (now <= this.#nextExpiry) return;
    let next = Infinity;
    for (const wheel of this.#expiryWheels.values()) {
      wheel.sweep(now, this.#expireOne);
      next = Math.min(next, wheel.nextDue);
    }
    this.#nextExpiry = next;
  }

  readonly #expireOne = (session: Session): void => {
    this.end(session);
    this.#unreported.push(session);
  };

  /** Ends a session at once (logout, or expiry). */
  end(session: Session): void {
    if (!this.#sessions.delete(session)) return;
    (session as OpenSession).open = false;
    this.#sessionByUser.delete(session.user);
    if (session.token !== undefined) this.#sessionByToken.delete(session.token);
    this.#activeUsers.delete(session.user);
    this.#publications.setActive(session.user, false);
  }

  /** The live session that logged in from `address`, if any. */
  sessionAt(address: Address): Session | undefined {
    const session = this.#sessions.get(address);
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
    this.#sweep();
    const existing = this.#sessionByUser.get(user);
    if (existing !== undefined) {
      if (options.replaceAtSameAddress && this.#sessions.get(address) === existing) {
        this.end(existing);
      } else {
        return { ok: false, reason: "already logged in" };
      }
    }
    if (this.#sessions.get(address) !== undefined) return { ok: false, reason: "address busy" };
    if (this.#sessions.size >= this.#maxSessions) return { ok: false, reason: "tracker full" };
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    // Every field in the literal, the optional ones too: fields added later (a spread, the
    // router's buckets, `TCP`'s address) went to a second array of properties, one more cache
    // miss a datagram at 100,000 sessions (issue 11).
    const session: OpenSession = {
      user,
      address,
      version: options.version,
      timeoutMs,
      lastSeen: this.#now(),
      token: options.token || undefined,
      open: true,
      downloadAddress: undefined,
      tls: undefined,
      flood: undefined,
      hostFlood: undefined,
    };
    this.#sessions.add(session);
    this.#sessionByUser.set(user, session);
    if (session.token !== undefined) this.#sessionByToken.set(session.token, session);
    let wheel = this.#expiryWheels.get(timeoutMs);
    if (wheel === undefined) {
      wheel = new ExpiryWheel({ timeoutMs, isQueued: (queued) => queued.open });
      this.#expiryWheels.set(timeoutMs, wheel);
    }
    wheel.add(session);
    this.#nextExpiry = Math.min(this.#nextExpiry, session.lastSeen + timeoutMs);
    this.#activeUsers.add(user);
    this.#publications.setActive(user, true);
    return { ok: true, session };
  }

  /** Records a sign of life. */
  touch(session: Session): void {
    // Only a session of this state's that has not ended (a field, not a lookup): the wheel sees
    // the new time when the session's slot comes due.
    if ((session as Partial<OpenSession>).open === true) session.lastSeen = this.#now();
  }

  /** Names of the users with a live session, other than `asker`, sorted. */
  activeUsers(asker: string): string[] {
    return drain(this.activeUsersFrom(asker));
  }

  /**
   * The users with a live session other than `asker`, in order from the `offset`-th (`lap`): a
   * rank lookup, then only what the caller pulls.
   */
  activeUsersFrom(asker: string, offset = 0): ListFrom<string> {
    this.#sweep();
    // The view holds exactly the users with a session: whether the asker is in it is a hash
    // lookup, not a search of the view.
    return without(this.#activeUsers, asker, offset, this.#sessionByUser.has(asker));
  }

  /**
   * {@linkcode TrackerState.activeUsersFrom} for the user of `session`, a session of this state's
   * (the asker of a `lap`): whether the asker is in the view is the session's own `open` field, not
   * a lookup of its name in a table of every session (a cache miss a `lap` at 100,000 sessions).
   */
  activeUsersFor(session: Session, offset = 0): ListFrom<string> {
    this.#sweep();
    const user = session.user;
    // An ended session's user may have logged in again since: then the table answers.
    const present = (session as Partial<OpenSession>).open === true ||
      this.#sessionByUser.has(user);
    return without(this.#activeUsers, user, offset, present);
  }

  /** The files `user` has published, sorted. */
  publishedBy(user: string): string[] {
    return drain(this.publishedFrom(user));
  }

  /** The files `user` has published, in order from the `offset`-th (`lpf`). */
  publishedFrom(user: string, offset = 0): ListFrom<string> {
    return this.#publications.publishedFrom(user, offset);
  }

  /** Every file `user` has published, names with spaces too, sorted. */
  allPublishedBy(user: string): string[] {
    return drain(this.allPublishedFrom(user));
  }

  /** Every file `user` has published, names with spaces too, from the `offset`-th (v2 `OWN`). */
  allPublishedFrom(user: string, offset = 0): ListFrom<string> {
    return this.#publications.allPublishedFrom(user, offset);
  }

  /**
   * What v2 `FIND` searches: every name NFC case-folded (`fold`), or every name exactly
   * (`exact`), with silent sessions' publications already left out.
   */
  findIndex(mode: SearchMode): Searchable {
    this.#sweep();
    const publications = this.#publications;
    return mode === "fold"
      ? publications.foldedIndex
      : new MergedSearch(publications.index, publications.spacedIndex);
  }

  /**
   * The versions of `file` that live users other than `asker` publish: one per distinct size
   * and digest (v1 holders, with none, together), most holders first, at most
   * `MAX_FOUND_VERSIONS`. The cost follows the file's holders.
   */
  versions(file: string, asker: string): FoundVersion[] {
    const metas: (FileMeta | undefined)[] = [];
    for (const user of this.#publications.holdersOf(file) ?? []) {
      const session = this.#sessionByUser.get(user);
      if (user === asker || session === undefined || !this.#isLive(session)) continue;
      metas.push(servedMeta(session, this.#publications.metaOf(user, file)));
    }
    return foundVersions(metas);
  }

  /**
   * The search index over the names live users publish (`search_pages.ts` builds `sch` replies
   * from it), with silent sessions' publications already left out.
   */
  searchIndex(): NameIndex {
    this.#sweep();
    return this.#publications.index;
  }

  /**
   * Indexes publications restored so far in one pass (else the first query does): a load of
   * stored publications calls it at its end, so the cost is paid before the socket answers.
   */
  flushRestored(): void {
    this.#publications.flushRestored();
  }

  /** {@linkcode flushRestored} in turns a stop can cut short (`Publications.flushRestoredInTurns`). */
  flushRestoredInTurns(turns: TurnTaker): Promise<void> {
    return this.#publications.flushRestoredInTurns(turns);
  }

  /**
   * Publishes `file` for `user` with its size and digest where known (v2); publishing again
   * replaces them. False when the user is at the cap.
   */
  publish(user: string, file: string, meta?: FileMeta): boolean {
    const result = this.#publications.publish(user, file, meta);
    // A peer publishes all its files again at every re-login: only news reach the journal.
    if (result === "added" || result === "metaChanged") this.#journal?.publish(user, file, meta);
    return result !== "overCap";
  }

  /** Calls `visit` once per publication held (every user's, online or not), in no order. */
  forEachPublication(
    visit: (user: string, file: string, meta: FileMeta | undefined) => void,
  ): void {
    for (const [file, users] of this.#publications.holdersByName()) {
      for (const user of users) visit(user, file, this.#publications.metaOf(user, file));
    }
  }

  /**
   * Puts back a publication kept from an earlier run (the journal is not told: it came from
   * there). False when the user is at the cap or already publishes `file`.
   */
  restore(user: string, file: string, meta?: FileMeta): boolean {
    return this.#publications.restore(user, file, meta);
  }

  /** Withdraws a publication; false when `user` had not published `file`. */
  unpublish(user: string, file: string): boolean {
    if (!this.#publications.unpublish(user, file)) return false;
    this.#journal?.unpublish(user, file);
    return true;
  }

  /**
   * Forgets a user dropped from the credentials: ends their session and withdraws every
   * publication. Returns the session ended (if any) and how many publications went.
   */
  removeUser(user: string): { readonly session?: Session; readonly withdrawn: number } {
    const session = this.#sessionByUser.get(user);
    if (session) this.end(session);
    const withdrawn = this.#publications.unpublishAll(user);
    this.#journal?.removeUser(user);
    return { ...(session ? { session } : {}), withdrawn };
  }

  /**
   * Distinct published names containing `text` (case-sensitive) that some live user other than
   * `asker` publishes, sorted.
   */
  search(text: string, asker: string): string[] {
    return drain(this.searchIndex().list(text, { asker, maxSteps: Infinity }));
  }

  /** Every live holder of `file` other than `asker` that registered a download address. */
  holders(file: string, asker: string): HolderSession[] {
    const holders: HolderSession[] = [];
    // The holders of this one file (a set per name): the cost follows them, not the users.
    for (const user of this.#publications.holdersOf(file) ?? []) {
      const session = this.#sessionByUser.get(user);
      if (user !== asker && session?.downloadAddress && this.#isLive(session)) {
        holders.push({ session, meta: servedMeta(session, this.#publications.metaOf(user, file)) });
      }
    }
    return holders.sort((a, b) => byCodeUnit(a.session.user, b.session.user));
  }

  /** Whether anyone, live or not, publishes `file`. */
  isPublished(file: string): boolean {
    return this.#publications.holdersOf(file) !== undefined;
  }

  /**
   * A live session other than `asker`'s that published `file` and told where it accepts
   * downloads. Holders take turns so one peer does not serve every download.
   */
  locate(file: string, asker: string): Location {
    // One look at the holders and none at what they published: `get` runs per datagram.
    const users = this.#publications.holdersOf(file);
    if (users === undefined) return { kind: "notPublished" };
    const candidates: Session[] = [];
    for (const user of users) {
      const session = this.#sessionByUser.get(user);
      if (user !== asker && session?.downloadAddress && this.#isLive(session)) {
        candidates.push(session);
      }
    }
    if (candidates.length === 0) return { kind: "noActiveHolder" };
    candidates.sort((a, b) => byCodeUnit(a.user, b.user));
    return { kind: "holder", session: candidates[this.#rotation++ % candidates.length] };
  }

  #isLive(session: Session): boolean {
    return this.#now() - session.lastSeen <= session.timeoutMs;
  }
}

/**
 * What a holder's session can serve of a publication: a v1 session's program speaks only v1 over
 * TCP, so its file is offered as a v1 holder's (no size or digest, so no `PS2` request reaches
 * it), even when the user published it earlier over v2.
 */
function servedMeta(session: Session, meta: FileMeta | undefined): FileMeta | undefined {
  return session.version === 1 ? undefined : meta;
}

function drain(list: { next(): string | undefined }): string[] {
  const names: string[] = [];
  for (let name = list.next(); name !== undefined; name = list.next()) names.push(name);
  return names;
}
