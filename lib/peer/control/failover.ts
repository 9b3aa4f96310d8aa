/**
 * Moving to another tracker when the one in use stopped answering (several given with
 * `--tracker`): log in on the next that answers, in the order given, tell it where uploads are
 * accepted and publish there again what this peer publishes, and say so once. One failover runs
 * at a time; with one tracker there is nothing to move to and nothing here runs.
 *
 * @module
 */

import { abortable } from "../../util/mod.ts";
import { adoptLink, type RestorableSession } from "./session_restore.ts";
import type { ConnectOptions, LoginAttempt } from "./tracker_link.ts";
import {
  failoverNotice,
  failoverOrder,
  type FailoverReason,
  noFailoverNotice,
  type SilenceWatch,
  type TrackerAddress,
  trackerLabel,
} from "./tracker_rotation.ts";

/** One of the trackers given, and how to reach it. */
export interface TrackerChoice {
  readonly address: TrackerAddress;
  readonly connect: ConnectOptions;
}

/** What a failover reads and replaces of a logged-in session. */
export interface FailoverSession extends RestorableSession {
  /** Every tracker given, in order. */
  readonly trackers: readonly TrackerChoice[];
  /** The index of the tracker in use. */
  current: number;
  /**
   * Logs in on `connect` as the same user, v1 fall-back rules included (the password stays in
   * this closure, never on disk).
   */
  readonly loginAt: (connect: ConnectOptions) => Promise<LoginAttempt>;
  /** Heartbeats that went unanswered in a row on the tracker in use. */
  readonly silence: SilenceWatch;
  /** The failover under way, if any: a heartbeat and a command may both notice the silence. */
  failingOver?: Promise<boolean>;
  /** Whether "no other tracker answers" was said since the peer last had a tracker that did. */
  outageSaid?: boolean;
}

/** Whether there is another tracker to move to. */
export function canFailOver(session: FailoverSession): boolean {
  return session.trackers.length > 1;
}

/**
 * Moves to the next tracker that answers, once at a time; true when the session now lives on
 * another tracker. False (said once per outage) when none answers: the session stays on the
 * silent one, which may come back.
 */
export function failOverOnce(
  session: FailoverSession,
  why: FailoverReason = "silent",
): Promise<boolean> {
  if (!canFailOver(session)) return Promise.resolve(false);
  session.failingOver ??= failOver(session, why).finally(() => session.failingOver = undefined);
  return session.failingOver;
}

/** {@linkcode failOverOnce} from the background (a heartbeat): a stop ends it quietly. */
export function failOverInBackground(
  session: FailoverSession,
  why: FailoverReason = "silent",
): void {
  failOverOnce(session, why).catch(() => {
    // Stopping: the session is over anyway.
  });
}

async function failOver(session: FailoverSession, why: FailoverReason): Promise<boolean> {
  const { signal, trackers } = session;
  const from = trackerLabel(trackers[session.current].address);
  for (const index of failoverOrder(trackers.length, session.current)) {
    let attempt: LoginAttempt;
    try {
      attempt = await abortable(session.loginAt(trackers[index].connect), signal);
    } catch (error) {
      if (signal.aborted) throw error;
      // Not answering, or not to be trusted: either way not this one.
      continue;
    }
    if (attempt.kind !== "ok") continue;
    session.current = index;
    session.silence.answered();
    session.outageSaid = false;
    // The old tracker's session is abandoned, not ended: it is not answering anyway.
    await adoptLink(session, attempt.link);
    session.notify(failoverNotice(from, trackerLabel(trackers[index].address), why));
    return true;
  }
  if (!session.outageSaid) {
    session.outageSaid = true;
    session.notify(noFailoverNotice(from, why));
  }
  return false;
}
