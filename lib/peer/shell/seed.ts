/**
 * `seed`: stay online, publish the share folder and follow it — a new or changed file is
 * published (with its new digest), a deleted one withdrawn — until a stop signal, which is the
 * normal way out (exit 0). Every event is one line on standard error, for a service's journal;
 * standard output stays empty.
 *
 * @module
 */

import { join } from "node:path";
import { delay } from "../../util/mod.ts";
import { resolveSharedFile } from "../share/mod.ts";
import { outcomeLines } from "./outcome.ts";
import { runCommand } from "./run_command.ts";
import { type FileStamp, planSeed } from "./seed_plan.ts";
import { ExitCode, type LoggedIn } from "./session_parts.ts";

/** How long the folder must be quiet before it is listed again: a copy in progress settles. */
const SETTLE_MS = 300;

/** The shareable files in `dir` now, with their stamps. */
async function listFolder(dir: string): Promise<Map<string, FileStamp>> {
  const files = new Map<string, FileStamp>();
  for await (const entry of Deno.readDir(dir)) {
    const shared = await resolveSharedFile(dir, entry.name);
    if (!shared.ok) continue;
    try {
      const info = await Deno.stat(join(dir, entry.name));
      files.set(entry.name, { size: info.size, mtimeMs: info.mtime?.getTime() ?? 0 });
    } catch {
      // Gone between the listing and the stat: the next listing will not have it either.
    }
  }
  return files;
}

/** Runs the seeding loop until the session's stop signal; resolves with the exit status. */
export async function runSeed(parts: LoggedIn): Promise<number> {
  const { terminal, signal, dir } = parts.options;
  const log = (line: string) => terminal.error(`peersync-peer: seed: ${line}`);
  const publishedStamps = new Map<string, FileStamp>();

  const reconcile = async () => {
    const files = await listFolder(dir);
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

  const watcher = Deno.watchFs(dir, { recursive: false });
  const events = watcher[Symbol.asyncIterator]();
  const stopped = new Promise<"stop">((resolve) => {
    if (signal.aborted) resolve("stop");
    signal.addEventListener("abort", () => resolve("stop"), { once: true });
  });
  try {
    await reconcile();
    log(
      `serving ${parts.published.size} file(s) from ${dir}; following it until SIGTERM or SIGINT`,
    );
    for (;;) {
      const next = await Promise.race([events.next(), stopped]);
      if (next === "stop" || next.done) break;
      // Let a burst of events (a copy, an editor's save) settle, then look once.
      await delay(SETTLE_MS, { signal });
      await reconcile();
    }
  } catch (error) {
    // A stop signal in the middle of a publication: still the normal way out.
    if (!signal.aborted) throw error;
  } finally {
    watcher.close();
  }
  log("stopping");
  await parts.link.logout();
  return ExitCode.ok;
}
