/**
 * The v2 requests that carry names with spaces and search results with versions (issue 13):
 * `FIND` (folded or exact search, each name with its versions and holder counts) and `OWN` (the
 * user's publications, names with spaces too). A tracker older than them answers `ERR malformed`
 * (an unknown verb): the caller then falls back to `SCH` and `LPF`, which it is told by
 * `"unsupported"`, remembered per client so it is asked once.
 *
 * @module
 */

import { decodeWireName, type FoundName, type SearchMode } from "../../protocol/mod.ts";
import { SessionLostError, type TrackerLink } from "./tracker_link.ts";
import { fetchAllNames, TrackerRefusedError, type V2Client } from "./v2_client.ts";

/** The tracker is older than `FIND` and `OWN`. */
export type Unsupported = "unsupported";

// Clients whose tracker answered a new verb with `ERR malformed`.
const older = new WeakSet<V2Client>();

/** The v2 client under `link`, when it is a v2 link. */
function clientOf(link: TrackerLink): V2Client | undefined {
  if (link.version !== 2 || !("client" in link)) return undefined;
  return link.client as V2Client;
}

/**
 * Every name matching `text` (folded or exact), with its versions; `"unsupported"` for a v1
 * link or a tracker without `FIND`.
 *
 * @throws {SessionLostError} when the tracker no longer knows the session.
 * @throws {TrackerRefusedError} for another refusal (`broad`).
 */
export async function findNames(
  link: TrackerLink,
  text: string,
  mode: SearchMode,
): Promise<FoundName[] | Unsupported> {
  const client = clientOf(link);
  if (client === undefined || older.has(client)) return "unsupported";
  const found: FoundName[] = [];
  for (;;) {
    const reply = await client.request({ verb: "FIND", mode, text, offset: found.length });
    if (reply.status === "ERR") {
      if (reply.code === "malformed" && found.length === 0) {
        older.add(client);
        return "unsupported";
      }
      if (reply.code === "token") throw new SessionLostError();
      throw new TrackerRefusedError("FIND", reply.code);
    }
    if (reply.status !== "FOUND") throw new TrackerRefusedError("FIND", "malformed");
    found.push(...reply.found);
    if (reply.found.length === 0 || found.length >= reply.total) return found;
  }
}

/**
 * Every name the user publishes, names with spaces too; `"unsupported"` for a v1 link or a
 * tracker without `OWN`.
 *
 * @throws {SessionLostError} when the tracker no longer knows the session.
 */
export async function ownFiles(link: TrackerLink): Promise<string[] | Unsupported> {
  const client = clientOf(link);
  if (client === undefined || older.has(client)) return "unsupported";
  try {
    const names = await fetchAllNames(client, (offset) => ({ verb: "OWN", offset }));
    return names.map(decodeWireName);
  } catch (error) {
    if (!(error instanceof TrackerRefusedError)) throw error;
    if (error.code === "token") throw new SessionLostError();
    if (error.code !== "malformed") throw error;
    older.add(client);
    return "unsupported";
  }
}

/** The user's publications, by `OWN` where the tracker has it, else by `LPF` (no spaces). */
export async function allPublishedFiles(link: TrackerLink): Promise<string[] | undefined> {
  const own = await ownFiles(link);
  if (own !== "unsupported") return own;
  const reply = await link.publishedFiles();
  return reply.kind === "publishedFiles" ? [...reply.list.names] : undefined;
}
