import assert from "node:assert/strict";
import {
  BACKGROUND_RESTORE_JITTER_MS,
  type RestorableSession,
  restoreInBackground,
} from "./session_restore.ts";
import type { LoginAttempt, TrackerLink } from "./tracker_link.ts";

/** A session to restore, talking to no tracker: `relogin` and what it notices are the test's. */
function session(
  relogin: () => Promise<LoginAttempt>,
  notify: (line: string) => void = () => {},
  link: TrackerLink = {} as TrackerLink,
): RestorableSession {
  return {
    signal: new AbortController().signal,
    notify,
    uploadAddress: { host: "127.0.0.1", port: 1 },
    published: new Set(),
    describe: () => Promise.resolve(undefined),
    link,
    relogin,
  };
}

Deno.test("a lost session is restored in the background only after a random pause", () => {
  let logins = 0;
  const parts = session(() => {
    logins++;
    return Promise.resolve<LoginAttempt>({ kind: "refused", code: "auth" });
  });
  const before = Date.now();
  restoreInBackground(parts, () => 0.5);
  restoreInBackground(parts, () => 0.5);
  assert.equal(logins, 0, "not at the first notice, nor before the pause ends");
  const notBefore = parts.backgroundRetry!.notBefore;
  assert.ok(notBefore >= before + BACKGROUND_RESTORE_JITTER_MS / 2);
  assert.ok(notBefore <= Date.now() + BACKGROUND_RESTORE_JITTER_MS / 2);
});

Deno.test("a failed background restore hands over to onRestoreFailed (failover) instead of saying so", async () => {
  const notices: string[] = [];
  let handedOver = 0;
  const parts: RestorableSession = {
    ...session(
      () => Promise.resolve<LoginAttempt>({ kind: "refused", code: "auth" }),
      (line) => notices.push(line),
    ),
    onRestoreFailed: () => handedOver++,
  };
  restoreInBackground(parts, () => 0);
  restoreInBackground(parts, () => 0);
  for (let tries = 0; handedOver === 0 && tries < 50; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(handedOver, 1);
  assert.deepEqual(notices, []);
});

Deno.test("a background restore refused while the old session lives says how long, and tries again after that wait", async () => {
  const notices: string[] = [];
  const replies: LoginAttempt[] = [
    { kind: "refused", code: "live", waitSeconds: 3 },
    { kind: "ok", link: fakeLink() },
  ];
  let logins = 0;
  const parts = session(
    () => {
      logins++;
      return Promise.resolve(replies.shift()!);
    },
    (line) => notices.push(line),
    fakeLink(),
  );
  const heartbeat = () => restoreInBackground(parts, () => 0);
  heartbeat(); // the loss noticed
  heartbeat(); // the restore, refused
  await eventually(() => notices.length === 1);
  assert.match(notices[0], /the old session has not expired yet; it does in 3 s\); trying again/);
  // Not before the tracker's 3 s, though the first back-off (2 s, jittered) would be sooner.
  assert.ok(parts.backgroundRetry!.notBefore >= Date.now() + 2500);
  heartbeat();
  assert.equal(logins, 1);
  await new Promise((resolve) =>
    setTimeout(resolve, parts.backgroundRetry!.notBefore - Date.now())
  );
  heartbeat();
  await eventually(() => notices.length === 2);
  assert.equal(logins, 2);
  assert.match(notices[1], /logged in again/);
  assert.equal(parts.backgroundRetry, undefined);
});

function fakeLink(): TrackerLink {
  return {
    register: () => Promise.resolve(),
    publish: () => Promise.resolve(),
    close: () => Promise.resolve(),
  } as unknown as TrackerLink;
}

async function eventually(done: () => boolean): Promise<void> {
  for (let tries = 0; !done() && tries < 100; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(done());
}
