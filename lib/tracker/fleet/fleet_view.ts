/**
 * A fleet member's view of the other trackers: renews this tracker's key in Redis, learns which
 * trackers are alive (clearing the sessions of those whose key expired), re-reads every session
 * when asked, and applies what the session feed says. Used by `fleet_sync.ts`, on its timer.
 *
 * @module
 */

import type { Logger } from "../../log.ts";
import { readSessionFeed, readSessionRecord } from "./feed.ts";
import type { FleetState } from "./fleet_state.ts";
import { KEYS } from "./keys.ts";
import type { RedisLink } from "./redis_link.ts";
import { pipelineReplies } from "./replies.ts";

/** What a {@linkcode FleetView} needs. */
export interface FleetViewOptions {
  readonly link: RedisLink;
  readonly state: FleetState;
  readonly trackerId: string;
  readonly logger: Logger;
  /** The TTL of this tracker's key. */
  readonly ttlMs: number;
}

/**
 * The other trackers, as seen from one.
 *
 * @example
 * ```ts ignore
 * const view = new FleetView({ link, state, trackerId: "t1", logger, ttlMs: 5_000 });
 * await view.beat(true);
 * ```
 */
export class FleetView {
  readonly #link: RedisLink;
  readonly #state: FleetState;
  readonly #id: string;
  readonly #logger: Logger;
  readonly #ttlMs: number;
  #joined = false;

  constructor(options: FleetViewOptions) {
    this.#link = options.link;
    this.#state = options.state;
    this.#id = options.trackerId;
    this.#logger = options.logger;
    this.#ttlMs = options.ttlMs;
  }

  /**
   * After a reconnection, when the owner writes everything again anyway: the next beat finding
   * this tracker gone from Redis (a Redis restarted empty) is not news.
   */
  rejoining(): void {
    this.#joined = false;
  }

  /**
   * Renews this tracker's key, learns who is alive, and (with `snapshot`) re-reads all
   * sessions. Resolves with whether another tracker had declared this one dead (its key expired
   * while the link stalled) and so cleared its sessions from Redis: the owner must write them
   * again.
   */
  async beat(snapshot: boolean): Promise<boolean> {
    const commands = this.#link.commands;
    const [, added, members] = await commands.multi()
      .set(KEYS.alive(this.#id), String(Date.now()), { PX: this.#ttlMs })
      .sAdd(KEYS.trackers, this.#id)
      .sMembers(KEYS.trackers)
      .execAsPipeline() as unknown as [unknown, number, string[]];
    // Only a tracker that saw this one's key gone takes it out of the set (with its sessions).
    const dropped = this.#joined && added === 1;
    this.#joined = true;
    const others = members.filter((id) => id !== this.#id);
    const check = commands.multi();
    for (const id of others) check.exists(KEYS.alive(id));
    const exists = others.length === 0 ? [] : await check.execAsPipeline() as unknown as number[];
    const alive = new Set(others.filter((_, i) => exists[i] === 1));
    const dead = others.filter((id) => !alive.has(id));
    if (dead.length > 0) {
      // Whoever notices first clears a dead tracker's sessions; doing it twice is harmless.
      const clear = commands.multi();
      for (const id of dead) clear.del(KEYS.sessions(id)).sRem(KEYS.trackers, id);
      await clear.exec();
      for (const id of dead) {
        this.#logger.log({
          level: "warn",
          message: `Tracker ${id} of the fleet stopped renewing its key in Redis: its sessions ` +
            "are dropped",
          fields: { event: "fleetTrackerGone", tracker: id },
        });
      }
    }
    if (!snapshot) {
      this.#state.confirmRemote(alive);
      return dropped;
    }
    const ids = [...alive];
    const read = commands.multi();
    for (const id of ids) read.hGetAll(KEYS.sessions(id));
    const tables = ids.length === 0 ? [] : await pipelineReplies(read.exec());
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      const table = tables[i];
      // Not a hash (another program's key): nothing of that tracker is believed.
      if (typeof table !== "object" || table === null || table instanceof Error) return;
      for (const text of Object.values(table)) {
        if (typeof text !== "string") continue;
        const record = readSessionRecord(text);
        if (record === undefined) continue;
        seen.add(`${id}\n${record.user}`);
        this.#state.putRemote(id, record);
      }
    });
    this.#state.confirmRemote(alive, seen);
    return dropped;
  }

  /** Applies a message of the session feed. */
  heard(text: string): void {
    const feed = readSessionFeed(text);
    if (feed === undefined || feed.from === this.#id) return;
    for (const user of feed.down) this.#state.dropRemote(feed.from, user);
    for (const record of feed.up) this.#state.putRemote(feed.from, record);
  }
}
