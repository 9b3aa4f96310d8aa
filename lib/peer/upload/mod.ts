/**
 * Serving other peers: the TCP uploader ({@linkcode startUploadServer}) that answers one data
 * channel request per connection — a v1 bare file name, or a v2 `PS2 GET` range after a status
 * line — from the files published out of the share folder, checked by
 * {@linkcode openRequestedFile}, with a cap on uploads at once in all and per remote address
 * (`busy` past it), a speed floor ({@linkcode SpeedFloor}) with a cool-down for the addresses it drops
 * ({@linkcode SlowReaderCoolDown}), a cap on connections that have not
 * yet sent their request, and an optional cap on the total rate. The wire format is `lib/protocol/transfer.ts`; which files may be served is
 * `../share/`.
 *
 * @module
 */

export { startUploadServer, UploadServer } from "./upload_server.ts";
export type { UploadServerOptions, UploadStats } from "./upload_options.ts";
export { type CoolDownOptions, SlowReaderCoolDown } from "./slow_reader_cool_down.ts";
export {
  openRequestedFile,
  type PublishedFile,
  type PublishedFiles,
  type RequestedFile,
} from "./requested_file.ts";
export { type MinSpeed, SpeedFloor } from "./speed_floor.ts";
export { peerKey, PerPeerLimit } from "./per_peer_limit.ts";
