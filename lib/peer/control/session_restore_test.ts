import assert from "node:assert/strict";
import {
  BACKGROUND_RESTORE_JITTER_MS,
  type RestorableSession,
  restoreInBackground,
} from "./session_restore.ts";
import type { LoginAttempt, TrackerLink } from "./tracker_link.ts";

Deno.test("a lost session is restored in the background only after a random pause", () => {
  let logins = 0;
  const parts: RestorableSession = {
    signal: new AbortController().signal,
    notify: () => {},
    uploadAddress: { host: "127.0.0.1", port: 1 },
    published: new Set(),
    describe: () => Promise.resolve(undefined),
    link: {} as TrackerLink,
    relogin: () => {
      logins++;
      return Promise.resolve<LoginAttempt>({ kind: "refused", code: "auth" });
    },
  };
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
    signal: new AbortController().signal,
    notify: (line) => notices.push(line),
    uploadAddress: { host: "127.0.0.1", port: 1 },
    published: new Set(),
    describe: () => Promise.resolve(undefined),
    link: {} as TrackerLink,
    relogin: () => Promise.resolve<LoginAttempt>({ kind: "refused", code: "auth" }),
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
