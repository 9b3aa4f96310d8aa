/**
 * The options of the uploader and the counters it keeps: what it serves, under which caps and
 * floors (docs/security.md, "Fair uploads").
 *
 * @module
 */

import type { DigestCache } from "../share/mod.ts";
import type { PublishedFiles } from "./requested_file.ts";
import type { MinSpeed } from "./speed_floor.ts";
import type { CoolDownOptions } from "./slow_reader_cool_down.ts";

/** What to serve, from where. */
export interface UploadServerOptions {
  /** The address to listen on (`listenHostname` in `../control/` picks it for the advertised one). */
  readonly hostname: string;
  /** The port to listen on; defaults to 0 (any free port). */
  readonly port?: number;
  /** The share folder. */
  readonly dir: string;
  /** The user's publications; read live on every request. */
  readonly published: PublishedFiles;
  /**
   * How long a downloader may take to send its whole request, from accept; defaults to
   * `TCP_REQUEST_TIMEOUT_MS` (`../defaults.ts`).
   */
  readonly requestTimeoutMs?: number;
  /**
   * Uploads served at once; defaults to `DEFAULT_MAX_UPLOADS` (`../defaults.ts`). Past it a v2 request
   * gets `PS2 ERR busy` and a v1 request is closed without a byte.
   */
  readonly maxUploads?: number;
  /**
   * Of those, uploads to one remote address (IPv6: one /64) at once, v1 and v2 together; past it
   * that address is answered as busy. Defaults to `DEFAULT_MAX_UPLOADS_PER_PEER` (`../defaults.ts`).
   */
  readonly maxUploadsPerPeer?: number;
  /** The speed floor a reader must keep; defaults to `DEFAULT_MIN_UPLOAD_SPEED` (`../defaults.ts`). */
  readonly minSpeed?: MinSpeed;
  /** How long an address dropped by the floor is busy; `DEFAULT_SLOW_READER_COOL_DOWN` (`../defaults.ts`). */
  readonly slowReaderCoolDown?: CoolDownOptions;
  /**
   * Connections that have not yet sent their request, in all and per address; a connection past
   * either cap is closed at once. Default `DEFAULT_MAX_PENDING_CONNECTIONS` (`../defaults.ts`) and
   * `DEFAULT_MAX_PENDING_PER_PEER` (`../defaults.ts`).
   */
  readonly maxPendingConnections?: number;
  readonly maxPendingPerPeer?: number;
  /** Total upload rate over all transfers, in bytes per second; unlimited when unset. */
  readonly rateLimitBytesPerSecond?: number;
  /** Where digests are remembered; share it with the code that publishes, so files hash once. */
  readonly digestCache?: DigestCache;
  /** Closes the server when aborted. */
  readonly signal?: AbortSignal;
  /**
   * The peer's certificate and key (PEM): the same service is offered over TLS on a second port
   * ({@linkcode UploadServer.tlsAddr}), which v2 downloaders reach by the fingerprint the tracker
   * hands out. The clear port stays for v1 downloaders.
   */
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
  /** With `tls`: close every connection to the clear port unread (`--require-tls`). */
  readonly requireTls?: boolean;
  /**
   * Told when a v2 request for a published name is refused because the file is gone or changed
   * since it was published: the peer then checks its publications against the folder.
   */
  readonly onStale?: (file: string) => void;
}

/** Counters of an {@linkcode UploadServer}, for operators and tests. */
export interface UploadStats {
  /** File bytes sent, over all transfers (status lines not counted). */
  bytesSent: number;
  /** Transfers that started sending (v1 or v2 `OK`). */
  uploadsStarted: number;
  /** Uploads in progress now. */
  active: number;
  /** Requests turned away because `maxUploads` (or the address's own cap) were in progress. */
  refusedBusy: number;
  /** Uploads cut because the reader stayed below the speed floor. */
  droppedSlow: number;
  /** Requests answered as busy because their address was cooling down after such a cut. */
  refusedCoolingDown: number;
  /** Connections closed at once because too many had not yet sent their request. */
  refusedPending: number;
}
