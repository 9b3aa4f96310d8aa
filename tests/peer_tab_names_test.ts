/**
 * Tab completion of names with spaces on a real terminal (tmux): what Tab inserts is typed the
 * way the prompt reads it back, so Enter runs the command on that very name. Skipped (with a
 * line saying so) where tmux is missing outside CI.
 */

import { withAliceOnTerminal, withTracker } from "./support/peer_on_terminal.ts";
import { skipWithoutTmux } from "./support/tmux.ts";

const ignore = skipWithoutTmux();
const named = (name: string) => ignore ? `${name} (skipped: tmux is not installed)` : name;

Deno.test({
  name: named("peer on a terminal: Tab puts a name with spaces in escaped or quoted, and it runs"),
  ignore,
  fn: () =>
    withTracker((tracker) =>
      withAliceOnTerminal(tracker, {}, async ({ tmux, dir }) => {
        await Deno.writeTextFile(`${dir}/my report.pdf`, "figures");
        await tmux.type("pub my");
        await tmux.press("Tab");
        await tmux.waitFor(/> pub my\\ report\.pdf $/);
        await tmux.press("Enter");
        await tmux.waitFor(/File published successfully\n> $/);
        await tmux.type('unp "my');
        await tmux.press("Tab");
        await tmux.waitFor(/> unp "my report\.pdf" $/);
        await tmux.press("Enter");
        await tmux.waitFor(/File unpublished successfully\n> $/);
      })
    ),
});
