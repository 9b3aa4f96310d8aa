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

/** Refused publications named one by one in a pass; the rest are counted in one line. */
const REFUSALS_NAMED = 10;

const sameStamp = (a: FileStamp, b: FileStamp) => a.size === b.size && a.mtimeMs === b.mtimeMs;

/** Runs the seeding loop until the session's stop signal; resolves with the exit status. */
export async function runSeed(parts: LoggedIn): Promise<number> {
  const { terminal, signal, dir } = parts.options;
  const log = (line: string) => terminal.error(`peersync-peer: seed: ${line}`);
  const publishedStamps = new Map<string, FileStamp>();
  // Files the tracker refused, as they were then: not asked again until they change or a
  // withdrawal makes room (a folder over the tracker's per-user limit would otherwise send every
  // refused file again at each change in the folder, thousands of requests and log lines).
  const refusedStamps = new Map<string, FileStamp>();

  const reconcile = async () => {
    const files = await listShareFolder(dir);
    const plan = planSeed({ files, published: parts.published, publishedStamps });
    for (const file of plan.withdraw) {
      const outcome = await runCommand(parts, { kind: "unp", file }, { notice: log });
      publishedStamps.delete(file);
      log(outcome.ok ? `withdrew ${file} (no longer in ${dir})` : outcomeLines(outcome).join(" "));
    }
    if (plan.withdraw.length > 0) refusedStamps.clear();
    for (const file of refusedStamps.keys()) if (!files.has(file)) refusedStamps.delete(file);
    let refusedNow = 0;
    for (const file of plan.publish) {
      const stamp = files.get(file);
      const refused = refusedStamps.get(file);
      if (refused !== undefined && stamp !== undefined && sameStamp(refused, stamp)) continue;
      const outcome = await runCommand(parts, { kind: "pub", file }, { notice: log });
      if (outcome.ok) {
        refusedStamps.delete(file);
        const again = publishedStamps.has(file);
        if (stamp !== undefined) publishedStamps.set(file, stamp);
        log(again ? `republished ${file} (changed)` : `published ${file}`);
      } else {
        if (stamp !== undefined) refusedStamps.set(file, stamp);
        if (++refusedNow <= REFUSALS_NAMED) {
          log(`could not publish ${file}: ${outcomeLines(outcome).join(" ")}`);
        }
      }
    }
    if (refusedNow > REFUSALS_NAMED) {
      log(
        `…and ${refusedNow - REFUSALS_NAMED} more files refused the same way; they are asked ` +
          "again when they change or a file is withdrawn",
      );
    }
  };

  let exitCode: number = ExitCode.ok;
  try {
    const firstLook = async () => {
      await reconcile();
      const count = parts.published.size;
      const refused = refusedStamps.size;
      log(
        `serving ${count} ${count === 1 ? "file" : "files"} from ${dir}` +
          (refused > 0 ? ` (${refused} refused by the tracker)` : "") +
          "; following it until SIGTERM or SIGINT",
      );
    };
    // Watched from before the first look, so a file added meanwhile is not missed.
    await followFolder({ dir, signal, onChange: reconcile, initial: firstLook });
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
