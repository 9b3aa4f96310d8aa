/**
 * The names a fleet uses in Redis, and the text of what it keeps there. One place, so the
 * operations guide, the store and the session sync agree.
 *
 * @module
 */

import type { PublicationMeta } from "../store/store.ts";
import { isValidField, MAX_USER_NAME_BYTES, v2FileNameProblem } from "../../protocol/mod.ts";

/** Every key and channel of a fleet starts with this. */
export const PREFIX = "peersync:";

/** Redis names of the fleet's data. */
export const KEYS = {
  /** Set: users with at least one stored publication. */
  publishers: `${PREFIX}publishers`,
  /**
   * String: a random id the first tracker sets and no one changes, so a tracker that finds it
   * gone (or another) after a reconnection knows Redis lost its data (restarted empty).
   */
  epoch: `${PREFIX}epoch`,
  /** Hash per user: name → meta text (`pubMetaText`). */
  publications: (user: string) => `${PREFIX}pub:${user}`,
  /** Channel: publication changes, as `PublicationFeed` JSON. */
  publicationFeed: `${PREFIX}feed:publications`,
  /** Set: ids of trackers that joined (a dead one stays until another removes it). */
  trackers: `${PREFIX}trackers`,
  /** String with a TTL per tracker: present while the tracker is alive. */
  alivePrefix: `${PREFIX}alive:`,
  alive: (tracker: string) => `${PREFIX}alive:${tracker}`,
  /** Hash per tracker: user → session record JSON, its sessions. */
  sessions: (tracker: string) => `${PREFIX}sessions:${tracker}`,
  /** Hash: user → id of the tracker the user is logged in on. */
  owners: `${PREFIX}owners`,
  /** Channel: session changes, as `SessionFeed` JSON. */
  sessionFeed: `${PREFIX}feed:sessions`,
} as const;

/** A publication's meta as stored: "" for v1, `size sha256` for v2. */
export function pubMetaText(meta: PublicationMeta | undefined): string {
  return meta === undefined ? "" : `${meta.size} ${meta.sha256}`;
}

/** Reads {@linkcode pubMetaText}; undefined for v1 or anything unreadable. */
export function parsePubMeta(text: string): PublicationMeta | undefined {
  const space = text.indexOf(" ");
  if (space <= 0) return undefined;
  const size = Number(text.slice(0, space));
  const sha256 = text.slice(space + 1);
  if (!Number.isSafeInteger(size) || size < 0 || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  return { size, sha256 };
}

/**
 * Whether `user` read from Redis may be a user of this fleet: what a credentials file accepts
 * (one field, no comma). Anything else in Redis was not written by a tracker and is skipped.
 */
export function isFleetUser(user: string): boolean {
  return isValidField(user, MAX_USER_NAME_BYTES) && !user.includes(",");
}

/** Whether `name` read from Redis is a file name a peer could have published (v1 or v2). */
export function isFleetName(name: string): boolean {
  return v2FileNameProblem(name) === undefined;
}
