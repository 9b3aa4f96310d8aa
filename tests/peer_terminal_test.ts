/**
 * The interactive peer through a real pseudo-terminal (tmux): Ctrl-C at the prompt and during a
 * download, commands pasted ahead, Tab completion, history across runs, colours. Skipped (with a
 * line saying so) where tmux is missing outside CI.
 */

import assert from "node:assert/strict";
import { PeerProcess, writeRandomFile } from "./support/peers.ts";
import { skipWithoutTmux } from "./support/tmux.ts";
import { withAliceOnTerminal, withTracker } from "./support/peer_on_terminal.ts";

const ignore = skipWithoutTmux();
/** The test's name, saying so when it is skipped. */
const named = (name: string) => ignore ? `${name} (skipped: tmux is not installed)` : name;
const PROMPT_BOLD = "\x1b[1m> ";

Deno.test({
  name: named(
    "peer on a terminal: Ctrl-C clears a line, on an empty line says how to leave, Ctrl-D leaves",
  ),
  ignore,
  fn: () =>
    withTracker((tracker) =>
      withAliceOnTerminal(tracker, {}, async ({ tmux }) => {
        await tmux.type("sch hel");
        await tmux.waitFor("> sch hel");
        await tmux.press("C-c");
        await tmux.waitFor(/> sch hel\^C\n> $/);
        await tmux.press("C-c");
        await tmux.waitFor(/> \^C\n\(To leave, type xit or press Ctrl-D\)\n> $/);
        // The cleared line never ran.
        assert.ok(!(await tmux.screen()).includes("No files found"));
        await tmux.press("C-d");
        const screen = await tmux.waitFor("[exit 0]");
        assert.match(screen, /Goodbye!\n\[exit 0\]/);
        // No colour when NO_COLOR is set.
        assert.ok(!(await tmux.screen(true)).includes(PROMPT_BOLD));
      })
    ),
});

Deno.test({
  name: named("peer on a terminal: three commands pasted at once all run, in order"),
  ignore,
  fn: () =>
    withTracker((tracker) =>
      withAliceOnTerminal(tracker, {}, async ({ tmux }) => {
        await tmux.type("lap\rlpf\rsch hel\r");
        const screen = await tmux.waitFor(/> sch hel\nNo files found\n> $/);
        assert.match(
          screen,
          /> lap\nNo active peers\n> lpf\nNo files published\n> sch hel\nNo files found\n> $/,
        );
      })
    ),
});

Deno.test({
  name: named(
    "peer on a terminal: Tab completes pu to pub and a share-folder file name; prompt in bold",
  ),
  ignore,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "peersync-tty-" });
    try {
      await Deno.writeTextFile(`${dir}/notes-2026.txt`, "notes");
      await Deno.writeTextFile(`${dir}/movie.mkv`, "movie");
      await withTracker((tracker) =>
        withAliceOnTerminal(tracker, { dir, colour: true }, async ({ tmux }) => {
          await tmux.type("pu");
          await tmux.press("Tab");
          await tmux.waitFor(/> pub $/);
          await tmux.type("no");
          await tmux.press("Tab");
          await tmux.waitFor(/> pub notes-2026\.txt $/);
          await tmux.press("Enter");
          await tmux.waitFor(/> pub notes-2026\.txt\s*\nFile published successfully\n> $/);
          // unp completes from the user's own publications.
          await tmux.type("unp ");
          await tmux.press("Tab");
          await tmux.waitFor(/> unp notes-2026\.txt $/);
          assert.ok((await tmux.screen(true)).includes(PROMPT_BOLD));
        })
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: named(
    "peer on a terminal: history from a previous run comes back with Up; passwords are not in it",
  ),
  ignore,
  fn: async () => {
    const stateHome = await Deno.makeTempDir({ prefix: "peersync-state-" });
    try {
      await withTracker(async (tracker) => {
        await withAliceOnTerminal(tracker, { stateHome, login: "prompts" }, async ({ tmux }) => {
          await tmux.type("sch zebra\r");
          await tmux.waitFor(/> sch zebra\nNo files found\n> $/);
          await tmux.press("C-d");
          await tmux.waitFor("[exit 0]");
        });
        const path = `${stateHome}/peersync/history`;
        assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
        const saved = await Deno.readTextFile(path);
        assert.equal(saved, "sch zebra\n");
        await withAliceOnTerminal(tracker, { stateHome }, async ({ tmux }) => {
          await tmux.press("Up");
          await tmux.waitFor(/> sch zebra$/);
          await tmux.press("Enter");
          await tmux.waitFor(/> sch zebra\nNo files found\n> $/);
        });
      });
    } finally {
      await Deno.remove(stateHome, { recursive: true });
    }
  },
});

Deno.test({
  name: named(
    "peer on a terminal: Ctrl-C on an empty prompt stops a background get, keeps the part file, says how to resume",
  ),
  ignore,
  fn: () =>
    withTracker(async (tracker) => {
      const bob = await PeerProcess.start(tracker.port, ["--upload-limit", "256k"]);
      try {
        await writeRandomFile(`${bob.dir}/big.bin`, 4 * 1024 * 1024);
        await bob.login("bob", "bob-pw");
        await bob.run("pub big.bin", "File published successfully");
        await withAliceOnTerminal(tracker, {}, async ({ tmux, dir }) => {
          await tmux.type("get big.bin\r");
          await tmux.waitFor(/downloading in the background/);
          // The status line, redrawn in place just above the prompt.
          await tmux.waitFor(/\[1\] big\.bin \d+%[^\n]*\n> $/);
          await tmux.press("C-c");
          const screen = await tmux.waitFor(/\[1\][^\n]*cancelled[^\n]*\n> $/);
          assert.match(screen, /\[1\][^\n]*big\.bin[^\n]*cancelled[^\n]*get big\.bin/);
          assert.ok(!screen.includes("To leave"), "a Ctrl-C that cancelled is not a hint");
          const parts = [...Deno.readDirSync(dir)].filter((entry) => entry.name.endsWith(".part"));
          assert.equal(parts.length, 1, "the part file is kept");
          assert.ok((await Deno.stat(`${dir}/${parts[0].name}`)).size > 0);
          assert.ok(![...Deno.readDirSync(dir)].some((entry) => entry.name === "big.bin"));
          // The status line is gone with the job; still at the prompt, still logged in.
          await tmux.type("lap\r");
          const after = await tmux.waitFor(/> lap\n1 active peer:\nbob\n> $/);
          assert.ok(!/\d+%[^\n]*\n> $/.test(after), after);
        });
      } finally {
        await bob.stop();
      }
    }),
});

Deno.test({
  name: named(
    "peer on a terminal: a second Ctrl-C while a command hangs on stops the peer with 130",
  ),
  ignore,
  fn: () =>
    withTracker((tracker) =>
      withAliceOnTerminal(tracker, {}, async ({ tmux }) => {
        // A tracker that hears nothing more: `lap` waits out its timeout.
        tracker.program.kill("SIGSTOP");
        try {
          await tmux.type("lap\r");
          await tmux.waitFor(/> lap$/);
          await tmux.press("C-c");
          await tmux.press("C-c");
          const screen = await tmux.waitFor(/\[exit \d+\]/, 10_000);
          assert.match(screen, /\[exit 130\]/);
        } finally {
          tracker.program.kill("SIGCONT");
        }
      })
    ),
});

Deno.test({
  name: named(
    "peer on a terminal: a command typed while a background download runs answers at once, below the status line",
  ),
  ignore,
  fn: () =>
    withTracker(async (tracker) => {
      const bob = await PeerProcess.start(tracker.port, ["--upload-limit", "256k"]);
      try {
        await writeRandomFile(`${bob.dir}/small.bin`, 768 * 1024);
        await bob.login("bob", "bob-pw");
        await bob.run("pub small.bin", "File published successfully");
        await withAliceOnTerminal(tracker, {}, async ({ tmux }) => {
          await tmux.type("get small.bin\r");
          await tmux.waitFor(/downloading in the background/);
          // The download takes about 3 s at bob's cap: this is answered while it runs.
          await tmux.type("lap\r");
          const during = await tmux.waitFor(/> lap\n1 active peer:\nbob\n/);
          assert.ok(!during.includes("downloaded successfully"), "answered after the download");
          const screen = await tmux.waitFor(
            /small\.bin downloaded successfully[^\n]*\n(?:[^\n]*\n)*> $/,
          );
          assert.match(screen, /SHA-256 verified/);
          // Typed text never lands in a progress line.
          assert.ok(!/%[^\n]*lap/.test(screen), screen);
        });
      } finally {
        await bob.stop();
      }
    }),
});
