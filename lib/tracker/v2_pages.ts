/**
 * Pages of v2 replies: a list or the holders of a file, as many entries as fit the byte budget of
 * one reply (1137 bytes of plaintext once sealed, 1200 in clear), with the total so the peer can
 * ask for the next page. Pure.
 *
 * @module
 */

import {
  encodeWireName,
  type Holder,
  holderWireText,
  pageLength,
  utf8Length,
  type V2ReplyBody,
} from "../protocol/mod.ts";
import { V2_MAX_HOLDERS_PER_PAGE } from "./defaults.ts";
import { fillPage } from "./list_fit.ts";
import type { ListFrom } from "./sorted_view.ts";
import type { SearchPage, SearchReply } from "./search_pages.ts";
import { type Address, addressKey, type FileMeta, type Session } from "./state.ts";

/** A holder as v2 `GET` reports it: the address the tracker observed, the port it registered. */
export function holderOf(session: Session, meta?: FileMeta): Holder {
  const claimed = session.downloadAddress as Address;
  const observed = session.address.hostname;
  return {
    user: session.user,
    host: observed,
    port: claimed.port,
    ...(meta ? { size: meta.size, sha256: meta.sha256 } : {}),
    ...(claimed.hostname !== observed
      ? { claimed: { host: claimed.hostname, port: claimed.port } }
      : {}),
    ...(session.tls ? { tls: session.tls } : {}),
  };
}

// Room for `PS2 <id> LIST <total> <offset>` with every number at its widest.
export const PAGE_HEADER_BYTES = utf8Length(
  "PS2 4294967295 HOLDERS 9007199254740991 9007199254740991",
);

/** One page of `names` from `offset`, as many as fit `budget` bytes of encoded reply. */
export function listPage(names: readonly string[], offset: number, budget: number): V2ReplyBody {
  const count = pageLength(names, offset, PAGE_HEADER_BYTES, budget);
  return {
    status: "LIST",
    total: names.length,
    offset,
    names: names.slice(offset, offset + count),
  };
}

/**
 * One page of a list read from `offset` (`list` starts there), as many as fit `budget` bytes;
 * `wire` writes each name in its wire form (spaces as `\`, `OWN`).
 */
export function pageFrom(
  list: ListFrom<string>,
  offset: number,
  budget: number,
  wire = false,
): V2ReplyBody {
  const next = wire
    ? () => {
      const name = list.next();
      return name === undefined ? undefined : encodeWireName(name);
    }
    : list.next;
  return {
    status: "LIST",
    total: list.total,
    offset,
    names: fillPage(next, PAGE_HEADER_BYTES, budget),
  };
}

/** One page of `holders` from `offset`, as many as fit `budget` bytes (and the per-page cap). */
export function holdersPage(
  holders: readonly Holder[],
  offset: number,
  budget: number,
): V2ReplyBody {
  const texts = holders.map(holderWireText);
  const count = Math.min(
    V2_MAX_HOLDERS_PER_PAGE,
    pageLength(texts, offset, PAGE_HEADER_BYTES, budget),
  );
  return {
    status: "HOLDERS",
    total: holders.length,
    offset,
    holders: holders.slice(offset, offset + count),
  };
}

/**
 * A session's request for a page of `query` from `PageCursors.page`: its cursors are its own (by
 * token, or by address for a session without one), and the page holds what fits in `maxBytes`.
 */
export function pageRequest(session: Session, query: string, offset: number, maxBytes: number) {
  const key = session.token ?? addressKey(session.address);
  return {
    session: key,
    asker: session.user,
    query,
    offset,
    headerBytes: PAGE_HEADER_BYTES,
    maxBytes,
  };
}

/**
 * Whether a page of `SCH` or `FIND` can be answered: not when its count passed the step cap, nor
 * when the cap left it empty before the total was reached (a total that is not exact would page
 * wrongly); the tracker answers those `ERR broad`.
 */
export function answerable(
  page: SearchReply<SearchPage>,
  offset: number,
): page is { readonly kind: "found"; readonly reply: SearchPage } {
  if (page.kind === "tooBroad") return false;
  const { names, stopped, total } = page.reply;
  return !(names.length === 0 && stopped === "cap" && offset < total);
}
