/**
 * One user's searched keys joined into one string, so "how many of my names contain q" is a few
 * `indexOf` calls over contiguous memory instead of one string compare per name scattered over
 * the heap. The name index uses it to take the asker's own sole holdings out of its counters.
 *
 * Joining reads every key at random in the table (~0.6 µs a key at a million names), so a user
 * with many names keeps its joined keys up to date instead (`add`, `remove`): new keys wait in a
 * list (a pointer each; appending them to the string one by one would leave V8 a rope of 32-byte
 * nodes, two a key, until a search flattened it) and are joined on at the next search; a removed
 * one is marked and skipped until a quarter of the keys are marked, then the live ones are joined
 * again from the string itself (read in order).
 *
 * @module
 */

/** Marks a removed key's id. */
const REMOVED = -1;

/** A user's keys in one string, with where each starts and the id it belongs to. */
export class OwnKeys {
  #text = "";
  // starts[k] is where key k starts; starts[length] is one past the separator after the last.
  #starts: Int32Array;
  #ids: Int32Array;
  #length = 0;
  #removed = 0;
  // Keys added since the text was last joined (the last `#pending.length` of `#length`).
  #pending: string[] = [];

  /** Joins the keys of `ids` (in any order); `count` of them. */
  constructor(ids: Iterable<number>, keys: readonly string[], count: number) {
    this.#starts = new Int32Array(count + 1);
    this.#ids = new Int32Array(count);
    const parts: string[] = [];
    for (const id of ids) {
      parts.push(keys[id]);
      this.#place(id, keys[id].length);
    }
    this.#text = parts.join("\n");
  }

  /** Keys held (not counting removed ones). */
  get size(): number {
    return this.#length - this.#removed;
  }

  /** Appends the key of `id`. */
  add(id: number, key: string): void {
    this.#pending.push(key);
    this.#place(id, key.length);
  }

  /** Takes out the key of `id`; false when it is not held. */
  remove(id: number): boolean {
    const at = this.#ids.subarray(0, this.#length).indexOf(id);
    if (at < 0) return false;
    this.#ids[at] = REMOVED;
    if (++this.#removed * 4 > this.#length) this.#rejoin();
    return true;
  }

  /** Number of keys containing `query` whose id passes `counts`; each key counted once. */
  countContaining(query: string, counts: (id: number) => boolean): number {
    const text = this.#joined();
    const starts = this.#starts;
    const ids = this.#ids;
    const keys = this.#length;
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
        if (ids[key] !== REMOVED && counts(ids[key])) found++;
        if (++key === keys) return found;
        from = starts[key];
      } else {
        from = starts[key + 1]; // across the separator: no later hit fits in this key either
        key++;
        if (key === keys) return found;
      }
    }
  }

  // The text with the pending keys joined on.
  #joined(): string {
    const pending = this.#pending;
    if (pending.length > 0) {
      const added = pending.join("\n");
      this.#text = this.#length === pending.length ? added : this.#text + "\n" + added;
      this.#pending = [];
    }
    return this.#text;
  }

  // Records key `#length` (of `id`, `units` long) as placed at the end of the text.
  #place(id: number, units: number): void {
    if (this.#length === this.#ids.length) this.#grow(Math.max(16, this.#length * 2));
    const n = this.#length++;
    this.#ids[n] = id;
    this.#starts[n + 1] = this.#starts[n] + units + 1;
  }

  #grow(capacity: number): void {
    const starts = new Int32Array(capacity + 1);
    starts.set(this.#starts.subarray(0, this.#length + 1));
    const ids = new Int32Array(capacity);
    ids.set(this.#ids.subarray(0, this.#length));
    this.#starts = starts;
    this.#ids = ids;
  }

  // Joins the live keys again, cut from the text itself (read in order, not from the table).
  #rejoin(): void {
    const text = this.#joined();
    const starts = this.#starts;
    const ids = this.#ids;
    const length = this.#length;
    const live = length - this.#removed;
    this.#length = 0;
    this.#removed = 0;
    this.#starts = new Int32Array(live + 1);
    this.#ids = new Int32Array(live);
    const parts: string[] = [];
    for (let k = 0; k < length; k++) {
      if (ids[k] === REMOVED) continue;
      parts.push(text.slice(starts[k], starts[k + 1] - 1));
      this.#place(ids[k], starts[k + 1] - 1 - starts[k]);
    }
    this.#text = parts.join("\n");
  }
}
