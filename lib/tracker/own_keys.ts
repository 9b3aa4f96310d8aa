/**
 * One user's searched keys joined into one string, so "how many of my names contain q" is a few
 * `indexOf` calls over contiguous memory instead of one string compare per name scattered over
 * the heap. The name index uses it to take the asker's own sole holdings out of its counters.
 *
 * @module
 */

/** A user's keys in one string, with where each starts and the id it belongs to. */
export class OwnKeys {
  readonly #text: string;
  readonly #starts: Int32Array;
  readonly #ids: Int32Array;

  /** Joins the keys of `ids` (in any order). */
  constructor(ids: Iterable<number>, keys: readonly string[], count: number) {
    const starts = new Int32Array(count + 1);
    const list = new Int32Array(count);
    const parts: string[] = [];
    let at = 0;
    let n = 0;
    for (const id of ids) {
      list[n] = id;
      starts[n++] = at;
      parts.push(keys[id]);
      at += keys[id].length + 1;
    }
    starts[n] = at;
    this.#text = parts.join("\n");
    this.#starts = starts;
    this.#ids = list;
  }

  /** Number of keys containing `query` whose id passes `counts`; each key counted once. */
  countContaining(query: string, counts: (id: number) => boolean): number {
    const text = this.#text;
    const starts = this.#starts;
    const ids = this.#ids;
    const keys = ids.length;
    if (keys === 0) return 0;
    let found = 0;
    let key = 0;
    let from = 0;
    for (;;) {
      const hit = text.indexOf(query, from);
      if (hit < 0) return found;
      // The key the hit starts in: hits only move forward, so walk on from the last one.
      while (starts[key + 1] <= hit) key++;
      const end = starts[key + 1] - 1; // where the separator after this key is
      if (hit + query.length <= end) {
        if (counts(ids[key])) found++;
        if (++key === keys) return found;
        from = starts[key];
      } else {
        from = starts[key + 1]; // across the separator: no later hit fits in this key either
        key++;
        if (key === keys) return found;
      }
    }
  }
}
