/**
 * Keeps a tracker's {@linkcode FleetState} in step with the rest of its fleet, off the datagram
 * path. Every call from the state (`opened`, `ended`, `touched`) only notes the change; a timer
 * writes what changed as one pipelined `MULTI` every `flushMs` and publishes it on the session
 * feed, which the other trackers apply at once. A login also claims the user in Redis (one
 * script, atomic): if another live tracker claimed the user first, this tracker ends its new
 * session, so a user is logged in once in the whole fleet even when two logins race.
 *
 * Liveness: each tracker keeps `peersync:alive:<id>` with a TTL of `ttlMs`, renewed every
 * `heartbeatMs`. Every heartbeat also checks which trackers are alive (`fleet_view.ts`): the
 * sessions of a tracker whose key expired (it died, or lost Redis) are dropped everywhere, so
 * they last at most `ttlMs` + `heartbeatMs` after its last renewal. Every `snapshotMs`, and after a
 * reconnection, the whole session table is read again to mend anything a lost message missed.
 *
 * @module
 */

import type { Logger } from "../../log.ts";
import type { Address, Session } from "../state.ts";
import type { TlsEndpoint } from "../../protocol/mod.ts";
import { errorText } from "../../util/mod.ts";
import type { FleetState, SessionObserver } from "./fleet_state.ts";
import { readPublicationFeed } from "./feed.ts";
import { FleetView } from "./fleet_view.ts";
import type { SessionFeed, SessionRecord } from "./feed.ts";
import { KEYS } from "./keys.ts";
import { EventThrottle } from "../guard.ts";
import type { RedisLink } from "./redis_link.ts";

/** Timing of a fleet; the operations guide quotes the defaults. */
export const FLEET_DEFAULTS = {
  /** A tracker's sessions outlive its last sign of life by at most this (plus a heartbeat). */
  ttlMs: 5_000,
  heartbeatMs: 1_000,
  snapshotMs: 10_000,
  flushMs: 20,
} as const;

/** What a {@linkcode FleetSync} needs. */
export interface FleetSyncOptions {
  readonly link: RedisLink;
  readonly state: FleetState;
  readonly trackerId: string;
  readonly logger: Logger;
  readonly ttlMs?: number;
  readonly heartbeatMs?: number;
  readonly snapshotMs?: number;
  readonly flushMs?: number;
  /** Whether `user` is in this tracker's credentials: publications of others are not applied. */
  readonly isKnown?: (user: string) => boolean;
}

// KEYS[1] owners, KEYS[2] this tracker's sessions; ARGV user, tracker id, alive prefix,
// sessions prefix, record. Returns "" when the claim holds, else the id of the tracker that has
// the user (alive, and still listing the user's session).
const CLAIM = `
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner and owner ~= ARGV[2] and redis.call('EXISTS', ARGV[3] .. owner) == 1
   and redis.call('HEXISTS', ARGV[4] .. owner, ARGV[1]) == 1 then
  return owner
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[5])
return ''`;

/** Claims sent in one pipeline. */
const CLAIM_PAGE = 1_000;

// KEYS[1] owners; ARGV user, tracker id: forgets the claim only if it is still this tracker's.
const RELEASE = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;

interface Written {
  readonly download?: Address;
  readonly tls?: TlsEndpoint;
}

/**
 * The background link between a fleet state and Redis.
 *
 * @example
 * ```ts ignore
 * const sync = new FleetSync({ link, state, trackerId: "t1", logger });
 * await sync.start();
 * // … serve …
 * await sync.close();
 * ```
 */
export class FleetSync implements SessionObserver {
  readonly #link: RedisLink;
  readonly #state: FleetState;
  readonly #id: string;
  readonly #logger: Logger;
  readonly #ttlMs: number;
  readonly #heartbeatMs: number;
  readonly #snapshotMs: number;
  readonly #flushMs: number;
  readonly #up = new Map<string, Session>();
  readonly #down = new Set<string>();
  readonly #touched = new Set<Session>();
  readonly #toClaim = new Set<Session>();
  readonly #written = new WeakMap<Session, Written>();
  readonly #view: FleetView;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastSnapshot = 0;
  #busy: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #isKnown: (user: string) => boolean;
  // A fault that lasts (a foreign key in the way) fails every heartbeat: one line per 10 s.
  readonly #failures = new EventThrottle({ now: () => performance.now() });

  constructor(options: FleetSyncOptions) {
    this.#isKnown = options.isKnown ?? (() => true);
    this.#link = options.link;
    this.#state = options.state;
    this.#id = options.trackerId;
    this.#logger = options.logger;
    this.#ttlMs = options.ttlMs ?? FLEET_DEFAULTS.ttlMs;
    this.#heartbeatMs = options.heartbeatMs ?? FLEET_DEFAULTS.heartbeatMs;
    this.#snapshotMs = options.snapshotMs ?? FLEET_DEFAULTS.snapshotMs;
    this.#flushMs = options.flushMs ?? FLEET_DEFAULTS.flushMs;
    this.#view = new FleetView({ ...options, ttlMs: this.#ttlMs });
  }

  /**
   * Joins the fleet: marks this tracker alive, listens to both feeds, reads every other
   * tracker's sessions, and starts the timers. Throws when Redis fails meanwhile.
   */
  async start(): Promise<void> {
    this.#state.observe(this);
    await this.#link.subscriber.subscribe(KEYS.sessionFeed, (text) => this.#view.heard(text));
    const isKnown = this.#isKnown;
    await this.#link.subscriber.subscribe(KEYS.publicationFeed, (text) => {
      const feed = readPublicationFeed(text);
      if (feed === undefined || feed.from === this.#id) return;
      this.#state.applyPublications(feed.users.filter(([user]) => isKnown(user)));
    });
    await this.#beat(true);
    this.#heartbeat = setInterval(() => this.#tick(), this.#heartbeatMs);
  }

  /** After a reconnection: writes and claims every local session again, then re-reads all. */
  rejoin(): void {
    this.#view.rejoining();
    for (const session of this.#state.localSessions()) {
      this.#toClaim.add(session);
      this.#up.set(session.user, session);
    }
    this.#serially(() => this.#beat(true));
    this.#schedule();
  }

  opened(session: Session): void {
    this.#up.set(session.user, session);
    this.#down.delete(session.user);
    this.#toClaim.add(session);
    this.#schedule();
  }

  ended(session: Session): void {
    this.#up.delete(session.user);
    this.#touched.delete(session);
    this.#toClaim.delete(session);
    this.#down.add(session.user);
    this.#schedule();
  }

  touched(session: Session): void {
    // Per datagram: a set insert; the flush compares the endpoint with what was written.
    this.#touched.add(session);
    this.#schedule();
  }

  /** Leaves the fleet: its sessions are gone from Redis and from the other trackers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#flushTimer);
    await this.#busy;
    if (!this.#link.up) return;
    const users = [...this.#state.localSessions()].map((session) => session.user);
    const multi = this.#link.commands.multi();
    for (const user of users) {
      multi.eval(RELEASE, { keys: [KEYS.owners], arguments: [user, this.#id] });
    }
    multi.del([KEYS.sessions(this.#id), KEYS.alive(this.#id)]);
    multi.sRem(KEYS.trackers, this.#id);
    const feed: SessionFeed = { from: this.#id, up: [], down: users };
    multi.publish(KEYS.sessionFeed, JSON.stringify(feed));
    await multi.exec().catch(() => {});
    await this.#link.subscriber.unsubscribe().catch(() => {});
  }

  #schedule(): void {
    if (this.#flushTimer !== undefined || this.#closed) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.#serially(() => this.#flush());
    }, this.#flushMs);
  }

  // One Redis conversation at a time, so a flush never overtakes a claim it depends on.
  #serially(work: () => Promise<void>): void {
    this.#busy = this.#busy.then(work).catch((error) => this.#failed(error));
  }

  #failed(error: unknown): void {
    // While Redis is down the link has said so once; the work is redone at `rejoin`.
    if (!this.#link.up || this.#closed) return;
    const suppressed = this.#failures.record("sync");
    if (suppressed === undefined) return;
    const more = suppressed > 0 ? ` (${suppressed} more failures since the last report)` : "";
    this.#logger.log({
      level: "warn",
      message: `Fleet sync with Redis failed: ${errorText(error)}; retrying${more}`,
      fields: { event: "fleetSyncFailed", suppressed },
    });
  }

  /**
   * Claims the users of `sessions` (pipelined, a page at a time); a session whose user another
   * live tracker holds is ended here.
   */
  async #claim(sessions: readonly Session[]): Promise<void> {
    for (let start = 0; start < sessions.length; start += CLAIM_PAGE) {
      const page = sessions.slice(start, start + CLAIM_PAGE);
      const pipeline = this.#link.commands.multi();
      const records = page.map(recordOf);
      for (const [i, session] of page.entries()) {
        pipeline.eval(CLAIM, {
          keys: [KEYS.owners, KEYS.sessions(this.#id)],
          arguments: [
            session.user,
            this.#id,
            KEYS.alivePrefix,
            KEYS.sessions(""),
            JSON.stringify(records[i]),
          ],
        });
      }
      const holders = await pipeline.execAsPipeline() as unknown[];
      page.forEach((session, i) => this.#claimed(session, records[i], holders[i]));
    }
  }

  #claimed(session: Session, record: SessionRecord, holder: unknown): void {
    if (!this.#state.isLocal(session)) return;
    if (typeof holder === "string" && holder !== "") {
      this.#logger.log({
        level: "warn",
        user: session.user,
        message: `Session of ${session.user} ended: already logged in on tracker ${holder} ` +
          "of the fleet (two logins raced)",
        fields: { event: "fleetDuplicate", holder },
      });
      this.#up.delete(session.user);
      this.#state.end(session);
      // Its claim stays the other tracker's: nothing to write for this end.
      this.#down.delete(session.user);
      return;
    }
    // What was written, which a `TCP` during the round trip may already have replaced.
    this.#written.set(session, { download: record.download, tls: record.tls });
  }

  async #flush(): Promise<void> {
    if (this.#toClaim.size > 0 && this.#link.up) {
      const claims = [...this.#toClaim].filter((session) => this.#state.isLocal(session));
      this.#toClaim.clear();
      try {
        await this.#claim(claims);
      } catch (error) {
        for (const session of claims) this.#toClaim.add(session);
        throw error;
      }
    }
    for (const session of this.#touched) {
      const written = this.#written.get(session);
      if (written === undefined) continue; // Not yet claimed: the claim writes it.
      if (written.download !== session.downloadAddress || written.tls !== session.tls) {
        this.#up.set(session.user, session);
      }
    }
    this.#touched.clear();
    if (this.#up.size === 0 && this.#down.size === 0) return;
    const up = [...this.#up.values()].filter((session) => this.#written.has(session));
    const down = [...this.#down];
    for (const session of up) this.#up.delete(session.user);
    this.#down.clear();
    if (!this.#link.up) {
      this.#putBack(up, down);
      return;
    }
    const records = up.map(recordOf);
    const multi = this.#link.commands.multi();
    if (records.length > 0) {
      multi.hSet(
        KEYS.sessions(this.#id),
        Object.fromEntries(records.map((record) => [record.user, JSON.stringify(record)])),
      );
    }
    if (down.length > 0) multi.hDel(KEYS.sessions(this.#id), down);
    for (const user of down) {
      multi.eval(RELEASE, { keys: [KEYS.owners], arguments: [user, this.#id] });
    }
    const feed: SessionFeed = { from: this.#id, up: records, down };
    multi.publish(KEYS.sessionFeed, JSON.stringify(feed));
    try {
      await multi.exec();
    } catch (error) {
      this.#putBack(up, down);
      throw error;
    }
    // What was written: the very objects the session holds, compared by reference at the next
    // flush (a `TCP` replaces them).
    up.forEach((session, i) => {
      this.#written.set(session, { download: records[i].download, tls: records[i].tls });
    });
  }

  #putBack(up: readonly Session[], down: readonly string[]): void {
    for (const session of up) {
      if (this.#state.isLocal(session) && !this.#up.has(session.user)) {
        this.#up.set(session.user, session);
      }
    }
    for (const user of down) if (!this.#up.has(user)) this.#down.add(user);
  }

  #tick(): void {
    if (this.#closed || !this.#link.up) return;
    const snapshot = performance.now() - this.#lastSnapshot >= this.#snapshotMs;
    this.#serially(() => this.#beat(snapshot));
  }

  async #beat(snapshot: boolean): Promise<void> {
    if (snapshot) this.#lastSnapshot = performance.now();
    if (!(await this.#view.beat(snapshot))) return;
    // The link stalled past the TTL without breaking (a partition, a stalled Redis): the others
    // dropped this tracker's sessions, though its peers never left it.
    this.#logger.log({
      level: "warn",
      message: `This tracker's key in Redis expired (the link to Redis stalled for over ` +
        `${this.#ttlMs / 1000} s): the fleet dropped this tracker's sessions; writing them again`,
      fields: { event: "fleetRejoin" },
    });
    this.rejoin();
  }
}

function recordOf(session: Session): SessionRecord {
  return {
    user: session.user,
    address: session.address,
    version: session.version,
    ...(session.downloadAddress ? { download: session.downloadAddress } : {}),
    ...(session.tls ? { tls: session.tls } : {}),
  };
}
