/**
 * The PeerSync protocol, shared by the tracker and the peer: message types, their encoding, the
 * file-name rule and every limit. No sockets, files or clocks live here.
 *
 * @module
 */

export * from "./limits.ts";
export * from "./file_name.ts";
export * from "./v1.ts";
export * from "./v2.ts";
export * from "./transfer.ts";
