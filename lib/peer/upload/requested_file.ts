/**
 * What a v2 request is answered with before any byte: the requested file opened and checked —
 * published, a regular file inside the share folder, still with the digest it was published with
 * (re-hashed only when its size or mtime changed), the digest the downloader expects, a range
 * within the file — or the `PS2 ERR` status saying which check failed.
 *
 * @module
 */

import type { TransferRequestV2, TransferStatus } from "../../protocol/mod.ts";
import { errorText } from "../../util/mod.ts";
import { type DigestCache, openSharedFile } from "../share/mod.ts";

/** What a v2 `pub` recorded about a file: the uploader serves it only while it still matches. */
export interface PublishedFile {
  readonly size: number;
  /** SHA-256, 64 lowercase hex digits. */
  readonly sha256: string;
  /** The modification time the digest belongs to; when size and mtime still match, no re-hash. */
  readonly mtimeMs?: number;
}

/**
 * The user's publications, read live on every request: a map from name to what was published
 * (v2), or a plain set of names (v1 — v2 requests are then checked against a digest computed on
 * demand and cached).
 */
export type PublishedFiles = ReadonlySet<string> | ReadonlyMap<string, PublishedFile>;

/** Where a request is checked: the share folder, what was published, the digests known. */
export interface RequestedFileOptions {
  readonly dir: string;
  readonly published: PublishedFiles;
  readonly digests: DigestCache;
}

/** The file to serve, open, with its size and digest; or the refusal to send instead. */
export type RequestedFile =
  | { readonly ok: false; readonly status: TransferStatus & { ok: false } }
  | {
    readonly ok: true;
    readonly file: Deno.FsFile;
    readonly size: number;
    readonly sha256: string;
  };

const refuse = (code: Exclude<TransferStatus, { ok: true }>["code"], message: string) => ({
  ok: false as const,
  status: { ok: false as const, code, message },
});

/**
 * Opens the requested file and checks it against what was published and what was asked. The
 * caller closes the file it gets.
 *
 * @example
 * ```ts ignore
 * import { openRequestedFile } from "./requested_file.ts";
 * const found = await openRequestedFile(request, { dir, published, digests });
 * if (!found.ok) console.log(found.status.code);
 * ```
 */
export async function openRequestedFile(
  request: TransferRequestV2,
  where: RequestedFileOptions,
): Promise<RequestedFile> {
  const { dir, published, digests } = where;
  const shared = await openSharedFile(dir, request.file);
  if (!shared.ok) {
    if (shared.reason === "unreadable") {
      return refuse("notfound", `${request.file} cannot be opened`);
    }
    return refuse(
      "notfound",
      shared.reason === "reserved name"
        ? `${request.file} is one of PeerSync's own files and never served`
        : `${request.file} is no longer a file in the share folder`,
    );
  }
  const { file } = shared;
  try {
    const info = await file.stat();
    const publication = published instanceof Map ? published.get(request.file) : undefined;
    let sha256: string;
    if (
      publication?.mtimeMs !== undefined && publication.size === info.size &&
      publication.mtimeMs === info.mtime?.getTime()
    ) {
      // Unchanged since `pub` hashed it: no need to read it again.
      sha256 = publication.sha256;
    } else {
      sha256 = (await digests.digestOf(shared.path, file)).sha256;
      if (publication !== undefined && publication.sha256 !== sha256) {
        file.close();
        return refuse("changed", `${request.file} changed on disk since it was published`);
      }
    }
    if (request.sha256 !== sha256) {
      file.close();
      return refuse("changed", `${request.file} here has another digest (${sha256})`);
    }
    const end = request.length === undefined ? info.size : request.offset + request.length;
    if (request.offset > info.size || end > info.size) {
      file.close();
      return refuse("range", `bytes ${request.offset}..${end} are not within ${info.size}`);
    }
    return { ok: true, file, size: info.size, sha256 };
  } catch (error) {
    file.close();
    return refuse("internal", `cannot read ${request.file}: ${errorText(error)}`);
  }
}
