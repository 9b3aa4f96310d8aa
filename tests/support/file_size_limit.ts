/**
 * Running a piece of the program under a file-size limit, the way a test makes a write fail
 * part-way as a full disk would, without a full disk.
 *
 * @module
 */

import { projectRoot } from "./programs.ts";

/**
 * Runs `script` with `deno eval` under `ulimit -f blocks` (512-byte blocks) and SIGXFSZ ignored,
 * so a write past the limit fails with an error instead of killing the process; returns what it
 * printed on standard output.
 */
export async function evalWithFileSizeLimit(script: string, blocks: number): Promise<string> {
  const output = await new Deno.Command("sh", {
    args: [
      "-c",
      `trap '' XFSZ; ulimit -f ${blocks}; exec "$0" "$@"`,
      Deno.execPath(),
      "eval",
      script,
    ],
    cwd: projectRoot,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(output.stdout);
}
