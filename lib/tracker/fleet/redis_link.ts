/**
 * The tracker's connection to Redis (`--redis redis://host:port`): one client for commands and
 * one for pub/sub, both failing fast at start (a Redis that cannot be reached then is a failure
 * to start, not a wait) and reconnecting by themselves later. While the connection is down,
 * commands fail at once instead of queueing (so the write-behind queue keeps the changes and
 * retries), and the owner hears once that Redis was lost and once that it is back.
 *
 * @module
 */

import { createClient } from "@redis/client";
import { errorText } from "../../util/mod.ts";

/** A connected `@redis/client` client. */
export type RedisClient = ReturnType<typeof makeClient>;

// At start, the first failure is final; later, retry with a growing delay.
function makeClient(url: string, started: { readonly value: boolean }) {
  return createClient({
    url,
    // A command sent while the connection is down fails at once: the caller keeps it.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number, cause: Error) =>
        started.value ? Math.min(50 * 2 ** retries, RECONNECT_MAX_MS) : cause,
    },
  });
}

/** Redis could not be reached or refused the connection at start. */
export class RedisUnreachableError extends Error {
  constructor(readonly url: string, readonly problem: string) {
    super(`cannot reach Redis at ${url}: ${problem}`);
    this.name = "RedisUnreachableError";
  }
}

/** The `--redis` value is not a Redis URL. */
export class RedisUrlError extends Error {
  constructor(readonly url: string) {
    super(`invalid --redis "${url}": expected redis://host:port`);
    this.name = "RedisUrlError";
  }
}

/** Checks a `--redis` value; throws {@linkcode RedisUrlError}. */
export function checkRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUrlError(url);
  }
  if ((parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") || parsed.hostname === "") {
    throw new RedisUrlError(url);
  }
  return url;
}

/** What a {@linkcode RedisLink} tells its owner about the connection while running. */
export interface RedisLinkEvents {
  /** The connection dropped; `problem` says why. Once per outage. */
  readonly onLost?: (problem: string) => void;
  /** The connection is back after an outage. */
  readonly onBack?: () => void;
}

/** Longest wait between two reconnection attempts. */
export const RECONNECT_MAX_MS = 2_000;
/** Longest a first connection may take before the tracker refuses to start. */
export const CONNECT_TIMEOUT_MS = 3_000;

/**
 * Two connections to one Redis: `commands` and `subscriber` (a client in pub/sub mode can send
 * nothing else).
 *
 * @example
 * ```ts ignore
 * import { RedisLink } from "./redis_link.ts";
 * const link = await RedisLink.connect("redis://127.0.0.1:6379", {
 *   onLost: (problem) => console.error(`Redis lost: ${problem}`),
 * });
 * await link.commands.set("hello", "world");
 * await link.close();
 * ```
 */
export class RedisLink {
  #up = true;
  #closed = false;

  private constructor(
    readonly url: string,
    readonly commands: RedisClient,
    readonly subscriber: RedisClient,
    readonly events: RedisLinkEvents,
  ) {}

  /** Whether the command connection is up. */
  get up(): boolean {
    return this.#up;
  }

  /** Connects both clients; throws {@linkcode RedisUnreachableError}. */
  static async connect(url: string, events: RedisLinkEvents = {}): Promise<RedisLink> {
    const started = { value: false };
    const commands = makeClient(url, started);
    const subscriber = makeClient(url, started);
    // Listeners go on before `connect()`: under Deno, ones added after it were never called.
    // Until the link exists they only note the first error, for the refusal line.
    let firstError: unknown;
    const current: { link?: RedisLink } = {};
    commands.on("error", (error: unknown) => {
      firstError ??= error;
      if (current.link) current.link.#lostBecause(error);
    });
    subscriber.on("error", (error: unknown) => firstError ??= error);
    commands.on("reconnecting", () => {
      if (current.link) current.link.#lostBecause(undefined);
    });
    commands.on("ready", () => {
      if (current.link) current.link.#back();
    });
    try {
      await commands.connect();
      await subscriber.connect();
      await commands.ping();
    } catch (error) {
      commands.destroy();
      subscriber.destroy();
      throw new RedisUnreachableError(url, problemText(firstError ?? error));
    }
    started.value = true;
    current.link = new RedisLink(url, commands, subscriber, events);
    return current.link;
  }

  #lastProblem = "connection closed";

  #lostBecause(error: unknown): void {
    if (error !== undefined) this.#lastProblem = problemText(error);
    // An error while connected (a failed command) is not an outage; one while not ready is.
    if (!this.#up || this.#closed || (error !== undefined && this.commands.isReady)) return;
    this.#up = false;
    this.events.onLost?.(this.#lastProblem);
  }

  #back(): void {
    if (this.#up || this.#closed) return;
    this.#up = true;
    this.events.onBack?.();
  }

  /** Closes both connections (after pending replies when up; at once when down). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const client of [this.subscriber, this.commands]) {
      if (this.#up && client.isReady) {
        await client.close().catch(() => client.destroy());
      } else {
        client.destroy();
      }
    }
  }
}

function problemText(error: unknown): string {
  const text = errorText(error);
  return text.replace(/^Error: /, "");
}
