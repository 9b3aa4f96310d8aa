/**
 * Serving other peers: the TCP uploader ({@linkcode startUploadServer}) that answers one data
 * channel request per connection — a v1 bare file name, or a v2 `PS2 GET` range after a status
 * line — from the files published out of the share folder, checked by
 * {@linkcode openRequestedFile}, with a cap on uploads at once (`busy` past it) and on their
 * total rate. The wire format is `lib/protocol/transfer.ts`; which files may be served is
 * `../share/`.
 *
 * @module
 */

export {
  startUploadServer,
  UploadServer,
  type UploadServerOptions,
  type UploadStats,
} from "./upload_server.ts";
export {
  openRequestedFile,
  type PublishedFile,
  type PublishedFiles,
  type RequestedFile,
} from "./requested_file.ts";
