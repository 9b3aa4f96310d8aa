/**
 * One user's searched keys joined into strings, so "how many of my names contain q" is a few
 * `indexOf` calls over contiguous memory instead of one string compare per name scattered over
 * the heap. The name index uses it to take the asker's own sole holdings out of its counters.
 *
 * Joining reads every key at random in the table (~0.6 µs a key at a million names), so a user
 * with many names keeps its joined keys up to date instead (`add`, `remove`). The keys are joined
 * in groups of {@linkcode GROUP_KEYS}: a group is joined when its last key is added, while its keys
 * are recent (a rope or a list of pending keys would leave the reading of all of them to the next
 * search, which is what this avoids), and the group not yet full is joined at a search, at most
 * 63 keys. A removed key is marked and skipped until a quarter of the keys are, then the live ones
 * are grouped again from the joined strings themselves (read in order).
 *
 * The offsets of keys (`starts`) count as if the groups were one string with a separator between
 * groups too, so a hit in a group is placed among the keys the same way in all of them.
 *
 * @module
 */

/** Keys joined into one string. */
export const GROUP_KEYS = 64;

/** Marks a removed key's id. */
const REMOVED = -1;

/**
 * A user's keys, in two lanes: those whose units all fit in a byte (Latin-1) and the others. V8
 * keeps a string of one-byte units at a byte a unit, but one two-byte unit makes the whole string
 * two bytes a unit: in one lane, nearly every group of 64 would hold a name beyond Latin-1 (9 % of
 * the benchmark's names) and take twice the memory.
 */
export class OwnKeys {
  readonly #oneByte: KeyLane;
  readonly #twoByte: KeyLane;

  /** Joins the keys of `ids` (in any order); `count` of them. */
  constructor(ids: Iterable<number>, keys: readonly string[], count: number) {
    this.#oneByte = new KeyLane(count);
    this.#twoByte = new KeyLane(0);
    for (const id of ids) this.add(id, keys[id]);
  }

  /** Keys held (not counting removed ones). */
  get size(): number {
    return this.#oneByte.size + this.#twoByte.size;
  }

  /** Appends the key of `id`. */
  add(id: number, key: string): void {
    (beyondLatin1(key) ? this.#twoByte : this.#oneByte).add(id, key);
  }

  /** Takes out the key of `id`; false when it is not held. */
  remove(id: number): boolean {
    return this.#oneByte.remove(id) || this.#twoByte.remove(id);
  }

  /** Number of keys containing `query` whose id passes `counts`; each key counted once. */
  countContaining(query: string, counts: (id: number) => boolean): number {
    return this.#oneByte.countContaining(query, counts) +
      this.#twoByte.countContaining(query, counts);
  }
}

function beyondLatin1(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0xff) return true;
  return false;
}

/** Keys in strings of {@linkcode GROUP_KEYS}, with where each starts and its id. */
class KeyLane {
  // Joined groups of GROUP_KEYS keys each; the keys after the last full group wait in `#tail`.
  #groups: string[] = [];
  #tail: string[] = [];
  // The tail joined, once a search needed it (until the next key is added).
  #tailText: string | undefined;
  // starts[k] is where key k starts; starts[length] is one past the separator after the last.
  #starts: Int32Array;
  #ids: Int32Array;
  #length = 0;
  #removed = 0;

  /** Room for `capacity` keys to start with. */
  constructor(capacity: number) {
    this.#starts = new Int32Array(capacity + 1);
    this.#ids = new Int32Array(capacity);
  }

  /** Keys held (not counting removed ones). */
  get size(): number {
    return this.#length - this.#removed;
  }

  /** Appends the key of `id`. */
  add(id: number, key: string): void {
    if (this.#length === this.#ids.length) {
      this.#grow(Math.max(16, Math.ceil(this.#length * 1.5)));
    }
    const n = this.#length++;
    this.#ids[n] = id;
    this.#starts[n + 1] = this.#starts[n] + key.length + 1;
    this.#tail.push(key);
    this.#tailText = undefined;
    if (this.#tail.length === GROUP_KEYS) {
      this.#groups.push(this.#tail.join("\n"));
      this.#tail = [];
    }
  }

  /** Takes out the key of `id`; false when it is not held. */
  remove(id: number): boolean {
    const at = this.#ids.subarray(0, this.#length).indexOf(id);
    if (at < 0) return false;
    this.#ids[at] = REMOVED;
    if (++this.#removed * 4 > this.#length) this.#regroup();
    return true;
  }

  /** Number of keys containing `query` whose id passes `counts`; each key counted once. */
  countContaining(query: string, counts: (id: number) => boolean): number {
    const groups = this.#groups;
    let found = 0;
    for (let g = 0; g < groups.length; g++) {
      found += this.#countIn(groups[g], g * GROUP_KEYS, (g + 1) * GROUP_KEYS, query, counts);
    }
    if (this.#tail.length > 0) {
      this.#tailText ??= this.#tail.join("\n");
      found += this.#countIn(
        this.#tailText,
        groups.length * GROUP_KEYS,
        this.#length,
        query,
        counts,
      );
    }
    return found;
  }

  // Counts the keys first..end-1, joined in `text`, that contain `query`.
  #countIn(
    text: string,
    first: number,
    end: number,
    query: string,
    counts: (id: number) => boolean,
  ): number {
    const starts = this.#starts;
    const ids = this.#ids;
    const base = starts[first];
    let found = 0;
    let key = first;
    let from = 0;
    for (;;) {
      const at = text.indexOf(query, from);
      if (at < 0) return found;
      const hit = base + at;
      // The key the hit starts in: hits only move forward, so walk on from the last one.
      while (starts[key + 1] <= hit) key++;
      const separator = starts[key + 1] - 1; // where the separator after this key is
      // A hit across the separator: no later hit fits in this key either.
      if (hit + query.length <= separator && ids[key] !== REMOVED && counts(ids[key])) found++;
      if (++key === end) return found;
      from = starts[key] - base;
    }
  }

  #grow(capacity: number): void {
    const starts = new Int32Array(capacity + 1);
    starts.set(this.#starts.subarray(0, this.#length + 1));
    const ids = new Int32Array(capacity);
    ids.set(this.#ids.subarray(0, this.#length));
    this.#starts = starts;
    this.#ids = ids;
  }

  // Groups the live keys again, cut from the joined strings (read in order, not from the table).
  #regroup(): void {
    const starts = this.#starts;
    const ids = this.#ids;
    const length = this.#length;
    const texts = [...this.#groups, this.#tail.join("\n")];
    this.#groups = [];
    this.#tail = [];
    this.#tailText = undefined;
    const live = length - this.#removed;
    this.#length = 0;
    this.#removed = 0;
    this.#starts = new Int32Array(live + 1);
    this.#ids = new Int32Array(live);
    for (let k = 0; k < length; k++) {
      if (ids[k] === REMOVED) continue;
      const group = Math.floor(k / GROUP_KEYS);
      const base = starts[group * GROUP_KEYS];
      this.add(ids[k], texts[group].slice(starts[k] - base, starts[k + 1] - 1 - base));
    }
  }
}
