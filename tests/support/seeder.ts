/**
 * A seeding peer for end-to-end tests: alice, logged in with `--stay`, publishing files from her
 * folder through standard input and then staying online to serve them.
 *
 * @module
 */

import { Program } from "./programs.ts";

/** What {@linkcode startSeeder} starts. */
export interface SeederOptions {
  /** Alice's share folder. */
  readonly dir: string;
  readonly trackerPort: number;
  /** `--upload-limit`: slow enough that a test has time to look at a download. */
  readonly uploadLimit: string;
  /** The files in `dir` she publishes. */
  readonly publish: readonly string[];
}

/**
 * Starts alice, publishes `publish` and waits until she says she stays online. The caller stops
 * the program; if she never gets there, she is stopped here and the error thrown.
 */
export async function startSeeder(options: SeederOptions): Promise<Program> {
  const seeder = new Program("peer.ts", [
    "-d",
    options.dir,
    "-u",
    "alice",
    "--stay",
    "--upload-limit",
    options.uploadLimit,
    String(options.trackerPort),
  ], { env: { PEERSYNC_PASSWORD: "alice-pw" } });
  try {
    for (const name of options.publish) await seeder.type(`pub ${name}`);
    await seeder.closeStdin();
    await seeder.stderr.waitFor("staying online", 20_000);
    return seeder;
  } catch (error) {
    await seeder.stop();
    throw error;
  }
}
