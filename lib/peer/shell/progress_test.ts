import assert from "node:assert/strict";
import { columns } from "./text_columns.ts";
import { formatBytes, formatDuration } from "../../util/mod.ts";
import {
  formatSources,
  formatTransferStats,
  ProgressDisplay,
  type ProgressOutput,
} from "./progress.ts";

class FakeTerminal implements ProgressOutput {
  text = "";
  constructor(readonly terminal: boolean) {}
  writeSync(bytes: Uint8Array): number {
    this.text += new TextDecoder().decode(bytes);
    return bytes.length;
  }
  isTerminal(): boolean {
    return this.terminal;
  }
}

Deno.test("the stats line gives size, time and average speed", () => {
  assert.equal(formatTransferStats(5 * 1024 * 1024, 400), "5.0 MiB in 0.4 s, 12.5 MiB/s");
  assert.equal(formatTransferStats(0, 0), "0 B in 0.0 s, 0 B/s");
});

Deno.test("a resumed download's speed counts only the bytes fetched in this run", () => {
  const MiB = 1024 * 1024;
  // 9 MiB were already here: 1 MiB in half a second is 2 MiB/s, not 20.
  assert.equal(formatTransferStats(10 * MiB, 500, 9 * MiB), "10.0 MiB in 0.5 s, 2.0 MiB/s");
  assert.equal(formatTransferStats(10 * MiB, 500, 10 * MiB), "10.0 MiB in 0.5 s, 0 B/s");
  assert.equal(formatBytes(1024 ** 3 * 8), "8.0 GiB");
  assert.equal(formatDuration(3_725_000), "1:02:05");
});

Deno.test("the progress bar redraws at most ten times a second, on a terminal only", () => {
  let clock = 0;
  const terminal = new FakeTerminal(true);
  const display = new ProgressDisplay({
    file: "a.bin",
    output: terminal,
    columns: 120,
    now: () => clock,
  });
  for (let i = 0; i <= 100; i++) {
    clock = i * 10; // one second in all
    display.update({
      received: i * 1024 * 1024,
      total: 100 * 1024 * 1024,
      bytesPerSecond: 2 ** 20,
    });
  }
  display.finish();
  const draws = terminal.text.split("\r").filter((part) => part.startsWith("a.bin"));
  assert.ok(draws.length <= 11, `${draws.length} redraws`);
  assert.match(
    draws.at(-1)!,
    /^a\.bin \[#+\.*\] \d+% {2}[\d.]+ MiB \/ 100\.0 MiB {2}1\.0 MiB\/s {2}.* left/,
  );
  assert.ok(terminal.text.endsWith("\r\x1b[K"));

  const pipe = new FakeTerminal(false);
  const quiet = new ProgressDisplay({ file: "a.bin", output: pipe });
  quiet.update({ received: 1, total: 2, bytesPerSecond: 1 });
  quiet.finish();
  assert.equal(quiet.enabled, false);
  assert.equal(pipe.text, "");
});

Deno.test("the download's last words say from whom, with shares when several, and what was resumed", () => {
  const MiB = 1024 * 1024;
  const one = { sources: [{ user: "alice", bytes: 17 }], fromHolders: ["alice"], resumedFrom: 0 };
  assert.equal(formatSources(one), ", from alice");
  const two = {
    sources: [{ user: "alice", bytes: 40 * MiB }, { user: "bob", bytes: 0 }, {
      user: "carol",
      bytes: 24 * MiB,
    }],
    fromHolders: ["alice", "carol"],
    resumedFrom: 3 * MiB,
  };
  assert.equal(formatSources(two), ", from alice 40.0 MiB, carol 24.0 MiB, resumed after 3.0 MiB");
  // Nothing left to send (an empty or already complete file): the holder that confirmed it.
  assert.equal(
    formatSources({ sources: [{ user: "bob", bytes: 0 }], fromHolders: ["bob"], resumedFrom: 0 }),
    ", from bob",
  );
});

Deno.test("the progress bar of a CJK name fits the terminal's columns, not its code units", () => {
  const display = new ProgressDisplay({
    file: "日本語のファイル名です.bin",
    output: new FakeTerminal(true),
    columns: 60,
  });
  const line = display.render({ received: 512, total: 1024, bytesPerSecond: 100 });
  assert.ok(columns(line) <= 59, `${columns(line)} columns: ${line}`);
  assert.ok(line.startsWith("日本語のファイル名です.bin ["));
});
