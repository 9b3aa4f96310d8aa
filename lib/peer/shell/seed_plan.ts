/**
 * What a seeding peer must do to make its publications match its share folder: publish what is
 * new or changed since it was published, withdraw what is gone. Pure: the folder listing and the
 * publications are passed in.
 *
 * @module
 */

import { planReconcile } from "../share/mod.ts";

/** What identifies one state of a file without reading it: changed size or time, changed file. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

/** The folder as listed now, and what this peer knows it published. */
export interface SeedState {
  /** Shareable files in the folder now, by name. */
  readonly files: ReadonlyMap<string, FileStamp>;
  /** The names this user publishes (the tracker's list, kept up to date). */
  readonly published: ReadonlySet<string>;
  /** The stamp of each file when this peer last published it. */
  readonly publishedStamps: ReadonlyMap<string, FileStamp>;
}

/** The commands that bring the publications in line with the folder. */
export interface SeedPlan {
  readonly publish: readonly string[];
  readonly withdraw: readonly string[];
}

/**
 * Publish every file not published from this folder in its present state; withdraw every
 * publication with no file. Names are sorted, so the log reads the same on every run.
 *
 * @example
 * ```ts
 * import { planSeed } from "./seed_plan.ts";
 * const plan = planSeed({
 *   files: new Map([["new.txt", { size: 1, mtimeMs: 5 }]]),
 *   published: new Set(["gone.txt"]),
 *   publishedStamps: new Map(),
 * });
 * console.assert(plan.publish[0] === "new.txt" && plan.withdraw[0] === "gone.txt");
 * ```
 */
export function planSeed(state: SeedState): SeedPlan {
  // The same plan as a session's (`../share/reconcile_plan.ts`), with every file of the folder
  // to be published and only stamps to compare.
  const plan = planReconcile({
    files: state.files,
    published: state.published,
    versions: state.publishedStamps,
    publishNew: true,
  });
  return {
    publish: [...plan.publish, ...plan.republish, ...plan.refresh].sort(),
    withdraw: plan.withdraw,
  };
}
