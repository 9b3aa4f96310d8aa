/**
 * What a download is asked to do, and what it answers: the options of `downloadFromHolders` and
 * `downloadFile` (`from_holders.ts`), and their result.
 *
 * @module
 */

import type { Holder } from "../../protocol/mod.ts";
import type { ExpectedFile } from "./holders.ts";
import type { TransferProgress } from "./progress.ts";

/** What to download, from whom, and how. */
export interface DownloadFromHoldersOptions {
  /** The file name (checked against the file-name rule before anything else). */
  readonly file: string;
  /** The share folder the file goes into; nothing is written anywhere else. */
  readonly dir: string;
  /** Every holder the tracker returned, in the order to try them. */
  readonly holders: readonly Holder[];
  /**
   * Size and digest to verify against, and no other. By default every version the v2 holders
   * published is tried in turn, most holders first, until one is fetched and verified.
   */
  readonly expected?: ExpectedFile;
  /** Cancels the download; a verified download's part file is kept for a later resume. */
  readonly signal?: AbortSignal;
  /**
   * A holder that sends less than `minSpeedBytesPerSecond`'s worth for this long is dropped; by
   * default 5 s while another holder could take over, 15 s for the last one.
   */
  readonly stallTimeoutMs?: number;
  /** The speed below which a holder counts as stalled; 1 KiB/s by default. */
  readonly minSpeedBytesPerSecond?: number;
  /** A holder that does not accept the connection within this long is skipped; 10 s by default. */
  readonly connectTimeoutMs?: number;
  /** A v2 holder's status line must be complete within this long of connecting; 10 s by default. */
  readonly statusTimeoutMs?: number;
  /**
   * The most a v1 holder may stream when there is no digest and size to check against; past it
   * the holder is broken and its bytes are discarded. 64 GiB by default.
   */
  readonly maxV1Bytes?: number;
  /** Holders fetched from at once for a large file; defaults to 4 (1 turns multi-source off). */
  readonly parallel?: number;
  /** Files at least this large (and with at least two v2 holders) are fetched in ranges; 64 MiB. */
  readonly multiSourceThresholdBytes?: number;
  /** Total download rate in bytes per second; unlimited when unset. */
  readonly rateLimitBytesPerSecond?: number;
  /** Called as bytes arrive (at most ~10 times a second) and once at the end. */
  readonly onProgress?: (progress: TransferProgress) => void;
  /**
   * Verify on a worker thread, beside the transfer instead of in it. Off by default: it pays off
   * only with a core to spare (measured here, 2 cores with both peers on one machine: no faster),
   * and the worker adds ~30 MiB of memory.
   */
  readonly hashOnWorker?: boolean;
  /**
   * When holders answered `busy` and no other holder can go on, they are asked again after a
   * wait that starts at `busyRetryDelayMs` (1 s) and doubles, for at most this long in all (30 s
   * by default; 0 gives up on a busy holder at once). Holders that failed any other way are not
   * asked again.
   */
  readonly busyRetryBudgetMs?: number;
  /** The first wait before busy holders are asked again; 1 s by default, doubling after each. */
  readonly busyRetryDelayMs?: number;
  /**
   * Called with one line when something worth telling the user happens (a v1 fallback, waiting
   * for busy holders).
   */
  readonly onNotice?: (line: string) => void;
  /**
   * Refuse holders that offer no TLS (v1 peers, and v2 peers that registered no certificate)
   * instead of fetching from them in clear, which is said once per download.
   */
  readonly requireTls?: boolean;
  /**
   * Called once per download, before any transfer, with the labels of the holders it may fetch
   * from in clear (they offer no TLS); never with `requireTls`.
   */
  readonly onCleartext?: (holders: readonly string[]) => void;
}

/** A completed download. */
export interface HoldersDownloadResult {
  /** The path of the new file. */
  readonly path: string;
  /** Its size. */
  readonly bytes: number;
  /** Users of the holders that delivered bytes (or confirmed an empty or complete file). */
  readonly fromHolders: string[];
  /** Bytes that were already there from an interrupted download (0 when none). */
  readonly resumedFrom: number;
  /** How long the download took. */
  readonly ms: number;
  /** Whether size and SHA-256 were checked (false only for a download from v1 holders only). */
  readonly verified: boolean;
  /** Bytes each holder delivered in this run, by user. */
  readonly sources: readonly { readonly user: string; readonly bytes: number }[];
  /** The size and digest the file was verified against (none for a v1-only download). */
  readonly expected?: ExpectedFile;
  /**
   * Versions tried before this one and why each failed (empty when the first version tried was
   * fetched); one line each, for the user.
   */
  readonly failedVersions?: readonly string[];
}

/** One v1 uploader at a known address, as a v1 peer downloads: what it streams is the file. */
export interface DownloadFileOptions {
  /** The uploader's address. */
  readonly host: string;
  /** The uploader's TCP port. */
  readonly port: number;
  /** The file name to ask for and to create in `dir`. */
  readonly file: string;
  /** The share folder the file goes into. */
  readonly dir: string;
  /** Cancels the download (the temporary file is removed). */
  readonly signal?: AbortSignal;
  /** Give up when no byte arrives for this long; defaults to 15 s. */
  readonly stallTimeoutMs?: number;
  /** Give up when the connection is not established within this long; defaults to 10 s. */
  readonly connectTimeoutMs?: number;
}

/** What a download needs besides its holders. */
export type DownloadSettings = Omit<DownloadFromHoldersOptions, "holders" | "expected">;
