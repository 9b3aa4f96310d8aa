import assert from "node:assert/strict";
import { StoreOverflowError, type StoreRuntimeError, StoreWriteError } from "./errors.ts";
import { type Scheduler, WriteBehind, type WriteBehindOptions } from "./write_behind.ts";
import type { WriteQueue } from "./write_queue.ts";

/** Timers that fire only when the test says so. */
class ManualTimers implements Scheduler {
  readonly #timers = new Map<number, { run: () => void; delayMs: number }>();
  #next = 1;

  setTimeout(run: () => void, delayMs: number): number {
    this.#timers.set(this.#next, { run, delayMs });
    return this.#next++;
  }

  clearTimeout(id: number): void {
    this.#timers.delete(id);
  }

  /** Delays of the timers set and not yet fired or cleared. */
  get delays(): number[] {
    return [...this.#timers.values()].map((timer) => timer.delayMs);
  }

  /** Fires the one pending timer and lets the write it starts settle. */
  async fire(): Promise<void> {
    assert.equal(this.#timers.size, 1, "exactly one timer is pending");
    const [[id, timer]] = this.#timers;
    this.#timers.delete(id);
    timer.run();
    await Promise.resolve();
    await Promise.resolve();
  }
}

/** A write target that records batches as plain data, and fails on demand. */
function recorder() {
  const batches: string[][] = [];
  const target = {
    batches,
    /** Makes each write throw this, given the batch's size. */
    failWith: undefined as ((size: number) => Error) | undefined,
    write(batch: WriteQueue): void {
      if (target.failWith) throw target.failWith(batch.size);
      const ops: string[] = [];
      for (const [user, pending] of batch.users()) {
        if (pending.removeAll) ops.push(`-${user}`);
        for (const [name, change] of pending.changes) {
          ops.push(`${change.kind === "publish" ? "+" : "-"}${user}/${name}`);
        }
      }
      batches.push(ops);
    },
  };
  return target;
}

function setup(options: Partial<WriteBehindOptions> = {}) {
  const timers = new ManualTimers();
  const target = recorder();
  const errors: StoreRuntimeError[] = [];
  const recoveries: { failures: number; written: number }[] = [];
  const behind = new WriteBehind({
    file: "test.db",
    write: (batch) => target.write(batch),
    scheduler: timers,
    onError: (error) => errors.push(error),
    onRecover: (info) => recoveries.push(info),
    ...options,
  });
  return { timers, target, errors, recoveries, behind };
}

const full = (size: number) =>
  new StoreWriteError("test.db", "full", size, "database or disk is full");

Deno.test("changes wait for the interval, then go out coalesced in one transaction", async () => {
  const { timers, target, behind } = setup();
  behind.publish("alice", "a.txt");
  behind.publish("alice", "b.txt");
  behind.unpublish("alice", "a.txt");
  behind.removeUser("bob");
  assert.deepEqual(timers.delays, [50]);
  assert.deepEqual(target.batches, []);
  assert.equal(behind.stats.pending, 3);
  await timers.fire();
  assert.deepEqual(target.batches, [["-alice/a.txt", "+alice/b.txt", "-bob"]]);
  assert.deepEqual(behind.stats, {
    pending: 0,
    written: 3,
    transactions: 1,
    coalesced: 1,
    failures: 0,
    dropped: 0,
  });
  assert.deepEqual(timers.delays, [], "no timer while nothing waits");
  await behind.close();
});

Deno.test("a queue of batchSize changes is written at once, not at the interval", async () => {
  const { timers, target, behind } = setup({ batchSize: 3 });
  behind.publish("alice", "a.txt");
  behind.publish("alice", "b.txt");
  assert.deepEqual(timers.delays, [50]);
  behind.publish("alice", "c.txt");
  assert.deepEqual(timers.delays, [0]);
  behind.publish("alice", "d.txt");
  assert.deepEqual(timers.delays, [0]);
  await timers.fire();
  assert.equal(target.batches.length, 1);
  assert.equal(target.batches[0].length, 4);
  await behind.close();
});

Deno.test("ten thousand changes between two timer turns make one transaction", async () => {
  const { timers, target, behind } = setup();
  for (let index = 0; index < 10_000; index++) behind.publish(`user${index % 100}`, `f${index}`);
  await timers.fire();
  assert.equal(behind.stats.transactions, 1);
  assert.equal(behind.stats.written, 10_000);
  assert.equal(target.batches.length, 1);
  await behind.close();
});

Deno.test("a failed batch stays queued under newer changes and is retried with growing delays", async () => {
  const { timers, target, errors, recoveries, behind } = setup();
  behind.publish("alice", "a.txt");
  behind.publish("alice", "b.txt");
  target.failWith = full;
  await timers.fire();
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof StoreWriteError && errors[0].reason === "full");
  assert.deepEqual(timers.delays, [100]);
  behind.unpublish("alice", "a.txt");
  behind.publish("bob", "c.txt");
  assert.deepEqual(timers.delays, [100], "new changes do not hurry a retry");
  assert.equal(behind.stats.pending, 3);
  for (const delay of [200, 400, 800, 1600, 3200, 5000, 5000]) {
    await timers.fire();
    assert.deepEqual(timers.delays, [delay]);
  }
  assert.equal(behind.stats.failures, 8);
  target.failWith = undefined;
  await timers.fire();
  assert.deepEqual(target.batches, [["-alice/a.txt", "+alice/b.txt", "+bob/c.txt"]]);
  assert.deepEqual(recoveries, [{ failures: 8, written: 3 }]);
  assert.equal(behind.stats.pending, 0);
  assert.deepEqual(timers.delays, []);
  await behind.close();
});

Deno.test("while writes fail the queue stops at maxPending and says once that changes are lost", async () => {
  const { timers, target, errors, behind } = setup({ maxPending: 3 });
  target.failWith = full;
  behind.publish("alice", "a.txt");
  await timers.fire();
  for (const name of ["b", "c", "d", "e"]) behind.publish("alice", name);
  behind.publish("alice", "a.txt");
  assert.equal(behind.stats.pending, 3);
  assert.equal(behind.stats.dropped, 2);
  const overflows = errors.filter((error) => error instanceof StoreOverflowError);
  assert.equal(overflows.length, 1);
  assert.match(overflows[0].message, /^test\.db: 3 changes wait to be written/);
  target.failWith = undefined;
  await timers.fire();
  assert.deepEqual(target.batches, [["+alice/a.txt", "+alice/b", "+alice/c"]]);
  await behind.close();
});

Deno.test("flush writes at once and rejects when the write fails, keeping the changes", async () => {
  const { timers, target, behind } = setup();
  behind.publish("alice", "a.txt");
  await behind.flush();
  assert.equal(target.batches.length, 1);
  assert.deepEqual(timers.delays, []);
  target.failWith = full;
  behind.publish("alice", "b.txt");
  await assert.rejects(behind.flush(), (error: unknown) => {
    assert.ok(error instanceof StoreWriteError);
    assert.equal(
      error.message,
      "test.db: cannot write 1 change (database or disk is full); keeping them in memory and retrying",
    );
    return true;
  });
  assert.equal(behind.stats.pending, 1);
  target.failWith = undefined;
  await behind.flush();
  assert.equal(behind.stats.pending, 0);
  await behind.close();
});

Deno.test("close writes what is queued, stops the timers, and then refuses changes", async () => {
  const { timers, target, behind } = setup();
  behind.publish("alice", "a.txt");
  await behind.close();
  assert.deepEqual(target.batches, [["+alice/a.txt"]]);
  assert.deepEqual(timers.delays, []);
  assert.throws(
    () => behind.publish("alice", "b.txt"),
    /test\.db: the publication store is closed/,
  );
  await behind.close();
});

Deno.test("close reports changes it could not write as lost, and sets no retry", async () => {
  const { timers, target, behind } = setup();
  target.failWith = (size) => new StoreWriteError("test.db", "io", size, "disk I/O error");
  behind.publish("alice", "a.txt");
  await assert.rejects(behind.close(), (error: unknown) => {
    assert.ok(error instanceof StoreWriteError && error.lost && error.reason === "io");
    assert.match(error.message, /cannot write 1 change \(disk I\/O error\); they are lost$/);
    return true;
  });
  assert.deepEqual(timers.delays, []);
});

Deno.test("anything else a write throws is reported as reason other", async () => {
  const { timers, target, errors, behind } = setup();
  target.failWith = () => new TypeError("boom");
  behind.publish("alice", "a.txt");
  await timers.fire();
  assert.ok(errors[0] instanceof StoreWriteError);
  assert.equal(errors[0].reason, "other");
  assert.match(errors[0].message, /\(boom\)/);
  target.failWith = undefined;
  await behind.close();
});

Deno.test("changes queued while an asynchronous batch is in flight are written after it", async () => {
  const timers = new ManualTimers();
  const sizes: number[] = [];
  let release = () => {};
  const behind = new WriteBehind({
    file: "test.db",
    scheduler: timers,
    write: async (batch) => {
      sizes.push(batch.size);
      await new Promise<void>((resolve) => release = resolve);
    },
  });
  behind.publish("alice", "a.txt");
  await timers.fire();
  behind.publish("alice", "b.txt");
  behind.publish("alice", "c.txt");
  assert.deepEqual(timers.delays, [], "no second batch while one is in flight");
  assert.equal(behind.stats.pending, 3);
  const flushed = behind.flush();
  release();
  await new Promise((resolve) => setTimeout(resolve, 0));
  release();
  await flushed;
  assert.deepEqual(sizes, [1, 2]);
  assert.equal(behind.stats.transactions, 2);
  await behind.close();
});
