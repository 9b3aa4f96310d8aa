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
import { fetchNames, TrackerRefusedError, type V2Client } from "./v2_client.ts";
import { collectPages, LISTING_LIMITS, type PagingLimits } from "./paging.ts";

/**
 * How many of the user's own names `OWN` collects at most: far past any publication cap an
 * operator sets, yet an end. A list cut short only leaves some publications of missing files
 * standing: nothing is withdrawn for being left out of it.
 */
const OWN_LIMITS: PagingLimits = { maxItems: 1_000_000, maxPages: 250_000 };

/** The names a `FIND` found (at most `LISTING_LIMITS`), and how many more the tracker had. */
export interface FoundNames {
  readonly found: FoundName[];
  readonly omitted: number;
}

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
): Promise<FoundNames | Unsupported> {
  const client = clientOf(link);
  if (client === undefined || older.has(client)) return "unsupported";
  let unsupported = false;
  const { items, omitted } = await collectPages<FoundName>(async (offset) => {
    const reply = await client.request({ verb: "FIND", mode, text, offset });
    if (reply.status === "ERR") {
      if (reply.code === "malformed" && offset === 0) {
        unsupported = true;
        return { items: [], total: 0 };
      }
      if (reply.code === "token") throw new SessionLostError();
      throw new TrackerRefusedError("FIND", reply.code);
    }
    if (reply.status !== "FOUND") throw new TrackerRefusedError("FIND", "malformed");
    return { items: reply.found, total: reply.total };
  }, LISTING_LIMITS);
  if (unsupported) {
    older.add(client);
    return "unsupported";
  }
  return { found: items, omitted };
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
    const { names } = await fetchNames(
      client,
      (offset) => ({ verb: "OWN", offset }),
      OWN_LIMITS,
    );
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
