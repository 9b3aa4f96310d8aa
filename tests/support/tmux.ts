/**
 * Drives a program through a real pseudo-terminal with tmux, as a user at a keyboard would: keys
 * are sent with `tmux send-keys`, the screen is read with `tmux capture-pane`. Each session runs
 * on its own tmux server (its own socket), so parallel tests never see each other's panes.
 *
 * @module
 */

/** Why tmux cannot be used here, or `undefined` when it can. */
export function tmuxMissing(): string | undefined {
  try {
    const { success } = new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync();
    return success ? undefined : "tmux -V failed";
  } catch {
    return "tmux is not installed (apt-get install -y tmux)";
  }
}

/**
 * Whether the terminal tests must be skipped: tmux is missing and this is not CI (where `.ci/run`
 * installs it, so a missing tmux there is a failure, not a skip).
 */
export function skipWithoutTmux(): boolean {
  const missing = tmuxMissing();
  if (missing === undefined) return false;
  if (Deno.env.get("CI") === "true") return false;
  console.log(`terminal tests skipped: ${missing}`);
  return true;
}

/** Single-quotes `word` for sh. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Options of {@linkcode TmuxSession.start}. */
export interface TmuxOptions {
  readonly cwd: string;
  /** Set for the program; `null` unsets a variable the test runner has. */
  readonly env?: Readonly<Record<string, string | null>>;
  readonly columns?: number;
  readonly rows?: number;
}

/** One program on its own tmux server, in one pane. */
export class TmuxSession {
  readonly #socket: string;
  #closed = false;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /**
   * Starts `command` in a new pane. When it exits the pane stays, showing `[exit N]`, so a test
   * can read its last words and its status.
   */
  static async start(command: readonly string[], options: TmuxOptions): Promise<TmuxSession> {
    const socket = `peersync-test-${crypto.randomUUID().slice(0, 8)}`;
    const session = new TmuxSession(socket);
    // `env` takes every -u before the first assignment.
    const entries = Object.entries(options.env ?? {});
    const env = [
      ...entries.filter(([, value]) => value === null).map(([name]) => `-u ${name}`),
      ...entries.flatMap(([name, value]) => value === null ? [] : [shellQuote(`${name}=${value}`)]),
    ];
    const script = `cd ${shellQuote(options.cwd)} && env ${env.join(" ")} ${
      command.map(shellQuote).join(" ")
    }; echo "[exit $?]"; exec sleep 3600`;
    await session.#tmux(
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-s",
      "main",
      "-x",
      String(options.columns ?? 120),
      "-y",
      String(options.rows ?? 40),
      "sh",
      "-c",
      script,
    );
    return session;
  }

  async #tmux(...args: string[]): Promise<string> {
    const { success, stdout, stderr } = await new Deno.Command("tmux", {
      args: ["-L", this.#socket, ...args],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    const decoder = new TextDecoder();
    if (!success) throw new Error(`tmux ${args.join(" ")}: ${decoder.decode(stderr)}`);
    return decoder.decode(stdout);
  }

  /** Presses keys by tmux name: `Enter`, `C-c`, `Tab`, `Up`, … */
  async press(...keys: string[]): Promise<void> {
    await this.#tmux("send-keys", "-t", "main", ...keys);
  }

  /** Types `text` literally (all at once, as a paste arrives); `\r` in it is Enter. */
  async type(text: string): Promise<void> {
    await this.#tmux("send-keys", "-t", "main", "-l", text);
  }

  /**
   * The screen and its scrollback as text, spaces at line ends kept as written (a prompt ends in
   * one) and blank lines at the end dropped; `escapes` keeps colours.
   */
  async screen(escapes = false): Promise<string> {
    const text = await this.#tmux(
      "capture-pane",
      "-p",
      "-t",
      "main",
      "-S",
      "-500",
      "-N",
      ...(escapes ? ["-e"] : []),
    );
    return text.replace(/\n[\n ]*$/, "");
  }

  /**
   * Waits until the screen text after the first `after` characters matches `pattern`; resolves
   * with the whole screen. Fails after `timeoutMs` showing the screen.
   */
  async waitFor(pattern: RegExp | string, timeoutMs = 15_000, after = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      const rest = screen.slice(after);
      if (typeof pattern === "string" ? rest.includes(pattern) : pattern.test(rest)) return screen;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${pattern} on the screen:\n${screen}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Appends every byte the program writes to the pane from now on to `path`, as written (escape
   * sequences included), for tests of what reaches the terminal rather than what it shows.
   */
  async record(path: string): Promise<void> {
    await this.#tmux("pipe-pane", "-o", "-t", "main", `cat >> ${shellQuote(path)}`);
  }

  /** Where the cursor stands: column and row of the visible screen, from 0. */
  async cursor(): Promise<{ readonly x: number; readonly y: number }> {
    const [x, y] =
      (await this.#tmux("display-message", "-p", "-t", "main", "#{cursor_x} #{cursor_y}"))
        .trim().split(" ").map(Number);
    return { x, y };
  }

  /** Stops the program and the tmux server. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tmux("kill-server").catch(() => {});
  }
}
