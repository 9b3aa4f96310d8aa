import assert from "node:assert/strict";
import { silentLogger } from "../log.ts";
import { SilenceClock } from "./silence_clock.ts";
import { startSilenceWatch } from "./silence_watch.ts";

/** Waits (on the watch's own timers) until `done()`, failing after 10 s. */
async function until(done: () => boolean): Promise<void> {
  for (const started = Date.now(); !done(); await new Promise((r) => setTimeout(r, 20))) {
    assert.ok(Date.now() - started < 10_000, "timed out");
  }
}

/** A clock that keeps what each count told it. */
class RecordingClock extends SilenceClock {
  readonly dropped: number[] = [];
  override noteDrops(total: number) {
    const news = super.noteDrops(total);
    this.dropped.push(news.dropped);
    return news;
  }
}

Deno.test("the socket's drops are read only when the host's UDP errors grew, and told to the clock", async () => {
  const real = 0;
  const clock = new RecordingClock({ now: () => real });
  let hostErrors = 100;
  let hostReads = 0;
  let socketDrops = 7;
  let socketReads = 0;
  const stop = startSilenceWatch({
    clock,
    port: 5000,
    logger: silentLogger,
    now: () => real,
    readHostErrors: () => {
      hostReads++;
      return Promise.resolve(hostErrors);
    },
    readStats: () => {
      socketReads++;
      return Promise.resolve({ drops: socketDrops, queuedBytes: 0 });
    },
  });
  try {
    // The first count at once, then one a second: nothing new anywhere, so ours is not listed.
    await until(() => hostReads >= 3);
    assert.equal(socketReads, 1);
    // Another socket of the host dropped: ours is looked at, and found unchanged.
    hostErrors = 130;
    const afterOther = hostReads;
    await until(() => hostReads > afterOther && socketReads === 2);
    // Ours dropped too: the clock hears of the 30.
    socketDrops = 37;
    hostErrors = 160;
    await until(() => clock.dropped.includes(30));
    assert.equal(socketReads, 3);
    assert.deepEqual(clock.dropped.filter((dropped) => dropped > 0), [30]);
  } finally {
    await stop();
  }
});
