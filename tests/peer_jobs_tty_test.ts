/**
 * Background downloads on a real terminal (a tmux pane): `get` returns to the prompt at once with
 * no option, `jobs` shows the download running, the first `xit` says the session leaves when the
 * download ends, the second cancels it (its part file kept) and leaves with status 0. Skipped where tmux
 * is missing (`.ci/run` installs it).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type Program, projectRoot, TrackerProcess } from "./support/programs.ts";
import { writeRandomFile } from "./support/peers.ts";
import { startSeeder } from "./support/seeder.ts";

const MiB = 1024 * 1024;
const hasTmux = new Deno.Command("sh", { args: ["-c", "command -v tmux"], stdout: "null" })
  .outputSync().success;

/** One tmux server of its own, so that no other test or user session is touched. */
class Pane {
  readonly #socket = `peersync-jobs-${crypto.randomUUID().slice(0, 8)}`;

  async #tmux(...args: string[]): Promise<string> {
    const output = await new Deno.Command("tmux", { args: ["-L", this.#socket, ...args] })
      .output();
    return new TextDecoder().decode(output.stdout);
  }

  async start(shellCommand: string): Promise<void> {
    await this.#tmux("new-session", "-d", "-x", "160", "-y", "50", shellCommand);
  }

  async type(text: string): Promise<void> {
    await this.#tmux("send-keys", "-t", "0", "-l", text);
    await this.#tmux("send-keys", "-t", "0", "Enter");
  }

  async text(): Promise<string> {
    return await this.#tmux("capture-pane", "-p", "-t", "0", "-S", "-500");
  }

  /** Waits until the pane shows `pattern` after the first `from` characters. */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.text();
      if (pattern.test(text.slice(from))) return text;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await this.#tmux("kill-server");
  }
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

Deno.test({
  name: "on a terminal get runs in the background; a second xit cancels it, keeping the part file",
  ignore: !hasTmux,
  fn: async () => {
    const tracker = await TrackerProcess.start(undefined, ["--store", "memory"]);
    const root = await Deno.makeTempDir({ prefix: "peersync-jobs-tty-" });
    const [alice, bob, state] = ["alice", "bob", "state"].map((name) => join(root, name));
    for (const dir of [alice, bob, state]) await Deno.mkdir(dir);
    let seeder: Program | undefined;
    const pane = new Pane();
    try {
      await writeRandomFile(join(alice, "big.bin"), 4 * MiB);
      seeder = await startSeeder({
        dir: alice,
        trackerPort: tracker.port,
        // 16 s for the 4 MiB: room for the two `xit`s however loaded the machine is.
        uploadLimit: "256k",
        publish: ["big.bin"],
      });

      const peer = [Deno.execPath(), "run", "--allow-all", `${projectRoot}peer.ts`, "-d", bob]
        .concat(["-u", "bob", String(tracker.port)]).map(quote).join(" ");
      await pane.start(
        `cd ${quote(root)} && env NO_COLOR=1 XDG_STATE_HOME=${quote(state)} ` +
          `PEERSYNC_PASSWORD=bob-pw INIT_CWD=${quote(root)} ${peer}; echo EXIT=$?; sleep 60`,
      );
      await pane.waitFor(/Available commands are/);
      await pane.type("get big.bin");
      await pane.waitFor(/\[1\] big\.bin: downloading in the background/);
      // The prompt is back at once: the next command runs while the download goes on.
      // Asked again until it has bytes to keep (progress counts bytes once written out).
      // (The whole screen is searched: the status line above the prompt is redrawn in place, so
      // offsets into the text do not hold.)
      for (let tries = 0;; tries++) {
        await pane.type("jobs");
        await new Promise((resolve) => setTimeout(resolve, 250));
        const text = await pane.text();
        if (/> jobs\n\[1\] big\.bin {2}running {2}\d+%/.test(text)) break;
        assert.ok(tries < 40, `no progress:\n${text}`);
      }
      await pane.type("xit");
      await pane.waitFor(/Leaving when the download ends; xit again cancels it/);
      await pane.type("xit");
      const text = await pane.waitFor(/EXIT=\d+/);
      assert.match(
        text,
        /\[1\] big\.bin: cancelled at .*; the part file is kept: get big\.bin resumes it/,
      );
      assert.match(text, /Goodbye!\s+EXIT=0/);
      const parts = [...Deno.readDirSync(bob)].map((entry) => entry.name);
      assert.equal(parts.length, 1, parts.join(", "));
      assert.match(parts[0], /^\.peersync-[0-9a-f]{16}-[0-9a-f]{16}\.part$/);
    } finally {
      await pane.stop();
      await seeder?.stop();
      await tracker.stop();
      await Deno.remove(root, { recursive: true });
    }
  },
});
