/**
 * What trackers of a fleet tell each other over Redis pub/sub, as JSON, with decoders that never
 * throw: a message that does not read is dropped, never a crash.
 *
 * @module
 */

import type { Address } from "../state.ts";
import { isIpLiteral, isSha256Hex, type TlsEndpoint } from "../../protocol/mod.ts";
import { isFleetName, isFleetUser } from "./keys.ts";

/** One user's publication changes: a removal of all first, then per name a meta text or null (withdrawn). */
export type FeedUser = readonly [
  user: string,
  removeAll: boolean,
  changes: readonly (readonly [name: string, meta: string | null])[],
];

/** A batch of publication changes written by tracker `from`. */
export interface PublicationFeed {
  readonly from: string;
  readonly users: readonly FeedUser[];
}

/** A session as the fleet shares it. */
export interface SessionRecord {
  readonly user: string;
  /** The UDP address the peer logged in from. */
  readonly address: Address;
  readonly version: 1 | 2;
  /** Where it accepts downloads, once it said so. */
  readonly download?: Address;
  readonly tls?: TlsEndpoint;
}

/** Sessions opened or changed (`up`) and ended (`down`, users) on tracker `from`. */
export interface SessionFeed {
  readonly from: string;
  readonly up: readonly SessionRecord[];
  readonly down: readonly string[];
}

type Json = unknown;

const isString = (value: Json): value is string => typeof value === "string";

// Whatever is read from Redis is untrusted: a record is served to peers only when it could have
// come from a peer's own datagrams (an IP literal, a real port, a SHA-256 fingerprint).
const isPort = (value: Json): value is number =>
  Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;

function isAddress(value: Json): value is Address {
  if (typeof value !== "object" || value === null) return false;
  const { hostname, port } = value as Record<string, Json>;
  return isString(hostname) && isIpLiteral(hostname) && isPort(port);
}

function isTls(value: Json): value is TlsEndpoint {
  if (typeof value !== "object" || value === null) return false;
  const { port, fingerprint } = value as Record<string, Json>;
  return isPort(port) && isString(fingerprint) && isSha256Hex(fingerprint);
}

function parse(text: string): Json {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Reads one stored or sent session record; undefined when it does not read. */
export function readSessionRecord(value: Json): SessionRecord | undefined {
  if (typeof value === "string") value = parse(value);
  if (typeof value !== "object" || value === null) return undefined;
  const { user, address, version, download, tls } = value as Record<string, Json>;
  if (!isString(user) || !isFleetUser(user) || !isAddress(address)) return undefined;
  if (version !== 1 && version !== 2) return undefined;
  if (download !== undefined && !isAddress(download)) return undefined;
  if (tls !== undefined && !isTls(tls)) return undefined;
  return {
    user,
    address: { hostname: address.hostname, port: address.port },
    version,
    ...(download ? { download: { hostname: download.hostname, port: download.port } } : {}),
    ...(tls ? { tls: { port: tls.port, fingerprint: tls.fingerprint } } : {}),
  };
}

/** Reads a {@linkcode SessionFeed} message; undefined when it does not read. */
export function readSessionFeed(text: string): SessionFeed | undefined {
  const value = parse(text);
  if (typeof value !== "object" || value === null) return undefined;
  const { from, up, down } = value as Record<string, Json>;
  if (!isString(from) || !Array.isArray(up) || !Array.isArray(down)) return undefined;
  if (!down.every(isString)) return undefined;
  const records: SessionRecord[] = [];
  for (const item of up) {
    const record = readSessionRecord(item);
    if (record === undefined) return undefined;
    records.push(record);
  }
  return { from, up: records, down };
}

/** Reads a {@linkcode PublicationFeed} message; undefined when it does not read. */
export function readPublicationFeed(text: string): PublicationFeed | undefined {
  const value = parse(text);
  if (typeof value !== "object" || value === null) return undefined;
  const { from, users } = value as Record<string, Json>;
  if (!isString(from) || !Array.isArray(users)) return undefined;
  const read: FeedUser[] = [];
  for (const entry of users) {
    if (!Array.isArray(entry) || entry.length !== 3) return undefined;
    const [user, removeAll, changes] = entry;
    if (!isString(user) || typeof removeAll !== "boolean" || !Array.isArray(changes)) {
      return undefined;
    }
    for (const change of changes) {
      if (!Array.isArray(change) || change.length !== 2 || !isString(change[0])) return undefined;
      if (change[1] !== null && !isString(change[1])) return undefined;
    }
    // Well-formed but not a tracker's: a user or a name no peer could have, left out.
    if (!isFleetUser(user)) continue;
    const kept = (changes as [string, string | null][]).filter(([name]) => isFleetName(name));
    read.push([user, removeAll, kept]);
  }
  return { from, users: read };
}
