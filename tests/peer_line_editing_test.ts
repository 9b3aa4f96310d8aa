/**
 * Line editing on a real terminal (tmux) with names that are not ASCII: the cursor stands where
 * the text is after wide characters, a long line of them scrolls sideways instead of wrapping, and
 * Backspace erases an accented letter typed with a combining mark whole. Skipped (with a line
 * saying so) where tmux is missing outside CI.
 */

import assert from "node:assert/strict";
import { withAliceOnTerminal, withTracker } from "./support/peer_on_terminal.ts";
import { skipWithoutTmux } from "./support/tmux.ts";

const ignore = skipWithoutTmux();
const named = (name: string) => ignore ? `${name} (skipped: tmux is not installed)` : name;

Deno.test({
  name: named(
    "peer on a terminal: after CJK text the cursor stands where the text is, and a long line " +
      "of it scrolls instead of wrapping",
  ),
  ignore,
  fn: () =>
    withTracker((tracker) =>
      withAliceOnTerminal(tracker, { columns: 60 }, async ({ tmux }) => {
        await tmux.type("pub 日本語.txt");
        await tmux.waitFor(/> pub 日本語\.txt$/);
        const end = await tmux.cursor();
        // "> pub " is 6 columns, each of the three characters 2, ".txt" 4.
        assert.equal(end.x, 16);
        // Back over "txt.", then over 語: two columns.
        await tmux.press("Left", "Left", "Left", "Left", "Left");
        await eventuallyAt(tmux, 10);
        await tmux.press("Home");
        await eventuallyAt(tmux, 2);
        await tmux.press("End");
        await tmux.type("日本語".repeat(8));
        // Scrolled sideways: one line, as wide as the terminal at most, cursor on that row.
        const screen = await tmux.waitFor(/日本語日本語日本語$/);
        const lines = screen.split("\n");
        assert.match(lines.at(-2)!, /^Available commands/);
        assert.ok(lines.at(-1)!.startsWith("> "));
        assert.equal((await tmux.cursor()).y, end.y);
        await tmux.press("C-u");
        await tmux.waitFor(/Available commands[^\n]*\n> *$/);
      })
    ),
});

Deno.test({
  name: named("peer on a terminal: Backspace erases e with a combining accent whole"),
  ignore,
  fn: () =>
    withTracker((tracker) =>
      withAliceOnTerminal(tracker, {}, async ({ tmux }) => {
        await tmux.type("sch caf\u0065\u0301");
        await tmux.press("BSpace");
        await tmux.type("X");
        await tmux.waitFor(/> sch cafX$/);
        assert.equal((await tmux.cursor()).x, 10);
      })
    ),
});

/** Waits until the cursor stands in column `x`. */
async function eventuallyAt(
  tmux: { cursor(): Promise<{ readonly x: number }> },
  x: number,
): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await tmux.cursor()).x !== x) {
    if (Date.now() > deadline) assert.fail(`cursor not in column ${x}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test({
  name: named(
    "peer on a terminal with TERM=dumb writes no escape sequence: cooked lines, plain prompt",
  ),
  ignore,
  fn: () =>
    withTracker((tracker) =>
      withAliceOnTerminal(
        tracker,
        { colour: true, env: { TERM: "dumb" } },
        async ({ tmux, stateHome }) => {
          const recording = `${stateHome}/pane.bytes`;
          await tmux.record(recording);
          // The terminal echoes and edits the line itself: Backspace is its own.
          await tmux.type("lapx");
          await tmux.press("BSpace");
          await tmux.press("Enter");
          await tmux.waitFor(/> lap *\nNo active peers\n> $/);
          await tmux.type("help jobs\r");
          await tmux.waitFor(/> help jobs\njobs: list the downloads[\s\S]*earlier ones\n> $/);
          await tmux.press("C-d");
          await tmux.waitFor("[exit 0]");
          const written = await Deno.readTextFile(recording);
          assert.ok(written.includes("No active peers"), written);
          assert.ok(!written.includes("\x1b"), JSON.stringify(written));
        },
      )
    ),
});
