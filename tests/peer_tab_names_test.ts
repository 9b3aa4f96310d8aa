/**
 * Tab completion of names with spaces on a real terminal (tmux): what Tab inserts is typed the
 * way the prompt reads it back, so Enter runs the command on that very name. Skipped (with a
 * line saying so) where tmux is missing outside CI.
 */

import { projectRoot, TrackerProcess } from "./support/programs.ts";
import { skipWithoutTmux, TmuxSession as Tmux } from "./support/tmux.ts";

const ignore = skipWithoutTmux();
const named = (name: string) => ignore ? `${name} (skipped: tmux is not installed)` : name;

Deno.test({
  name: named("peer on a terminal: Tab puts a name with spaces in escaped or quoted, and it runs"),
  ignore,
  fn: async () => {
    const tracker = await TrackerProcess.start();
    const dir = await Deno.makeTempDir({ prefix: "peersync-tty-" });
    const stateHome = await Deno.makeTempDir({ prefix: "peersync-state-" });
    await Deno.writeTextFile(`${dir}/my report.pdf`, "figures");
    const tmux = await Tmux.start([
      Deno.execPath(),
      "run",
      "--allow-all",
      `${projectRoot}peer.ts`,
      "--dir",
      dir,
      "--user",
      "alice",
      String(tracker.port),
    ], {
      cwd: dir,
      env: {
        XDG_STATE_HOME: stateHome,
        INIT_CWD: dir,
        NO_COLOR: "1",
        PEERSYNC_PASSWORD: "alice-pw",
      },
    });
    try {
      await tmux.waitFor(/Available commands[^\n]*\n> $/);
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
    } finally {
      await tmux.close();
      await tracker.stop();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(stateHome, { recursive: true });
    }
  },
});
