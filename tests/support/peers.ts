/**
 * Real peer processes for end-to-end tests, driven through standard input like a user would.
 *
 * @module
 */

import { Program } from "./programs.ts";

/** A peer subprocess with its own share folder. */
export class PeerProcess {
  private constructor(readonly program: Program, readonly dir: string) {}

  /** Starts `peer.ts` against the tracker on `trackerPort`, sharing a fresh temp folder. */
  static async start(trackerPort: number, extraArgs: readonly string[] = []): Promise<PeerProcess> {
    const dir = await Deno.makeTempDir({ prefix: "peersync-peer-" });
    const program = new Program("peer.ts", ["--dir", dir, ...extraArgs, String(trackerPort)]);
    return new PeerProcess(program, dir);
  }

  /** Answers the login prompts and waits for the outcome text. */
  async login(
    user: string,
    password: string,
    expect: RegExp | string = "Welcome to PeerSync!",
  ): Promise<void> {
    // Standard input is a pipe: lines typed ahead wait there until the peer prompts for them.
    const from = this.program.stdout.text.length;
    await this.program.type(user);
    await this.program.type(password);
    await this.program.stdout.waitFor(expect, 10_000, from);
  }

  /**
   * Types a command and waits until `expected` appears in what follows it; returns that output.
   */
  async run(command: string, expected: RegExp | string, timeoutMs = 10_000): Promise<string> {
    const from = this.program.stdout.text.length;
    await this.program.type(command);
    await this.program.stdout.waitFor(expected, timeoutMs, from);
    return this.program.stdout.text.slice(from);
  }

  /** Stops the peer (if running) and removes its folder. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus> {
    const status = await this.program.stop(signal);
    await Deno.remove(this.dir, { recursive: true });
    return status;
  }
}

/** Writes `size` random bytes to `path` and returns them. */
export async function writeRandomFile(path: string, size: number): Promise<Uint8Array> {
  const data = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536) {
    crypto.getRandomValues(data.subarray(offset, Math.min(size, offset + 65536)));
  }
  await Deno.writeFile(path, data);
  return data;
}

/** Whether two byte arrays are equal (fast path for large files). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
