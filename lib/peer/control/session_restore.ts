/**
 * Bringing a v2 session back after the tracker forgot it (it restarted, or the session expired
 * while the network was down): log in again as the same user, register the upload address and
 * publish again, as a BitTorrent client re-announces. A heartbeat's `ERR token` starts it from the
 * background, a command's `ERR token` before the command is answered; one runs at a time.
 *
 * @module
 */

import { abortable, errorText } from "../../util/mod.ts";
import type { TlsEndpoint } from "../../protocol/mod.ts";
import {
  isNotResponding,
  type LoginAttempt,
  type PublishedMeta,
  type TrackerLink,
} from "./tracker_link.ts";

/** The wait after a first failed background restore; it doubles up to a minute. */
const BACKGROUND_RESTORE_FIRST_DELAY_MS = 2000;
/** The longest random pause before a background restore begins. */
export const BACKGROUND_RESTORE_JITTER_MS = 2000;

/** What a restore reads and replaces of a logged-in session. */
export interface RestorableSession {
  /** Aborted when the peer stops: every wait ends then. */
  readonly signal: AbortSignal;
  /** Tells the user one line (on standard error: it is news from the background). */
  readonly notify: (line: string) => void;
  /** Where this peer accepts downloads, as the tracker is told again. */
  readonly uploadAddress: {
    readonly host: string;
    readonly port: number;
    /** The TLS data port and certificate fingerprint (registered with v2 trackers only). */
    readonly tls?: TlsEndpoint;
  };
  /** What this peer publishes; a file no longer in the share folder is dropped from it. */
  readonly published: Set<string>;
  /**
   * Size and digest of a published file, to publish it again; `undefined` when it is no longer
   * a shareable file of the share folder.
   */
  readonly describe: (file: string) => Promise<PublishedMeta | undefined>;
  /** Replaced when the session is restored. */
  link: TrackerLink;
  /** Logs in again as the same user (the password stays in this closure, never on disk). */
  readonly relogin: () => Promise<LoginAttempt>;
  /** The restore under way, if any: a heartbeat and a command may both notice a lost session. */
  restoring?: Promise<boolean>;
  /** Why the last restore failed, while it stays failed. */
  lastRestoreFailure?: string;
  /**
   * How long the tracker said to wait after the last failed restore (`ERR live <s>`: the old
   * session has not expired yet; `ERR locked <s>`), when it said.
   */
  lastRestoreWaitSeconds?: number;
  /**
   * After a failed background restore: when a heartbeat may start the next, and the wait after
   * the next failure. Unset while none has failed since the session was last restored.
   */
  backgroundRetry?: { readonly notBefore: number; readonly delayMs: number };
  /**
   * Called when a background restore failed, instead of saying so: with several trackers the
   * peer moves to another one (`failover.ts`). Unset with one tracker.
   */
  readonly onRestoreFailed?: () => void;
}

/** {@linkcode restoreSession}, once at a time. */
export function restoreOnce(parts: RestorableSession): Promise<boolean> {
  parts.restoring ??= restoreSession(parts).then((outcome) => {
    parts.lastRestoreFailure = outcome === true ? undefined : outcome.reason;
    parts.lastRestoreWaitSeconds = outcome === true ? undefined : outcome.waitSeconds;
    // Back, however it came back: a later loss starts the background retries afresh.
    if (outcome === true) parts.backgroundRetry = undefined;
    return outcome === true;
  }).finally(() => parts.restoring = undefined);
  return parts.restoring;
}

const BACKGROUND_RESTORE_MAX_DELAY_MS = 60_000;

/**
 * A heartbeat found the session lost: restore it after a random pause of up to
 * {@linkcode BACKGROUND_RESTORE_JITTER_MS} (a restarted tracker must not get every peer's login in
 * the same second), and after a failed restore wait 2 s doubling up to a minute, each wait
 * jittered by ±50%, so a tracker that no longer takes this login (a changed password, a lockout)
 * is not asked again every second — and never before the wait the tracker named (the old
 * session still live, a lockout): it keeps trying, it never gives up. Commands still try at
 * once. `random` is injectable for tests.
 */
export function restoreInBackground(
  parts: RestorableSession,
  random: () => number = Math.random,
): void {
  const retry = parts.backgroundRetry;
  if (retry === undefined) {
    // The first notice of a loss: the next heartbeat after the pause starts the restore.
    parts.backgroundRetry = {
      notBefore: Date.now() + random() * BACKGROUND_RESTORE_JITTER_MS,
      delayMs: 0,
    };
    return;
  }
  if (Date.now() < retry.notBefore) return;
  restoreOnce(parts).then((restored) => {
    if (restored) return;
    if (parts.onRestoreFailed !== undefined) {
      parts.onRestoreFailed();
    } else if (retry.delayMs === 0) {
      parts.notify(
        `peersync-peer: the tracker lost this session and logging in again failed ` +
          `(${parts.lastRestoreFailure ?? "no answer"}); trying again in the background`,
      );
    }
    const delayMs = retry.delayMs || BACKGROUND_RESTORE_FIRST_DELAY_MS;
    const namedWaitMs = (parts.lastRestoreWaitSeconds ?? 0) * 1000;
    parts.backgroundRetry = {
      notBefore: Date.now() + Math.max(delayMs * (0.5 + random()), namedWaitMs),
      delayMs: Math.min(delayMs * 2, BACKGROUND_RESTORE_MAX_DELAY_MS),
    };
  }, () => {
    // Stopping: the session is over anyway.
  });
}

/**
 * The tracker forgot this v2 session (it restarted, or the session expired while the network was
 * down): log in again as the same user, tell it where uploads are accepted and publish again what
 * this peer publishes, as a BitTorrent client re-announces. True when the session is back, else
 * why not.
 */
async function restoreSession(parts: RestorableSession): Promise<true | RestoreFailure> {
  const { signal } = parts;
  let attempt: LoginAttempt;
  try {
    attempt = await abortable(parts.relogin(), signal);
  } catch (error) {
    if (signal.aborted) throw error;
    return { reason: isNotResponding(error) ? "no answer" : errorText(error) };
  }
  if (attempt.kind === "refused") {
    return {
      reason: refusalReason(attempt),
      ...(attempt.waitSeconds === undefined ? {} : { waitSeconds: attempt.waitSeconds }),
    };
  }
  if (attempt.kind !== "ok") return { reason: "the tracker now speaks only v1" };
  await adoptLink(parts, attempt.link);
  parts.notify("peersync-peer: the tracker had lost this session (restarted?): logged in again");
  return true;
}

/** Why a restore failed, and how long the tracker said to wait when it said. */
interface RestoreFailure {
  readonly reason: string;
  readonly waitSeconds?: number;
}

/**
 * The words for a refused re-login, with the wait when the tracker named one.
 *
 * @example
 * ```ts
 * import { refusalReason } from "./session_restore.ts";
 * console.assert(refusalReason({ kind: "refused", code: "live", waitSeconds: 2 }) ===
 *   "the old session has not expired yet; it does in 2 s");
 * ```
 */
export function refusalReason(attempt: Extract<LoginAttempt, { kind: "refused" }>): string {
  const wait = attempt.waitSeconds;
  switch (attempt.code) {
    case "live":
      // Logged in again from a new socket while the tracker still holds the old one's session.
      return "the old session has not expired yet" +
        (wait === undefined ? "" : `; it does in ${wait} s`);
    case "locked":
      return "too many failed logins" + (wait === undefined ? "" : `; locked for ${wait} s`);
    default:
      return `refused: ${attempt.code}`;
  }
}

/**
 * Makes `link` (a fresh login, on the same tracker or another) the session's: closes the old
 * one, tells the tracker where uploads are accepted and publishes again what this peer publishes.
 * What could not be re-published shows in the next `lpf`; the session itself is back.
 */
export async function adoptLink(parts: RestorableSession, link: TrackerLink): Promise<void> {
  const { signal, uploadAddress } = parts;
  const lost = parts.link;
  parts.link = link;
  await lost.close();
  try {
    await abortable(
      parts.link.register(uploadAddress.host, uploadAddress.port, uploadAddress.tls),
      signal,
    );
    for (const file of parts.published) {
      const meta = await parts.describe(file);
      if (meta === undefined) {
        // Gone from the share folder since: no longer published, so no longer served either.
        parts.published.delete(file);
        continue;
      }
      await abortable(parts.link.publish(file, meta), signal);
    }
  } catch (error) {
    if (signal.aborted) throw error;
    // What could not be re-published shows in the next lpf; the session itself is back.
  }
}
