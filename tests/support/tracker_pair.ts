/**
 * Two tracker processes for the failover tests (a peer given both with `--tracker` twice), and a
 * scratch folder with one empty folder per peer, stopped and removed together.
 *
 * @module
 */

import { join } from "node:path";
import { TrackerProcess } from "./programs.ts";

/** What {@linkcode TrackerPair.start} starts. */
export interface TrackerPairOptions {
  /** Arguments of both trackers (`--store memory`, `--redis URL`). */
  readonly args: readonly string[];
  /** Names of the peers' folders made in the scratch folder, in order. */
  readonly folders: readonly string[];
  /** The scratch folder's name prefix. */
  readonly prefix: string;
}

/** Two trackers with the default test credentials, and the peers' folders. */
export class TrackerPair {
  private constructor(
    readonly first: TrackerProcess,
    readonly second: TrackerProcess,
    readonly root: string,
    /** The peers' folders, in the order of `folders`. */
    readonly dirs: readonly string[],
  ) {}

  static async start(options: TrackerPairOptions): Promise<TrackerPair> {
    const first = await TrackerProcess.start(undefined, options.args);
    let second: TrackerProcess | undefined;
    try {
      second = await TrackerProcess.start(undefined, options.args);
      const root = await Deno.makeTempDir({ prefix: options.prefix });
      const dirs = options.folders.map((name) => join(root, name));
      for (const dir of dirs) await Deno.mkdir(dir);
      return new TrackerPair(first, second, root, dirs);
    } catch (error) {
      await second?.stop();
      await first.stop();
      throw error;
    }
  }

  /** Stops both trackers (one already killed is fine) and removes the scratch folder. */
  async stop(): Promise<void> {
    await this.first.stop();
    await this.second.stop();
    await Deno.remove(this.root, { recursive: true });
  }
}
