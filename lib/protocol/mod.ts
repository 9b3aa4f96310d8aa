/**
 * The PeerSync protocol, shared by the tracker and the peer: message types, their encoding, the
 * file-name rule and the wire limits. No sockets, files or clocks live here.
 *
 * @module
 */

export * from "./limits.ts";
export * from "./text.ts";
export * from "./address.ts";
export * from "./file_name.ts";
export * from "./v1.ts";
export { isToken, isV2Datagram, type V2DecodeFailure } from "./v2_fields.ts";
export * from "./v2_request.ts";
export * from "./v2_reply.ts";
export * from "./transfer.ts";
export * from "./sealed.ts";
export * from "./gone_notice.ts";
export * from "./wire_name.ts";
