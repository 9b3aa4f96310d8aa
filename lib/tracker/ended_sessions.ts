/**
 * Sessions that just ended with `BYE`, remembered for a few seconds by token, so that a repeated
 * `BYE` (our peer sends copies until one is answered, as one may be lost; or retransmits one whose
 * `OK` was lost) is
 * answered `OK` again and logged as a repeat rather than met with `gone` like a stranger's token.
 * Pure and bounded: time is injected, the oldest entries are forgotten past the cap.
 *
 * @module
 */

import { ENDED_SESSION_MEMORY_MS, MAX_ENDED_SESSIONS } from "./defaults.ts";
import { BoundedMap } from "./guard.ts";
import type { Session } from "./state.ts";

/**
 * Recently ended v2 sessions by token.
 *
 * @example
 * ```ts
 * import { EndedSessions } from "./ended_sessions.ts";
 * let clock = 0;
 * const ended = new EndedSessions({ now: () => clock });
 * const session = { user: "alice", address: { hostname: "127.0.0.1", port: 9 }, version: 2 as const,
 *   token: "ab".repeat(16), timeoutMs: 3000, lastSeen: 0 };
 * ended.remember(session);
 * console.assert(ended.find("ab".repeat(16)) === session);
 * clock = 60_000;
 * console.assert(ended.find("ab".repeat(16)) === undefined);
 * ```
 */
export class EndedSessions {
  readonly #now: () => number;
  readonly #memoryMs: number;
  readonly #byToken: BoundedMap<string, { readonly session: Session; readonly until: number }>;

  constructor(options: { now: () => number; memoryMs?: number; capacity?: number }) {
    this.#now = options.now;
    this.#memoryMs = options.memoryMs ?? ENDED_SESSION_MEMORY_MS;
    this.#byToken = new BoundedMap(options.capacity ?? MAX_ENDED_SESSIONS);
  }

  /** Remembers a session that has just ended (it must have a token). */
  remember(session: Session): void {
    if (session.token === undefined) return;
    this.#byToken.set(session.token, { session, until: this.#now() + this.#memoryMs });
  }

  /** The session that ended with this token within the memory, if any. */
  find(token: string): Session | undefined {
    const entry = this.#byToken.get(token);
    if (entry === undefined) return undefined;
    if (this.#now() > entry.until) {
      this.#byToken.delete(token);
      return undefined;
    }
    return entry.session;
  }
}
