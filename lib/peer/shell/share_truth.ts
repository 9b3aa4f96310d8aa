/**
 * Keeping an interactive session's publications true to its share folder: at login, withdraw
 * what the folder no longer has (said in one line); then, while the session lasts, follow the
 * folder (events and a timer) and publish again what was edited (v2: with its new digest, so
 * downloads stop failing with `changed`), and when the uploader says a request found a published
 * file gone or changed, look at once and withdraw what is gone. The plan is `../share/reconcile_plan.ts`; this carries it out.
 *
 * @module
 */

import { errorText } from "../../util/mod.ts";
import {
  DigestError,
  fileDigest,
  type FolderFile,
  followFolder,
  listShareFolder,
  planReconcile,
  type PublishedVersion,
  withdrawalLine,
} from "../share/mod.ts";
import { outcomeLines } from "./outcome.ts";
import { runCommand } from "./run_command.ts";
import type { LoggedIn } from "./session_parts.ts";
import { showName } from "./words.ts";

/** How often the published files are looked at without any event (a missed change is found). */
export const SHARE_CHECK_INTERVAL_MS = 30_000;
/** The least time between two checks asked for by the uploader (a stranger can ask often). */
const MIN_STALE_CHECK_GAP_MS = 1_000;

/** `unp` each name; returns those the tracker no longer lists. */
async function withdraw(
  parts: LoggedIn,
  names: readonly string[],
  signal?: AbortSignal,
): Promise<string[]> {
  const gone: string[] = [];
  for (const file of names) {
    if (signal?.aborted) break;
    const outcome = await runCommand(parts, { kind: "unp", file }, { notice: parts.notify });
    // `File unpublication failed`: the tracker had already dropped it, which is what we wanted.
    if (outcome.ok || outcome.error === "unpublishFailed") gone.push(file);
    else parts.notify(`peersync-peer: could not withdraw ${showName(file)}: ${outcome.message}`);
  }
  return gone;
}

/**
 * At login: withdraws every publication of this user that is not a shareable regular file of
 * the share folder (published from another folder, deleted, renamed while offline), and says
 * which in one line. v1 and v2 alike: only names are compared.
 */
export async function reconcileAtLogin(parts: LoggedIn): Promise<void> {
  const { dir } = parts.options;
  const files = await listShareFolder(dir, [...parts.published]);
  const plan = planReconcile({ files, published: parts.published, versions: new Map() });
  const line = withdrawalLine(await withdraw(parts, plan.withdraw), dir);
  if (line !== undefined) parts.notify(line);
}

/** The digests of `names`, added to their stamps; a file that cannot be hashed is left out. */
async function withDigests(
  parts: LoggedIn,
  files: Map<string, FolderFile>,
  names: readonly string[],
): Promise<Map<string, FolderFile>> {
  const hashed = new Map(files);
  for (const name of names) {
    try {
      const digest = await fileDigest(parts.options.dir, name, parts.digests);
      hashed.set(name, digest);
    } catch (error) {
      if (!(error instanceof DigestError)) throw error;
      hashed.delete(name);
    }
  }
  return hashed;
}

/**
 * One look at the published files: carry out what the plan says. Files gone from the folder are
 * withdrawn only when `withdrawGone` (a downloader found one gone): a file that is away for a
 * moment (saved by rename, moved out and back, replaced by a sync tool) stays published.
 */
async function keepInStep(
  parts: LoggedIn,
  versions: Map<string, PublishedVersion>,
  withdrawGone: boolean,
  signal: AbortSignal,
) {
  const { dir } = parts.options;
  const published = new Set(parts.published);
  let files = await listShareFolder(dir, published);
  let plan = planReconcile({ files, published, versions });
  if (plan.hash.length > 0) {
    files = await withDigests(parts, files, plan.hash);
    plan = planReconcile({ files, published, versions });
  }
  for (const file of withdrawGone ? await withdraw(parts, plan.withdraw, signal) : []) {
    parts.notify(`Withdrew ${showName(file)}: no longer in ${dir}`);
  }
  // v1 publications carry no size or digest: an edited file needs nothing from the tracker.
  if (parts.link.version === 1) return;
  for (const file of plan.restamp) {
    const now = files.get(file);
    const before = versions.get(file);
    if (now !== undefined && before?.sha256 !== undefined) {
      versions.set(file, { size: now.size, mtimeMs: now.mtimeMs, sha256: before.sha256 });
    }
  }
  for (const file of [...plan.republish, ...plan.refresh]) {
    // Logging out: a publication now would go to a closed session, or log in again.
    if (signal.aborted) return;
    // Withdrawn by the user since the plan was made (hashing takes a while): it stays withdrawn.
    if (!parts.published.has(file)) continue;
    const changed = plan.republish.includes(file);
    const outcome = await runCommand(parts, { kind: "pub", file }, { notice: parts.notify });
    if (!outcome.ok) {
      parts.notify(
        `peersync-peer: could not publish ${showName(file)} again: ${outcomeLines(outcome)[0]}`,
      );
    } else if (changed) {
      const sha256 = outcome.data.sha256;
      parts.notify(
        `Published ${showName(file)} again: it changed on disk${
          typeof sha256 === "string" ? ` (new SHA-256 ${sha256.slice(0, 12)}…)` : ""
        }`,
      );
    }
  }
}

/** A running {@linkcode keepSharesTrue}. */
export interface ShareKeeper {
  /** Asks for a look soon (the uploader found a published file gone or changed). */
  check(): void;
}

/**
 * Follows the share folder until `signal`, keeping the publications true to it (see the
 * module). The first look also publishes again, with what they are now, the files published by
 * an earlier run, so the tracker holds their present digests. Never throws: a failed look is one
 * line on standard error, and the next look tries again.
 */
export function keepSharesTrue(parts: LoggedIn, signal: AbortSignal): ShareKeeper {
  const versions = parts.versions ?? new Map<string, PublishedVersion>();
  let running: Promise<void> | undefined;
  let again = false;
  let staleAsked = false;
  let lastStart = 0;
  const look = (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        lastStart = Date.now();
        const withdrawGone = staleAsked;
        staleAsked = false;
        try {
          await keepInStep(parts, versions, withdrawGone, signal);
        } catch (error) {
          if (signal.aborted) return;
          parts.notify(`peersync-peer: could not check the share folder: ${errorText(error)}`);
        }
      } while (again && !signal.aborted);
    })().finally(() => running = undefined);
    return running;
  };
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  signal.addEventListener("abort", () => clearTimeout(staleTimer), { once: true });
  followFolder({
    dir: parts.options.dir,
    signal,
    onChange: look,
    intervalMs: SHARE_CHECK_INTERVAL_MS,
  }).catch((error) => {
    parts.notify(`peersync-peer: stopped following ${parts.options.dir}: ${errorText(error)}`);
  });
  void look();
  return {
    check() {
      if (signal.aborted || staleTimer !== undefined) return;
      const wait = Math.max(0, lastStart + MIN_STALE_CHECK_GAP_MS - Date.now());
      staleTimer = setTimeout(() => {
        staleTimer = undefined;
        staleAsked = true;
        void look();
      }, wait);
    },
  };
}
