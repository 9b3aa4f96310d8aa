/**
 * What a peer session is made of — the options it was started with, the parts that live as long
 * as it does, and what a login adds — shared by the modules that log in, carry out commands and
 * run the session.
 *
 * @module
 */

import type {
  ConnectOptions,
  FailoverSession,
  LoginAttempt,
  TrackerAddress,
  TrackerChoice,
  TrackerLink,
} from "../control/mod.ts";
import type { DigestCache, PublishedVersion } from "../share/mod.ts";
import type { Command } from "./commands.ts";
import type { Terminal } from "./terminal.ts";

/** A command that does something (not an empty line, not `xit`). */
export type Action = Exclude<Command, { kind: "empty" | "xit" }>;

/** Everything a session needs; the terminal and the stop signal come from the caller. */
export interface SessionOptions {
  /** The tracker's host as the user wrote it (shown in messages). */
  readonly trackerHost: string;
  /** The tracker's UDP port. */
  readonly trackerPort: number;
  /**
   * Every tracker, in order, when several were given (`--tracker` repeated; the first is
   * `trackerHost`:`trackerPort`): login uses the first that answers, and the peer moves to the
   * next when the one in use stops answering. Absent (or one) for a single tracker.
   */
  readonly trackers?: readonly TrackerAddress[];
  /** The share folder: files are published from it and downloaded into it. */
  readonly dir: string;
  /** The address to advertise instead of the detected one. */
  readonly advertise?: string;
  /** How long to wait for each tracker reply (v2: until this deadline, retransmitting). */
  readonly timeoutMs?: number;
  /** Refuse a tracker that speaks only v1, whose login sends the password in clear. */
  readonly requireV2?: boolean;
  /** Refuse transfers in clear: downloads only from holders with a pinned TLS endpoint, uploads only over TLS. */
  readonly requireTls?: boolean;
  /**
   * The state folder, where the trackers known to speak v2 are remembered (`trackers.json`);
   * without one they are remembered only while the peer runs.
   */
  readonly stateDir?: string;
  /** Seal v2 datagrams after login (defaults to `SEAL_V2_DATAGRAMS`). */
  readonly sealed?: boolean;
  /** Uploads served at once; more get a "busy" status. */
  readonly maxUploads?: number;
  /** Of those, uploads to one remote address at once; 2 by default. */
  readonly maxUploadsPerPeer?: number;
  /** Upload rate limit in bytes per second (all uploads together). */
  readonly uploadLimit?: number;
  /** Download rate limit in bytes per second. */
  readonly downloadLimit?: number;
  /** Holders a large file is fetched from at once (1 turns multi-source off); 4 by default. */
  readonly maxSources?: number;
  /** The most a v1 holder may stream for a file with no published size; 64 GiB by default. */
  readonly maxV1Bytes?: number;
  /**
   * The user name and password, when they come from the command line and the environment (or a
   * file) instead of the prompts: a refused login is then final.
   */
  readonly credentials?: Credentials;
  /** Run this one command instead of reading commands, and exit with its outcome. */
  readonly oneShot?: OneShot;
  /**
   * Seed the share folder instead of reading commands: publish it, follow it, stay online until
   * a stop signal (then exit 0).
   */
  readonly seed?: boolean;
  /** Do not publish a file once it is downloaded (by default a finished download is shared). */
  readonly noSeed?: boolean;
  /** After end of input, stay logged in and serving until a stop signal (then exit 0). */
  readonly stay?: boolean;
  /** Stop at the first command that fails, and exit 1 (a script's `set -e`). */
  readonly exitOnError?: boolean;
  /** Where prompts go and lines come from. */
  readonly terminal: Terminal;
  /** Aborting it (with a {@linkcode StopRequested} reason) ends the session. */
  readonly signal: AbortSignal;
}

/** A user name and password given without the prompts. */
export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** A command run on its own: its result alone on standard output, reasons on standard error. */
export interface OneShot {
  readonly command: Action;
  /** Print one JSON object instead of the terminal's lines. */
  readonly json: boolean;
}

/** Exit statuses of the peer. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  /** 128 + SIGINT, as shells report it. */
  interrupted: 130,
  /** 128 + SIGTERM. */
  terminated: 143,
} as const;

/** Stops the session from outside (a signal); the session then exits with `exitCode`. */
export class StopRequested extends Error {
  override name = "StopRequested";
  constructor(readonly exitCode: number, reason = "stopped") {
    super(reason);
  }
}

/** The parts that live for the whole session, logged in or not. */
export interface Parts {
  readonly options: SessionOptions;
  /** How to reach the first tracker given (`trackers[0].connect`). */
  readonly connect: ConnectOptions;
  /** Every tracker given, in order (one when only one was given). */
  readonly trackers: readonly TrackerChoice[];
  /** What this user publishes: the uploader serves exactly these. */
  readonly published: Set<string>;
  /** Digests of shared files, re-used while a file is unchanged (by `pub` and by uploads). */
  readonly digests: DigestCache;
  /**
   * What this peer published under each name (stamp and, v2, digest), so that an edited file is
   * noticed and published again (`share_truth.ts`); names published by an earlier run are absent.
   */
  readonly versions?: Map<string, PublishedVersion>;
  /** Stops following the share folder; aborted before logging out, so nothing publishes after. */
  readonly following?: AbortController;
}

/** A successful login, and how to repeat it if the tracker loses the session. */
export interface LoginOutcome {
  readonly link: TrackerLink;
  /** The index in `Parts.trackers` of the tracker logged in on. */
  readonly tracker: number;
  /** Logs in again as the same user with v2 (restoring a session the tracker lost). */
  readonly relogin: (connect: ConnectOptions) => Promise<LoginAttempt>;
  /** Logs in as the same user on another tracker, v1 fall-back rules included (failover). */
  readonly loginAt: (connect: ConnectOptions) => Promise<LoginAttempt>;
}

/**
 * The parts once logged in, and how to restore the session if the tracker loses it or move to
 * another tracker if it stops answering.
 */
export type LoggedIn = Parts & FailoverSession;
