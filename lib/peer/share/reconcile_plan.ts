/**
 * What it takes to make a user's publications tell the truth about the share folder: withdraw a
 * publication whose file is gone, publish again one whose file changed (v2 publishes a digest, so
 * a stale one sends every downloader away with `changed`), and — for a seeding peer — publish
 * what is new. Pure: the folder listing, the tracker's list and what this peer last published are
 * passed in; the caller stats, hashes and talks to the tracker.
 *
 * @module
 */

/** A file in the share folder as listed now: its stamp, and its digest once hashed. */
export interface FolderFile {
  readonly size: number;
  readonly mtimeMs: number;
  /** SHA-256 of this version, when the caller has hashed it (see {@linkcode ReconcilePlan.hash}). */
  readonly sha256?: string;
}

/**
 * What this peer last published under a name: the stamp of the file it published, and its
 * digest when it sent one (v2). Without a digest, a changed stamp alone means a changed file.
 */
export interface PublishedVersion {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256?: string;
}

/** The three views that must agree. */
export interface ReconcileState {
  /** Shareable regular files in the share folder now, by name. */
  readonly files: ReadonlyMap<string, FolderFile>;
  /** The names the tracker lists for this user. */
  readonly published: ReadonlySet<string>;
  /** What this peer knows it published, by name (names it never published itself are absent). */
  readonly versions: ReadonlyMap<string, PublishedVersion>;
  /** Publish files of the folder that are not published yet (`seed` mode); off by default. */
  readonly publishNew?: boolean;
}

/** What to do, each list sorted so messages and logs read the same on every run. */
export interface ReconcilePlan {
  /** Published, but no longer a file in the folder: withdraw. */
  readonly withdraw: readonly string[];
  /** In the folder, not published (only with `publishNew`): publish. */
  readonly publish: readonly string[];
  /** Published, and the file now differs from what was published: publish again. */
  readonly republish: readonly string[];
  /**
   * Published, but not by this peer as far as it knows (an earlier run, another folder): publish
   * again with what the file is now, as the tracker's size and digest cannot be asked for.
   */
  readonly refresh: readonly string[];
  /** The stamp changed and no digest was given: hash these, then plan again with the digests. */
  readonly hash: readonly string[];
  /** The stamp changed but the content did not (a `touch`): remember the new stamp, nothing else. */
  readonly restamp: readonly string[];
}

/**
 * Plans the commands that bring the publications in line with the folder.
 *
 * @example
 * ```ts
 * import { planReconcile } from "./reconcile_plan.ts";
 * const plan = planReconcile({
 *   files: new Map([["kept.txt", { size: 4, mtimeMs: 9 }]]),
 *   published: new Set(["kept.txt", "gone.txt"]),
 *   versions: new Map([["kept.txt", { size: 3, mtimeMs: 5, sha256: "ab" }]]),
 * });
 * console.assert(plan.withdraw[0] === "gone.txt" && plan.hash[0] === "kept.txt");
 * ```
 */
export function planReconcile(state: ReconcileState): ReconcilePlan {
  const withdraw: string[] = [];
  const publish: string[] = [];
  const republish: string[] = [];
  const refresh: string[] = [];
  const hash: string[] = [];
  const restamp: string[] = [];
  for (const name of state.published) {
    if (!state.files.has(name)) withdraw.push(name);
  }
  for (const [name, file] of state.files) {
    if (!state.published.has(name)) {
      if (state.publishNew) publish.push(name);
      continue;
    }
    const version = state.versions.get(name);
    if (version === undefined) refresh.push(name);
    else if (version.size === file.size && version.mtimeMs === file.mtimeMs) continue;
    else if (version.sha256 === undefined) republish.push(name);
    else if (file.sha256 === undefined) hash.push(name);
    else if (file.sha256 === version.sha256) restamp.push(name);
    else republish.push(name);
  }
  return {
    withdraw: withdraw.sort(),
    publish: publish.sort(),
    republish: republish.sort(),
    refresh: refresh.sort(),
    hash: hash.sort(),
    restamp: restamp.sort(),
  };
}

/**
 * The one line a peer says after withdrawing `names` at login, or `undefined` for none.
 *
 * @example
 * ```ts
 * import { withdrawalLine } from "./reconcile_plan.ts";
 * console.assert(
 *   withdrawalLine(["a.txt", "b.txt"], "/s") ===
 *     "Withdrew 2 publications no longer in /s: a.txt, b.txt",
 * );
 * ```
 */
export function withdrawalLine(names: readonly string[], dir: string): string | undefined {
  if (names.length === 0) return undefined;
  const count = names.length === 1 ? "1 publication" : `${names.length} publications`;
  return `Withdrew ${count} no longer in ${dir}: ${names.join(", ")}`;
}
