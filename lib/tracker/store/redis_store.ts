/**
 * The publication store of a fleet (`--redis`): publications live in Redis, one hash per user
 * (`peersync:pub:<user>`, name → meta) and a set of the users that have any. Changes are
 * written behind (`write_behind.ts`: every 50 ms, coalesced) as one pipelined `MULTI` per
 * batch, which also publishes the batch on `peersync:feed:publications` so the other trackers
 * of the fleet apply it to their own memory (`fleet/publication_feed.ts`). A batch that fails
 * (Redis down) stays queued and is retried, like a failed SQLite write.
 *
 * @module
 */

import type { RedisClient } from "../fleet/redis_link.ts";
import { isFleetName, isFleetUser, KEYS, parsePubMeta, pubMetaText } from "../fleet/keys.ts";
import { pipelineReplies } from "../fleet/replies.ts";
import type { FeedUser, PublicationFeed } from "../fleet/feed.ts";
import {
  checkMeta,
  type LoadAllOptions,
  type PublicationMeta,
  type PublicationStore,
  type PublicationVisitor,
  type StoreStats,
} from "./store.ts";
import { byCodeUnit } from "../sorted_view.ts";
import { WriteBehind, type WriteBehindTuning } from "./write_behind.ts";
import type { WriteQueue } from "./write_queue.ts";

/** How a {@linkcode RedisStore} is made. */
export interface RedisStoreOptions extends WriteBehindTuning {
  /** A connected client (`RedisLink.commands`). */
  readonly client: RedisClient;
  /** This tracker's id in the fleet: the feed names it so it skips its own batches. */
  readonly trackerId: string;
  /** How the store is named in messages (the Redis URL). */
  readonly name: string;
}

/** Users whose hashes one `HGETALL` pipeline reads at load. */
const LOAD_PAGE = 500;

/**
 * Publications in Redis, written behind.
 *
 * @example
 * ```ts ignore
 * import { RedisLink } from "../fleet/redis_link.ts";
 * import { RedisStore } from "./redis_store.ts";
 * const link = await RedisLink.connect("redis://127.0.0.1:6379");
 * const store = new RedisStore({ client: link.commands, trackerId: "t1", name: link.url });
 * store.publish("alice", "a.txt", { size: 3, sha256: "ab".repeat(32) });
 * await store.close();
 * await link.close();
 * ```
 */
export class RedisStore implements PublicationStore {
  readonly #client: RedisClient;
  readonly #trackerId: string;
  readonly #behind: WriteBehind;

  constructor(options: RedisStoreOptions) {
    this.#client = options.client;
    this.#trackerId = options.trackerId;
    this.#behind = new WriteBehind({
      ...options,
      file: options.name,
      write: (batch) => this.#write(batch),
    });
  }

  get stats(): StoreStats {
    return this.#behind.stats;
  }

  /**
   * Entries the last {@linkcode loadAll} left out because no tracker could have written them: a
   * key of the wrong type, a user or a name that is not valid.
   */
  get unreadable(): number {
    return this.#unreadable;
  }

  #unreadable = 0;

  async loadAll(visit: PublicationVisitor, options: LoadAllOptions = {}): Promise<number> {
    await this.#behind.flush();
    const members = (await this.#client.sMembers(KEYS.publishers)).sort(byCodeUnit);
    const users = members.filter(isFleetUser);
    let unreadable = members.length - users.length;
    let count = 0;
    for (let start = 0; start < users.length; start += LOAD_PAGE) {
      options.signal?.throwIfAborted();
      const page = users.slice(start, start + LOAD_PAGE);
      const pipeline = this.#client.multi();
      for (const user of page) pipeline.hGetAll(KEYS.publications(user));
      const hashes = await pipelineReplies(pipeline.exec());
      page.forEach((user, i) => {
        const hash = hashes[i];
        if (!isHash(hash)) {
          unreadable++;
          return;
        }
        for (const name of Object.keys(hash).sort(byCodeUnit)) {
          if (!isFleetName(name)) {
            unreadable++;
            continue;
          }
          visit(user, name, parsePubMeta(hash[name]));
          count++;
        }
      });
    }
    this.#unreadable = unreadable;
    return count;
  }

  publish(user: string, name: string, meta?: PublicationMeta): void {
    checkMeta(meta);
    this.#behind.publish(user, name, meta);
  }

  unpublish(user: string, name: string): void {
    this.#behind.unpublish(user, name);
  }

  removeUser(user: string): void {
    this.#behind.removeUser(user);
  }

  flush(): Promise<void> {
    return this.#behind.flush();
  }

  close(): Promise<void> {
    return this.#behind.close();
  }

  async #write(batch: WriteQueue): Promise<void> {
    const multi = this.#client.multi();
    const users: FeedUser[] = [];
    for (const [user, pending] of batch.users()) {
      const key = KEYS.publications(user);
      if (pending.removeAll) multi.del(key);
      const changes: [string, string | null][] = [];
      const set: Record<string, string> = {};
      const removed: string[] = [];
      for (const [name, change] of pending.changes) {
        const text = change.kind === "publish" ? pubMetaText(change.meta) : null;
        changes.push([name, text]);
        if (text === null) removed.push(name);
        else set[name] = text;
      }
      if (removed.length > 0) multi.hDel(key, removed);
      if (Object.keys(set).length > 0) {
        multi.hSet(key, set);
        multi.sAdd(KEYS.publishers, user);
      } else if (pending.removeAll) {
        multi.sRem(KEYS.publishers, user);
      }
      users.push([user, pending.removeAll, changes]);
    }
    const feed: PublicationFeed = { from: this.#trackerId, users };
    multi.publish(KEYS.publicationFeed, JSON.stringify(feed));
    await multi.exec();
  }
}

function isHash(reply: unknown): reply is Record<string, string> {
  return typeof reply === "object" && reply !== null && !(reply instanceof Error);
}
