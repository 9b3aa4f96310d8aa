/**
 * Runs `store_child.ts` in its own Deno process, for tests of what another process sees.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

const childScript = fileURLToPath(new URL("./store_child.ts", import.meta.url));

/** What `store_child.ts open` printed. */
export type OpenOutcome =
  | { readonly ok: true; readonly count: number }
  | {
    readonly ok: false;
    readonly name: string;
    readonly reason: string;
    readonly message: string;
  };

/** The store's own modules: `deno run` reads the writer worker's source from there. */
const storeModules = new URL("../", import.meta.url).pathname;

/** Deno permission flags that allow exactly the database file (and reading the store's code). */
export const onlyTheFile = (file: string) => [
  `--allow-read=${file},${storeModules}`,
  `--allow-write=${file}`,
];

/**
 * Runs `store_child.ts open <file>` with `permissions`, behind `prefix` (e.g. a command that
 * drops privileges), and returns what it printed.
 */
export async function openInChild(
  file: string,
  permissions: string[],
  prefix: string[] = [],
): Promise<OpenOutcome> {
  const command = [...prefix, Deno.execPath(), "run", ...permissions, childScript, "open", file];
  const output = await new Deno.Command(command[0], {
    args: command.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  if (!output.success || text === "") {
    throw new Error(`child failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return JSON.parse(text) as OpenOutcome;
}

/** Starts `store_child.ts kill <file>`, which waits to be killed after its three phases. */
export function startKillChild(file: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...onlyTheFile(file), childScript, "kill", file],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

/**
 * Runs `store_child.ts fill <file>` under a file-size limit of `limitKiB` (`ulimit -f`), with a
 * Deno cache folder of its own (`denoDir`): Deno's shared caches are larger than such a limit,
 * and Deno writing to one would meet the limit before the store does.
 */
export async function fillInChild(
  file: string,
  limitKiB: number,
  denoDir: string,
): Promise<{ readonly status: Deno.CommandStatus; readonly stdout: string }> {
  const output = await new Deno.Command("sh", {
    args: [
      "-c",
      `ulimit -f ${limitKiB}; exec "$0" "$@"`,
      Deno.execPath(),
      "run",
      ...onlyTheFile(file),
      childScript,
      "fill",
      file,
    ],
    env: { DENO_DIR: denoDir },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const { success, code, signal } = output;
  return {
    status: { success, code, signal },
    stdout: new TextDecoder().decode(output.stdout).trim(),
  };
}
