/**
 * A fleet of trackers on one Redis (`--redis redis://host:port`): publications are stored in
 * Redis (`store/redis_store.ts`) and sessions are shared (`fleet_sync.ts`), so several tracker
 * processes act as one service. {@linkcode joinFleet} connects, loads, joins and returns the
 * state to serve from; nothing on the datagram path waits on Redis.
 *
 * @module
 */

import type { Logger } from "../../log.ts";
import { errorText } from "../../util/mod.ts";
import { loadPublications, type LoadSummary } from "../load_publications.ts";
import { StoreHealthLog } from "../store_health.ts";
import { RedisStore } from "../store/redis_store.ts";
import { StoreOverflowError } from "../store/errors.ts";
import { FleetState } from "./fleet_state.ts";
import { FLEET_DEFAULTS, FleetSync } from "./fleet_sync.ts";
import { RedisLink } from "./redis_link.ts";
import { KEYS, pubMetaText } from "./keys.ts";

export { FLEET_DEFAULTS } from "./fleet_sync.ts";
export { FleetState } from "./fleet_state.ts";
export { checkRedisUrl, RedisUnreachableError, RedisUrlError } from "./redis_link.ts";

/** What {@linkcode joinFleet} needs. */
export interface JoinFleetOptions {
  readonly url: string;
  /** Names this tracker in the fleet (its address); a random suffix makes it unique. */
  readonly name: string;
  readonly logger: Logger;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  readonly isKnown: (user: string) => boolean;
  readonly maxSessions?: number;
  readonly maxPublicationsPerUser?: number;
  readonly maxSearchSteps?: number;
  /** Sessions of a tracker that stopped renewing its key are dropped after this. */
  readonly ttlMs?: number;
}

/** A tracker that joined a fleet. */
export interface Fleet {
  readonly id: string;
  readonly state: FleetState;
  readonly loaded: LoadSummary;
  /** Leaves the fleet and writes what is queued; false when queued publications were lost. */
  leave(): Promise<boolean>;
}

/**
 * Connects to Redis, loads every stored publication, and joins the fleet. Throws
 * `RedisUnreachableError` when Redis cannot be reached at start.
 *
 * @example
 * ```ts ignore
 * import { joinFleet } from "./mod.ts";
 * const fleet = await joinFleet({
 *   url: "redis://127.0.0.1:6379",
 *   name: "127.0.0.1:5000",
 *   logger: { log: (event) => console.log(event.message) },
 *   now: () => performance.now(),
 *   isKnown: () => true,
 * });
 * await fleet.leave();
 * ```
 */
export async function joinFleet(options: JoinFleetOptions): Promise<Fleet> {
  const { logger, url } = options;
  const ttlMs = options.ttlMs ?? FLEET_DEFAULTS.ttlMs;
  const id = `${options.name}/${crypto.randomUUID().slice(0, 8)}`;
  let sync: FleetSync | undefined;
  const link = await RedisLink.connect(url, {
    onLost: (problem) =>
      logger.log({
        level: "error",
        message: `Redis at ${url} lost (${problem}): serving from memory, reconnecting; ` +
          `publication changes wait to be saved, and peers of other trackers drop out after ` +
          `${ttlMs / 1000} s`,
        fields: { event: "redisLost", problem },
      }),
    onBack: () => {
      logger.log({
        message: `Redis at ${url} is back: rejoining the fleet`,
        fields: { event: "redisBack" },
      });
      sync?.rejoin();
      // Publications other trackers changed meanwhile were announced while this one was away.
      void restoreIfEmptied().then((emptied) => relearn(!emptied)).catch((error) =>
        logger.log({
          level: "warn",
          message: `Could not re-read publications from Redis: ${errorText(error)}`,
          fields: { event: "fleetRelearnFailed" },
        })
      );
    },
  });
  let epoch: string | undefined;
  const learnEpoch = async () => {
    await link.commands.set(KEYS.epoch, crypto.randomUUID(), { NX: true });
    return await link.commands.get(KEYS.epoch) ?? undefined;
  };
  // A Redis restarted without persistence comes back empty, while every tracker still holds
  // all publications in memory: write them back, or they are lost at the next tracker start.
  const restoreIfEmptied = async () => {
    const now = await link.commands.get(KEYS.epoch);
    if (now !== null && now === epoch) return false;
    let count = 0;
    // A user logged in on another tracker is that tracker's to write back: its copy holds
    // what the user changed during the outage, which this one may not have heard of.
    state.forEachPublication((user, name, meta) => {
      if (!options.isKnown(user) || state.hasRemote(user)) return;
      store.publish(user, name, meta);
      count++;
    });
    logger.log({
      level: "warn",
      message: `Redis at ${url} came back without the fleet's data (restarted without ` +
        `persistence?): writing back the ${count} publications this tracker holds`,
      fields: { event: "fleetRestore", publications: count },
    });
    await store.flush();
    epoch = await learnEpoch();
    return true;
  };
  // `withdraw`: also drop what Redis no longer holds. Not after Redis came back empty: the
  // other trackers may not have written theirs back yet.
  const relearn = async (withdraw: boolean) => {
    const byUser = new Map<string, Map<string, string>>();
    let fed: ReadonlySet<string>;
    state.startNotingFed();
    try {
      await store.loadAll((user, name, meta) => {
        if (!options.isKnown(user)) return;
        let names = byUser.get(user);
        if (names === undefined) byUser.set(user, names = new Map());
        names.set(name, pubMetaText(meta));
      });
    } finally {
      // Applied by the feed while Redis was read: newer than what was read.
      fed = state.stopNotingFed();
    }
    state.syncPublications(byUser, fed, withdraw);
  };
  const health = new StoreHealthLog({ logger, now: options.now });
  const store = new RedisStore({
    client: link.commands,
    trackerId: id,
    name: url,
    // While Redis is down the link has said so; only losing changes is worth another line.
    onError: (error) => {
      if (link.up || error instanceof StoreOverflowError) health.failed(error);
    },
    onRecover: (info) => health.recovered(info),
  });
  const state = new FleetState({
    now: options.now,
    journal: store,
    maxSessions: options.maxSessions,
    maxPublicationsPerUser: options.maxPublicationsPerUser,
    maxSearchSteps: options.maxSearchSteps,
    // Confirmed every heartbeat while the owner lives; unconfirmed (Redis lost) they last this.
    remoteTimeoutMs: ttlMs + FLEET_DEFAULTS.heartbeatMs,
  });
  try {
    const loaded = await loadPublications(store, state, {
      isKnown: options.isKnown,
      now: options.now,
    });
    epoch = await learnEpoch();
    if (store.unreadable > 0) {
      logger.log({
        level: "warn",
        message: `Ignored ${store.unreadable} entries under ${KEYS.publications("*")} in Redis ` +
          "that no tracker wrote (a key of another type, an invalid user or file name)",
        fields: { event: "fleetUnreadable", unreadable: store.unreadable },
      });
    }
    sync = new FleetSync({ link, state, trackerId: id, logger, ttlMs, isKnown: options.isKnown });
    await sync.start();
    const joined = sync;
    return {
      id,
      state,
      loaded,
      leave: async () => {
        await joined.close();
        let saved = true;
        try {
          await store.close();
        } catch (error) {
          saved = false;
          logger.log({
            level: "error",
            message: `Publications not saved at stop: ${errorText(error)}`,
            fields: { event: "storeLost" },
          });
        }
        await link.close();
        return saved;
      },
    };
  } catch (error) {
    await sync?.close().catch(() => {});
    await store.close().catch(() => {});
    await link.close();
    throw error;
  }
}
