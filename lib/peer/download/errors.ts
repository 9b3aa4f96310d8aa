/**
 * How a download fails, as types a caller can branch on: {@linkcode DownloadError} ends the whole
 * download (its `kind` says why, its message is one line for the user), {@linkcode FetchError}
 * ends one holder's part in it (its `kind` says whether another holder, or the same one later,
 * is worth asking). No decision anywhere reads a message's text.
 *
 * @module
 */

import { errorText } from "../../util/mod.ts";

/** Why a whole download failed. */
export type DownloadFailure =
  /** The name cannot be downloaded: not a valid file name, or one of PeerSync's own. */
  | "invalid"
  /** Something already has the name in the share folder: it is never overwritten. */
  | "exists"
  /** The user (or a stop signal) cancelled it. */
  | "cancelled"
  /** This machine cannot take the file: the share folder cannot be written, or holds a planted link. */
  | "local"
  /** No holder could deliver it: each refused, stalled, dropped, stayed busy or has another version. */
  | "holders"
  /** What arrived does not match the size and SHA-256 the holders published. */
  | "mismatch"
  /** Anything else (a bug): still one line, never a stack trace. */
  | "unexpected";

/**
 * A download that did not produce the file; `message` is one line for the user.
 *
 * @example
 * ```ts
 * import { DownloadError } from "./errors.ts";
 * const error = new DownloadError("exists", "a.txt already exists in /srv; not overwriting");
 * console.assert(error.kind === "exists");
 * ```
 */
export class DownloadError extends Error {
  override name = "DownloadError";
  constructor(readonly kind: DownloadFailure, message: string) {
    super(message);
  }
}

/** The error of a cancelled download. */
export function cancelled(): DownloadError {
  return new DownloadError("cancelled", "cancelled");
}

/**
 * `error` itself when it is a {@linkcode DownloadError}, else an `unexpected` one carrying its
 * message: a caller of a download always gets one typed, one-line reason, whatever went wrong.
 *
 * @example
 * ```ts
 * import { asDownloadError, DownloadError } from "./errors.ts";
 * const failure = asDownloadError(new RangeError("disk full"));
 * console.assert(failure instanceof DownloadError && failure.message === "disk full");
 * ```
 */
export function asDownloadError(error: unknown): DownloadError {
  return error instanceof DownloadError ? error : new DownloadError("unexpected", errorText(error));
}

/** How one holder failed one range. */
export type FetchFailure =
  /** Could not connect. */
  | "connect"
  /** `PS2 ERR busy`: its upload slots are taken; worth asking again later. */
  | "busy"
  /** Another `PS2 ERR`, an `OK` for another version, or (v1) nothing at all. */
  | "refused"
  /** The holder closed without a byte: probably a v1 uploader that did not understand v2. */
  | "nostatus"
  /** No byte for the stall timeout. */
  | "stalled"
  /** The connection ended before the range was complete. */
  | "dropped"
  /** The holder sent what the protocol does not allow (garbage status, too many bytes). */
  | "protocol"
  /** Over TLS, the holder is not the one whose certificate the tracker pinned. */
  | "identity"
  /** The holder offers no TLS, and clear transfers are refused. */
  | "cleartext";

/** One holder failed this range (try another); `message` is short, for a one-line report. */
export class FetchError extends Error {
  override name = "FetchError";
  constructor(readonly kind: FetchFailure, message: string) {
    super(message);
  }
}
