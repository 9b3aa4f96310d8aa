import assert from "node:assert/strict";
import { delay } from "../../util/mod.ts";
import { followFolder } from "./follow_folder.ts";

/** Follows a new folder while `run` works in it; returns how many times `onChange` ran. */
async function countLooks(
  run: (dir: string, looking: () => Promise<void>) => Promise<void>,
  lookMs = 0,
): Promise<number> {
  const dir = await Deno.makeTempDir();
  const stop = new AbortController();
  let looks = 0;
  let wake: (() => void) | undefined;
  const following = followFolder({
    dir,
    signal: stop.signal,
    settleMs: 100,
    onChange: async () => {
      looks++;
      wake?.();
      await delay(lookMs);
    },
  });
  try {
    // The watcher starts with the call; give it a moment to be in place.
    await delay(100);
    await run(dir, () => new Promise<void>((resolve) => wake = resolve));
    // Whatever is still queued settles and is looked at.
    await delay(1500);
  } finally {
    stop.abort();
    await following;
    await Deno.remove(dir, { recursive: true });
  }
  return looks;
}

Deno.test("followFolder: changes made while a look runs lead to one more look, not one per event", async () => {
  const looks = await countLooks(async (dir, looking) => {
    const first = looking();
    await Deno.writeTextFile(`${dir}/first.txt`, "x");
    await first;
    // The look takes a while (a big folder's publications): a copy of many files meanwhile.
    for (let i = 0; i < 40; i++) await Deno.writeTextFile(`${dir}/f${i}.txt`, "x");
  }, 300);
  assert.ok(looks <= 3, `${looks} looks`);
});

Deno.test("followFolder: PeerSync's own files (digest cache, part files) changing is no change", async () => {
  const looks = await countLooks(async (dir) => {
    for (let i = 0; i < 5; i++) {
      await Deno.writeTextFile(`${dir}/.peersync-digests-${i}.tmp`, "{}");
      await Deno.rename(`${dir}/.peersync-digests-${i}.tmp`, `${dir}/.peersync-digests.json`);
      await Deno.writeTextFile(`${dir}/.peersync-0123-4567.part`, `${i}`);
      await delay(150);
    }
  });
  assert.equal(looks, 0);
});

Deno.test("followFolder: a burst is looked at once after it settles", async () => {
  const looks = await countLooks(async (dir) => {
    for (let i = 0; i < 20; i++) {
      await Deno.writeTextFile(`${dir}/f${i}.txt`, "x");
      await delay(20);
    }
  });
  assert.equal(looks, 1);
});

Deno.test("followFolder: a file added during the first look (initial) is looked at after it", async () => {
  const dir = await Deno.makeTempDir();
  const stop = new AbortController();
  const events: string[] = [];
  let changed: (() => void) | undefined;
  const looked = new Promise<void>((resolve) => changed = resolve);
  const following = followFolder({
    dir,
    signal: stop.signal,
    settleMs: 50,
    initial: async () => {
      events.push("initial");
      // A file arriving while the first look runs: before the watch, it was missed for good.
      await Deno.writeTextFile(`${dir}/late.txt`, "x");
    },
    onChange: () => {
      events.push("change");
      changed?.();
      return Promise.resolve();
    },
  });
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([looked, new Promise((resolve) => timer = setTimeout(resolve, 5000))]);
    clearTimeout(timer);
    assert.deepEqual(events, ["initial", "change"]);
  } finally {
    stop.abort();
    await following;
    await Deno.remove(dir, { recursive: true });
  }
});
