/**
 * Starts the real programs as subprocesses for end-to-end tests and reads what they print.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The project root, wherever the tests are run from. */
export const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Collects a stream's text and lets a test wait for a pattern in it. */
export class OutputWatcher {
  #text = "";
  #waiters: (() => void)[] = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        this.#text += chunk;
        for (const wake of this.#waiters.splice(0)) wake();
      }
      for (const wake of this.#waiters.splice(0)) wake();
    })();
  }

  /** Everything read so far. */
  get text(): string {
    return this.#text;
  }

  /**
   * Resolves with the first match of `pattern` in the text after `from`, failing after
   * `timeoutMs` with the text seen so far.
   */
  async waitFor(pattern: RegExp | string, timeoutMs = 10_000, from = 0): Promise<RegExpExecArray> {
    const regex = typeof pattern === "string"
      ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      : pattern;
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    this.done.then(() => ended = true);
    while (true) {
      const match = regex.exec(this.#text.slice(from));
      if (match) return match;
      const left = deadline - Date.now();
      if (left <= 0 || ended) {
        throw new Error(`timed out waiting for ${regex} in output:\n${this.#text}`);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((wake) => this.#waiters.push(wake)),
        new Promise<void>((wake) => timer = setTimeout(wake, Math.min(left, 200))),
        this.done,
      ]);
      clearTimeout(timer);
    }
  }
}

/** A `deno` child of a test, its two output streams watched. */
export interface WatchedChild {
  readonly child: Deno.ChildProcess;
  readonly stdout: OutputWatcher;
  readonly stderr: OutputWatcher;
}

/**
 * Runs this `deno` with `args` exactly as given (a task's flags, narrow grants: what the
 * {@linkcode Program} wrapper would add is the thing under test), no colour, stdin closed.
 */
export function spawnDeno(
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: Record<string, string> },
): WatchedChild {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args],
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
  }).spawn();
  return {
    child,
    stdout: new OutputWatcher(child.stdout),
    stderr: new OutputWatcher(child.stderr),
  };
}

/**
 * Stops a spawned child (SIGTERM, unless it already exited) and waits for it and for every
 * watcher of its streams to end, so a test leaves no process or stream behind.
 */
export async function stopSpawned(
  child: Deno.ChildProcess,
  ...watchers: readonly OutputWatcher[]
): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // Already exited.
  }
  await Promise.all([child.status, ...watchers.map((watcher) => watcher.done)]);
}

/** A running program with piped standard streams. */
export class Program {
  readonly stdout: OutputWatcher;
  readonly stderr: OutputWatcher;
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #stateHome: string;
  #stdinClosed = false;

  /**
   * Runs `script` with `args`. `shellPrelude`, when given, is shell code run just before the
   * program replaces the shell (limits, signal dispositions it must inherit).
   */
  constructor(
    script: string,
    args: readonly string[],
    options: { cwd?: string; shellPrelude?: string; env?: Record<string, string> } = {},
  ) {
    const cwd = options.cwd ?? projectRoot;
    // Each program remembers trackers in its own state folder, never in the user's: a test's
    // tracker port may be reused by another test's v1-only stand-in.
    this.#stateHome = Deno.makeTempDirSync({ prefix: "peersync-state-" });
    const denoArgs = ["run", "--allow-all", `${projectRoot}${script}`, ...args];
    const [command, commandArgs] = options.shellPrelude === undefined
      ? [Deno.execPath(), denoArgs]
      : ["sh", ["-c", `${options.shellPrelude}; exec "$0" "$@"`, Deno.execPath(), ...denoArgs]];
    this.#child = new Deno.Command(command, {
      args: commandArgs,
      cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      // `deno task test` sets INIT_CWD to the project; the program must see its own folder.
      env: { NO_COLOR: "1", INIT_CWD: cwd, XDG_STATE_HOME: this.#stateHome, ...options.env },
    }).spawn();
    this.stdout = new OutputWatcher(this.#child.stdout);
    this.stderr = new OutputWatcher(this.#child.stderr);
    this.#stdin = this.#child.stdin.getWriter();
  }

  /** The process id, e.g. to read its memory use from /proc. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Types `line` and Enter. */
  async type(line: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  /** Ends standard input (the user pressed Ctrl-D). */
  async closeStdin(): Promise<void> {
    if (this.#stdinClosed) return;
    this.#stdinClosed = true;
    await this.#stdin.close().catch(() => {});
  }

  /** Sends a signal (SIGKILL simulates a crash). */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    try {
      this.#child.kill(signal);
    } catch {
      // Already exited.
    }
  }

  /** Waits for exit, with every stream drained. */
  async exit(): Promise<Deno.CommandStatus> {
    await this.closeStdin();
    const [status] = await Promise.all([this.#child.status, this.stdout.done, this.stderr.done]);
    await Deno.remove(this.#stateHome, { recursive: true }).catch(() => {});
    return status;
  }

  /** Kills the program (if still running) and waits for it. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus> {
    this.kill(signal);
    return await this.exit();
  }
}

/** Runs a program to completion with no input and returns its exit code and output. */
export async function runProgram(
  script: string,
  args: readonly string[],
  options: { cwd?: string; stdin?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Program(script, args, options);
  if (options.stdin !== undefined) await program.type(options.stdin);
  // A program that should have exited but did not must fail the test, not hang the suite.
  const watchdog = setTimeout(() => program.kill("SIGKILL"), 30_000);
  const status = await program.exit();
  clearTimeout(watchdog);
  return { code: status.code, stdout: program.stdout.text, stderr: program.stderr.text };
}

/** A tracker subprocess on a free loopback port. */
export class TrackerProcess {
  private constructor(
    readonly program: Program,
    readonly port: number,
    readonly dir: string,
    readonly ownsDir: boolean,
  ) {}

  /**
   * Starts `tracker.ts` with the given credentials file text, in a new temporary folder that
   * also holds its database (so parallel tests never share one); `env` is added to its
   * environment (e.g. `DENO_V8_FLAGS`).
   */
  static async start(
    credentials = "alice alice-pw\nbob bob-pw\ncarol carol-pw\ndave dave-pw\n",
    extraArgs: readonly string[] = [],
    port = 0,
    env?: Record<string, string>,
  ): Promise<TrackerProcess> {
    const dir = await Deno.makeTempDir({ prefix: "peersync-tracker-" });
    await Deno.writeTextFile(`${dir}/credentials.txt`, credentials);
    try {
      return await TrackerProcess.startIn(dir, extraArgs, port, true, env);
    } catch (error) {
      await Deno.remove(dir, { recursive: true });
      throw error;
    }
  }

  /**
   * Starts `tracker.ts` on `dir/credentials.txt` (and so `dir/peersync-tracker.db`), e.g. again
   * after a stop. The folder stays when the tracker stops unless `ownsDir`.
   */
  static async startIn(
    dir: string,
    extraArgs: readonly string[] = [],
    port = 0,
    ownsDir = false,
    env?: Record<string, string>,
  ): Promise<TrackerProcess> {
    const program = new Program("tracker.ts", [
      "--credentials",
      `${dir}/credentials.txt`,
      ...extraArgs,
      String(port),
    ], { env });
    try {
      const match = await program.stdout.waitFor(/listening on [^ ]+:(\d+)/);
      return new TrackerProcess(program, Number(match[1]), dir, ownsDir);
    } catch (error) {
      await program.stop();
      throw error;
    }
  }

  /** Stops the tracker (SIGTERM, or SIGKILL for a crash) and removes its files if it owns them. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus | undefined> {
    if (this.#stopped) return undefined;
    this.#stopped = true;
    const status = await this.program.stop(signal);
    if (this.ownsDir) await Deno.remove(this.dir, { recursive: true });
    return status;
  }

  #stopped = false;
}
