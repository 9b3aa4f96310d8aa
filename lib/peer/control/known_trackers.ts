/**
 * The trackers this peer has heard speak v2, remembered in its state folder so that it never falls
 * back to v1 (whose login sends the password in clear) for them again: one forged `ERR` cannot
 * downgrade a tracker that is known to speak v2. The file, `trackers.json`:
 *
 * ```
 * {"version":1,"v2":["127.0.0.1:9000","[::1]:9000"]}
 * ```
 *
 * Each entry is the tracker's resolved IP literal (IPv6 in brackets) and port, newest last, at
 * most {@linkcode MAX_KNOWN_TRACKERS}. Reading trusts nothing: a missing, corrupt or foreign file
 * is an empty record (and replaced at the next save); writing is atomic (temp file, then rename).
 *
 * @module
 */

import { join } from "node:path";
import { encodeHex, hostPort } from "../../protocol/mod.ts";
import { errorText, removeQuietly } from "../../util/mod.ts";

/** The file's name in the state folder. */
export const KNOWN_TRACKERS_FILE = "trackers.json";
/** Trackers remembered; the oldest is forgotten past this. */
export const MAX_KNOWN_TRACKERS = 1000;
/** A larger file is not read (1000 entries of at most 48 bytes fit easily). */
const MAX_FILE_BYTES = 256 * 1024;

/** The key of a tracker: `ip:port`, `[ipv6]:port`. */
export function trackerKey(ip: string, port: number): string {
  return hostPort(ip, port);
}

/**
 * The entries of a `trackers.json` text; an empty list for anything that is not one. Pure.
 *
 * @example
 * ```ts
 * import { parseKnownTrackers } from "./known_trackers.ts";
 * console.assert(parseKnownTrackers('{"version":1,"v2":["127.0.0.1:9000"]}')[0] === "127.0.0.1:9000");
 * console.assert(parseKnownTrackers("{oops").length === 0);
 * ```
 */
export function parseKnownTrackers(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof value !== "object" || value === null) return [];
  const record = value as { version?: unknown; v2?: unknown };
  if (record.version !== 1 || !Array.isArray(record.v2)) return [];
  const entries = record.v2.filter((entry): entry is string =>
    typeof entry === "string" && entry.length <= 64 &&
    /^(\[[0-9a-f:.]+\]|[0-9.]+):\d{1,5}$/.test(entry)
  );
  return [...new Set(entries)].slice(-MAX_KNOWN_TRACKERS);
}

/** The file's text for `entries` (newest last), bounded. Pure. */
export function formatKnownTrackers(entries: readonly string[]): string {
  return JSON.stringify({ version: 1, v2: entries.slice(-MAX_KNOWN_TRACKERS) }) + "\n";
}

/**
 * The state folder: `$XDG_STATE_HOME/peersync`, else `$HOME/.local/state/peersync`, else
 * `undefined` (nothing to remember across runs).
 */
export function defaultStateDir(env: (name: string) => string | undefined): string | undefined {
  const xdg = env("XDG_STATE_HOME");
  if (xdg !== undefined && xdg.startsWith("/")) return join(xdg, "peersync");
  const home = env("HOME");
  return home !== undefined && home.length > 0
    ? join(home, ".local", "state", "peersync")
    : undefined;
}

/** The entries of the state folder `dir`'s file; none when it is missing, bad or not a file. */
async function readRecord(dir: string): Promise<string[]> {
  try {
    const path = join(dir, KNOWN_TRACKERS_FILE);
    const info = await Deno.lstat(path);
    if (info.isFile && info.size <= MAX_FILE_BYTES) {
      return parseKnownTrackers(await Deno.readTextFile(path));
    }
  } catch {
    // Missing or unreadable: nothing is known yet.
  }
  return [];
}

/** The record, in memory and (when it can be) in the state folder. */
export class KnownTrackers {
  readonly #entries: string[];
  readonly #dir: string | undefined;
  readonly #warn: (line: string) => void;
  #warned = false;

  private constructor(dir: string | undefined, entries: string[], warn: (line: string) => void) {
    this.#dir = dir;
    this.#entries = entries;
    this.#warn = warn;
  }

  /** An in-memory record only (tests, or no state folder). */
  static inMemory(): KnownTrackers {
    return new KnownTrackers(undefined, [], () => {});
  }

  /** Reads the record of `dir` (a missing or bad file is an empty record). */
  static async open(
    dir: string | undefined,
    warn: (line: string) => void,
  ): Promise<KnownTrackers> {
    if (dir === undefined) return new KnownTrackers(undefined, [], warn);
    return new KnownTrackers(dir, await readRecord(dir), warn);
  }

  /** The file the record lives in, if any. */
  get path(): string | undefined {
    return this.#dir === undefined ? undefined : join(this.#dir, KNOWN_TRACKERS_FILE);
  }

  /** Whether `key` ({@linkcode trackerKey}) is known to speak v2. */
  has(key: string): boolean {
    return this.#entries.includes(key);
  }

  /** Remembers that `key` speaks v2 (newest last) and saves, saying once if it cannot. */
  async remember(key: string): Promise<void> {
    const known = this.#entries.indexOf(key);
    if (known === this.#entries.length - 1 && known >= 0) return;
    if (known >= 0) this.#entries.splice(known, 1);
    this.#entries.push(key);
    if (this.#entries.length > MAX_KNOWN_TRACKERS) this.#entries.shift();
    if (this.#dir === undefined) return;
    try {
      await this.#save(this.#dir);
    } catch (error) {
      if (this.#warned) return;
      this.#warned = true;
      this.#warn(
        `peersync-peer: cannot save the trackers known to speak v2 in ${this.#dir} ` +
          `(${errorText(error)}); remembering them until this peer stops`,
      );
    }
  }

  async #save(dir: string): Promise<void> {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    // Another peer on this state folder (a seed beside a session) may have remembered trackers
    // since this one read the file: they are kept, older than ours, or a save here would drop
    // them and with them their no-downgrade rule.
    const ours = new Set(this.#entries);
    const theirs = (await readRecord(dir)).filter((key) => !ours.has(key));
    this.#entries.unshift(...theirs);
    if (this.#entries.length > MAX_KNOWN_TRACKERS) {
      this.#entries.splice(0, this.#entries.length - MAX_KNOWN_TRACKERS);
    }
    const suffix = encodeHex(crypto.getRandomValues(new Uint8Array(8)));
    const temp = join(dir, `${KNOWN_TRACKERS_FILE}.${suffix}.tmp`);
    try {
      await Deno.writeTextFile(temp, formatKnownTrackers(this.#entries), {
        createNew: true,
        mode: 0o600,
      });
      await Deno.rename(temp, join(dir, KNOWN_TRACKERS_FILE));
    } catch (error) {
      await removeQuietly(temp);
      throw error;
    }
  }
}
