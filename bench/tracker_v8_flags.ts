/**
 * The V8 flags the tracker is launched with: those of `deno task tracker` in deno.json (the one
 * place they are written; `scripts/compile.sh` passes the same to `deno compile`, which a test
 * checks). The memory bench measures with and without them.
 *
 * @module
 */

import { projectRoot } from "../tests/support/programs.ts";

/** The flags of the `--v8-flags=` word of a task's command line (none when it has none). */
export function v8FlagsOf(command: string): string[] {
  const word = command.split(/\s+/).find((w) => w.startsWith("--v8-flags="));
  return word === undefined ? [] : word.slice("--v8-flags=".length).split(",").filter(Boolean);
}

/** The V8 flags of `deno task tracker`, read from the project's deno.json. */
export function trackerV8Flags(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${projectRoot}deno.json`));
  return v8FlagsOf(config.tasks.tracker as string);
}
