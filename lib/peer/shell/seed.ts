/**
 * `seed`: stay online, publish the share folder and follow it — a new or changed file is
 * published (with its new digest), a deleted one withdrawn — until a stop signal, which is the
 * normal way out (exit 0). Every event is one line on standard error, for a service's journal;
 * standard output stays empty.
 *
 * @module
 */

import { fileErrorText } from "../../util/mod.ts";
import { followFolder, listShareFolder } from "../share/mod.ts";
import { outcomeLines } from "./outcome.ts";
import { runCommand } from "./run_command.ts";
import { type FileStamp, planSeed } from "./seed_plan.ts";
import { ExitCode, type LoggedIn } from "./session_parts.ts";

/** Runs the seeding loop until the session's stop signal; resolves with the exit status. */
export async function runSeed(parts: LoggedIn): Promise<number> {
  const { terminal, signal, dir } = parts.options;
  const log = (line: string) => terminal.error(`peersync-peer: seed: ${line}`);
  const publishedStamps = new Map<string, FileStamp>();

  const reconcile = async () => {
    const files = await listShareFolder(dir);
    const plan = planSeed({ files, published: parts.published, publishedStamps });
    for (const file of plan.withdraw) {
      const outcome = await runCommand(parts, { kind: "unp", file }, { notice: log });
      publishedStamps.delete(file);
      log(outcome.ok ? `withdrew ${file} (no longer in ${dir})` : outcomeLines(outcome).join(" "));
    }
    for (const file of plan.publish) {
      const outcome = await runCommand(parts, { kind: "pub", file }, { notice: log });
      if (outcome.ok) {
        const again = publishedStamps.has(file);
        const stamp = files.get(file);
        if (stamp !== undefined) publishedStamps.set(file, stamp);
        log(again ? `republished ${file} (changed)` : `published ${file}`);
      } else {
        log(outcomeLines(outcome).join(" "));
      }
    }
  };

  let exitCode: number = ExitCode.ok;
  try {
    await reconcile();
    const count = parts.published.size;
    log(
      `serving ${count} ${count === 1 ? "file" : "files"} from ${dir}; ` +
        "following it until SIGTERM or SIGINT",
    );
    await followFolder({ dir, signal, onChange: reconcile });
  } catch (error) {
    // A stop signal in the middle of a publication: still the normal way out.
    if (signal.aborted) {
      // Stopped.
    } else if (
      error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory
    ) {
      // The folder was deleted, renamed or unmounted: nothing left to serve. Said, and the
      // publications withdrawn by the logout, rather than a bare error from the file system.
      log(`the share folder ${dir} is gone (deleted, renamed or unmounted)`);
      exitCode = ExitCode.failure;
    } else if (error instanceof Deno.errors.PermissionDenied) {
      log(`cannot read the share folder ${dir}: ${fileErrorText(error)}`);
      exitCode = ExitCode.failure;
    } else {
      throw error;
    }
  }
  log("stopping");
  await parts.link.logout();
  return exitCode;
}
