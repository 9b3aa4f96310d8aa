/**
 * The commands typed before, newest last, for Up and Down at the prompt: bounded, no empty line,
 * no line twice in a row. Pure; `history_file.ts` keeps it across runs.
 *
 * @module
 */

/** How many commands are remembered, in memory and in the history file. */
export const HISTORY_LIMIT = 1000;

/**
 * A bounded list of past commands.
 *
 * @example
 * ```ts
 * import { History } from "./history.ts";
 * const history = new History(["lap"], 2);
 * history.add("lap");
 * history.add("lpf");
 * history.add("sch a");
 * console.assert(history.entries.join() === "lpf,sch a");
 * ```
 */
export class History {
  #entries: string[];

  constructor(entries: readonly string[] = [], readonly limit = HISTORY_LIMIT) {
    this.#entries = entries.filter((entry) => entry.trim() !== "").slice(-limit);
  }

  /** Oldest first. */
  get entries(): readonly string[] {
    return this.#entries;
  }

  /**
   * Remembers `line` without trailing blanks (Tab completion leaves one); says whether it was
   * (not blank, not the same as the last one).
   */
  add(line: string): boolean {
    const entry = line.trimEnd();
    if (entry.trim() === "" || this.#entries.at(-1) === entry) return false;
    this.#entries.push(entry);
    if (this.#entries.length > this.limit) {
      this.#entries.splice(0, this.#entries.length - this.limit);
    }
    return true;
  }
}
