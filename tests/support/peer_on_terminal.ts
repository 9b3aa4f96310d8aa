/**
 * The interactive peer on a real terminal (tmux) for tests: alice logged in against a tracker,
 * her share folder and state folder made (and removed) around the test's steps.
 */

import { projectRoot, TrackerProcess } from "./programs.ts";
import { type TmuxSession, TmuxSession as Tmux } from "./tmux.ts";

export interface Alice {
  readonly tmux: TmuxSession;
  readonly dir: string;
  readonly stateHome: string;
}

/**
 * Runs the peer on a terminal in tmux against `tracker`, in share folder `dir` with state under
 * `stateHome` (both made when not given), until `run` returns; everything is removed afterwards
 * unless the caller passed it.
 */
export async function withAliceOnTerminal(
  tracker: TrackerProcess,
  options: {
    readonly login?: "prompts" | "environment";
    readonly dir?: string;
    readonly stateHome?: string;
    readonly colour?: boolean;
    readonly args?: readonly string[];
    /** The terminal's width (120 by default). */
    readonly columns?: number;
    /** More environment for the peer (`null` unsets a variable). */
    readonly env?: Readonly<Record<string, string | null>>;
  },
  run: (alice: Alice) => Promise<void>,
): Promise<void> {
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "peersync-tty-" });
  const stateHome = options.stateHome ?? await Deno.makeTempDir({ prefix: "peersync-state-" });
  const prompts = options.login === "prompts";
  const tmux = await Tmux.start([
    Deno.execPath(),
    "run",
    "--allow-all",
    `${projectRoot}peer.ts`,
    "--dir",
    dir,
    ...(prompts ? [] : ["--user", "alice"]),
    ...(options.args ?? []),
    String(tracker.port),
  ], {
    cwd: dir,
    ...(options.columns === undefined ? {} : { columns: options.columns }),
    env: {
      XDG_STATE_HOME: stateHome,
      INIT_CWD: dir,
      NO_COLOR: options.colour ? null : "1",
      PEERSYNC_PASSWORD: prompts ? null : "alice-pw",
      ...options.env,
    },
  });
  try {
    if (prompts) {
      await tmux.waitFor("Enter username:");
      await tmux.type("alice\r");
      await tmux.waitFor("Enter password:");
      await tmux.type("alice-pw\r");
    }
    await tmux.waitFor(/Available commands[^\n]*\n> $/);
    await run({ tmux, dir, stateHome });
  } finally {
    await tmux.close();
    if (options.dir === undefined) await Deno.remove(dir, { recursive: true });
    if (options.stateHome === undefined) await Deno.remove(stateHome, { recursive: true });
  }
}

/** Runs `run` with a tracker started for it and stopped after. */
export async function withTracker(run: (tracker: TrackerProcess) => Promise<void>): Promise<void> {
  const tracker = await TrackerProcess.start();
  try {
    await run(tracker);
  } finally {
    await tracker.stop();
  }
}
