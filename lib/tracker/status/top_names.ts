/**
 * The names most users publish, for the status page. Finding them means walking every published
 * name (~40 ms per million here), so the walk is cut into slices of {@linkcode TOP_NAMES_SLICE}
 * names, each run in its own turn of the event loop: datagrams are served between slices, and a
 * walk starts at most once per {@linkcode TOP_NAMES_REFRESH_MS}, only while someone looks. Pure:
 * the clock and the way to wait for the next turn are injected.
 *
 * @module
 */

/** Names listed as most published. */
export const TOP_NAMES = 10;
/** A new walk starts at most this often (milliseconds). */
export const TOP_NAMES_REFRESH_MS = 5_000;
/** Names walked in one turn of the event loop (~0.5 ms here). */
export const TOP_NAMES_SLICE = 10_000;

/** One published name and how many users publish it (online or not). */
export interface NameRow {
  readonly name: string;
  readonly holders: number;
}

/** Every published name with its holders, as the state lists them. */
export type HolderEntries = Iterator<[string, ReadonlySet<string>]>;

/**
 * One walk over the names, keeping the top `limit` (most holders first, ties by name). It makes
 * an object only for a name that enters the window; most names are skipped with two comparisons.
 *
 * @example
 * ```ts
 * import { TopNamesWalk } from "./top_names.ts";
 * const table = new Map([["a", new Set(["x"])], ["b", new Set(["x", "y"])], ["c", new Set(["y"])]]);
 * const walk = new TopNamesWalk(table.entries(), 2);
 * console.assert(walk.step(1) === false && walk.step(10) === true);
 * console.assert(walk.rows.map((row) => row.name).join() === "b,a");
 * ```
 */
export class TopNamesWalk {
  readonly #entries: HolderEntries;
  readonly #limit: number;
  readonly #kept: NameRow[] = [];

  constructor(entries: HolderEntries, limit = TOP_NAMES) {
    this.#entries = entries;
    this.#limit = limit;
  }

  /** Walks up to `budget` more names; true once the walk has reached the end. */
  step(budget: number): boolean {
    const kept = this.#kept;
    const limit = this.#limit;
    for (let walked = 0; walked < budget; walked++) {
      const next = this.#entries.next();
      if (next.done) return true;
      if (limit <= 0) continue;
      const [name, set] = next.value;
      const holders = set.size;
      if (kept.length === limit && !ahead(holders, name, kept[limit - 1])) continue;
      let at = kept.length;
      while (at > 0 && ahead(holders, name, kept[at - 1])) at--;
      kept.splice(at, 0, { name, holders });
      if (kept.length > limit) kept.pop();
    }
    return false;
  }

  /** The top names among those walked so far. */
  get rows(): NameRow[] {
    return [...this.#kept];
  }
}

function ahead(holders: number, name: string, row: NameRow): boolean {
  return holders > row.holders || (holders === row.holders && name < row.name);
}

/** What a {@linkcode TopNames} needs. */
export interface TopNamesOptions {
  /** A fresh walk over every published name. */
  readonly entries: () => HolderEntries;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** Resolves in a later turn of the event loop (`setTimeout(…, 0)` at the edge). */
  readonly nextTurn: () => Promise<void>;
  readonly refreshMs?: number;
  readonly slice?: number;
  readonly limit?: number;
}

/**
 * The latest complete top list, refreshed by walks in slices.
 *
 * @example
 * ```ts
 * import { TopNames } from "./top_names.ts";
 * const table = new Map([["a.txt", new Set(["alice", "bob"])]]);
 * const top = new TopNames({
 *   entries: () => table.entries(),
 *   now: () => 0,
 *   nextTurn: () => Promise.resolve(),
 * });
 * top.refresh(); // a small table is walked at once
 * console.assert(top.rows[0].holders === 2);
 * await top.close();
 * ```
 */
export class TopNames {
  readonly #options: TopNamesOptions;
  #rows: NameRow[] = [];
  #startedAt: number | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: TopNamesOptions) {
    this.#options = options;
  }

  /** The last complete list (empty until the first walk ends). */
  get rows(): NameRow[] {
    return this.#rows;
  }

  /** Starts a walk unless one runs or the last started within the refresh interval. */
  refresh(): void {
    const { now, refreshMs = TOP_NAMES_REFRESH_MS } = this.#options;
    if (this.#closed || this.#running !== undefined) return;
    const at = now();
    if (this.#startedAt !== undefined && at - this.#startedAt < refreshMs) return;
    this.#startedAt = at;
    const walk = new TopNamesWalk(this.#options.entries(), this.#options.limit);
    const slice = this.#options.slice ?? TOP_NAMES_SLICE;
    // The first slice runs now: a small table is done before this call returns.
    if (walk.step(slice)) {
      this.#rows = walk.rows;
      return;
    }
    this.#running = (async () => {
      try {
        do {
          await this.#options.nextTurn();
          if (this.#closed) return;
        } while (!walk.step(slice));
        this.#rows = walk.rows;
      } finally {
        this.#running = undefined;
      }
    })();
  }

  /** Stops a running walk and waits for it. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }
}
