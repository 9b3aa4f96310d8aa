import assert from "node:assert/strict";
import {
  failoverNotice,
  failoverOrder,
  loginOrder,
  noFailoverNotice,
  SilenceWatch,
  SILENT_BEATS_BEFORE_FAILOVER,
  trackerLabel,
  tryingNextNotice,
} from "./tracker_rotation.ts";

Deno.test("login tries every tracker once, in the order given, from the first", () => {
  assert.deepEqual(loginOrder(1), [0]);
  assert.deepEqual(loginOrder(3), [0, 1, 2]);
  assert.deepEqual(loginOrder(3, 2), [2, 0, 1]);
});

Deno.test("failover moves to the next trackers, wrapping round, never back to the silent one", () => {
  assert.deepEqual(failoverOrder(1, 0), []);
  assert.deepEqual(failoverOrder(2, 0), [1]);
  assert.deepEqual(failoverOrder(2, 1), [0]);
  assert.deepEqual(failoverOrder(4, 2), [3, 0, 1]);
});

Deno.test("a tracker counts as stopped after three unanswered beats in a row, not fewer", () => {
  const watch = new SilenceWatch();
  assert.equal(SILENT_BEATS_BEFORE_FAILOVER, 3);
  assert.equal(watch.missed(), false);
  assert.equal(watch.missed(), false);
  watch.answered();
  assert.equal(watch.silentBeats, 0);
  assert.equal(watch.missed(), false);
  assert.equal(watch.missed(), false);
  assert.equal(watch.missed(), true);
});

Deno.test("a tracker that stays silent is reported again every three beats, so failover retries", () => {
  const watch = new SilenceWatch(3);
  const verdicts = Array.from({ length: 9 }, () => watch.missed());
  assert.deepEqual(verdicts, [false, false, true, false, false, true, false, false, true]);
});

Deno.test("failover notices name both trackers, IPv6 in brackets", () => {
  assert.equal(trackerLabel({ host: "::1", port: 4001 }), "[::1]:4001");
  assert.equal(
    failoverNotice("127.0.0.1:4000", trackerLabel({ host: "::1", port: 4001 })),
    "Tracker 127.0.0.1:4000 stopped answering; now using [::1]:4001",
  );
  assert.match(noFailoverNotice("127.0.0.1:4000"), /^Tracker 127\.0\.0\.1:4000 stopped answering/);
  assert.equal(
    failoverNotice("127.0.0.1:4000", "127.0.0.1:4001", "lost"),
    "Tracker 127.0.0.1:4000 lost this session and refused a new login; now using 127.0.0.1:4001",
  );
  assert.equal(
    tryingNextNotice({ host: "127.0.0.1", port: 4000 }, { host: "localhost", port: 4001 }),
    "Tracker at 127.0.0.1:4000 is not responding; trying localhost:4001",
  );
});
