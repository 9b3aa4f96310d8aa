/**
 * The tracker as `deno task tracker` launches it (the command read from deno.json, so the task
 * itself is what is tested) and as scripts/compile.sh builds it: with the grants it needs to read
 * /proc, which Deno 2.9.6 opens only under `--allow-all` (docs/operations.md, "Deno permissions").
 * The other tests run the tracker with `--allow-all` themselves and so cannot tell.
 */

import assert from "node:assert/strict";
import { projectRoot, spawnDeno, stopSpawned } from "./support/programs.ts";

/** The words of `deno task tracker` after `deno`, as deno.json has them. */
function trackerTask(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${projectRoot}deno.json`));
  const words = (config.tasks.tracker as string).split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ["deno", "run"], "the task is a plain deno run");
  assert.equal(words.at(-1), "tracker.ts", "the task ends with the script; arguments follow it");
  return words.slice(1);
}

/** The Deno permission words (`--allow-…`) of a command line. */
function grantsOf(words: readonly string[]): string[] {
  return words.filter((word) => word.startsWith("--allow-")).sort();
}

/** What this machine's kernel gives every new socket, when the test can read it (Linux). */
function rmemDefault(): string | undefined {
  try {
    return Deno.readTextFileSync("/proc/sys/net/core/rmem_default").trim();
  } catch {
    return undefined;
  }
}

const rmem = rmemDefault();

Deno.test({
  name: "deno task tracker reads the receive buffer and the kernel's drops from /proc" +
    (rmem === undefined ? " (skipped: no /proc/sys/net/core here)" : ""),
  ignore: rmem === undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "peersync-task-" });
    try {
      await Deno.writeTextFile(`${dir}/credentials.txt`, "alice alice-pw\n");
      // As `deno task tracker …` runs it: from the project's folder (where deno.json is), with
      // INIT_CWD set to the folder it was typed in.
      const { child, stdout, stderr } = spawnDeno([
        ...trackerTask(),
        "--store",
        "memory",
        "--credentials",
        `${dir}/credentials.txt`,
        "--http",
        "127.0.0.1:0",
        "0",
      ], { cwd: projectRoot, env: { INIT_CWD: dir } });
      try {
        const line = (await stdout.waitFor(/Receive buffer: [^\n]*/))[0];
        assert.match(
          line,
          new RegExp(`^Receive buffer: ${rmem} bytes \\(net\\.core\\.rmem_default`),
        );
        // The same /proc grant lets the tracker count what the kernel dropped on its socket.
        const base = (await stdout.waitFor(/Status page on (http:\/\/[^ ]+)\/ /))[1];
        const metrics = await (await fetch(`${base}/metrics`)).text();
        assert.match(metrics, /^peersync_tracker_receive_buffer_drops_total \d+$/m, metrics);
        assert.match(metrics, /^peersync_tracker_receive_queue_bytes \d+$/m);
      } finally {
        await stopSpawned(child, stdout, stderr);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("compile.sh builds the tracker with the permissions of deno task tracker, the peer narrower", async () => {
  const script = await Deno.readTextFile(`${projectRoot}scripts/compile.sh`);
  const lines = script.replaceAll("\\\n", " ").split("\n");
  const tracker = lines.find((l) => l.startsWith("build peersync-tracker "));
  assert.ok(tracker, "compile.sh builds peersync-tracker");
  assert.deepEqual(grantsOf(tracker.split(/\s+/)), grantsOf(trackerTask()));
  assert.deepEqual(grantsOf(trackerTask()), ["--allow-all"]);
  const peer = lines.find((l) => l.startsWith("build peersync-peer "));
  assert.ok(peer, "compile.sh builds peersync-peer");
  assert.ok(!grantsOf(peer.split(/\s+/)).includes("--allow-all"), "the peer asks for what it uses");
  const config = JSON.parse(await Deno.readTextFile(`${projectRoot}deno.json`));
  assert.ok(!(config.tasks.peer as string).includes("--allow-all"), "so does deno task peer");
});
