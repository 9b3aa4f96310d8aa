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

/**
 * The V8 flags a bench runs a tracker with, space-separated as `DENO_V8_FLAGS` takes them:
 * `given` (a bench's `--v8-flags`), none for `"default"` (V8's own), else those of `deno task
 * tracker`, so the figures are the ones an operator gets. `undefined` means none.
 */
export function benchV8Flags(given: string | undefined): string | undefined {
  if (given === "default") return undefined;
  return given ?? (trackerV8Flags().join(" ") || undefined);
}

/**
 * The environment that runs a child Deno with `flags` (from {@linkcode benchV8Flags}): none for
 * none, since an empty `DENO_V8_FLAGS` stops Deno from starting.
 */
export function v8FlagsEnv(flags: string | undefined): Record<string, string> | undefined {
  return flags === undefined ? undefined : { DENO_V8_FLAGS: flags };
}

/** How a bench names the flags it ran with. */
export function describeV8Flags(flags: string | undefined): string {
  return flags ?? "V8's defaults";
}
