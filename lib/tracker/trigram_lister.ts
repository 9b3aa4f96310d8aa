/**
 * The lister of queries of 3 code units or more: the postings of the query's trigrams walked
 * together in name order (a leapfrog join led by the rarest; see `name_query.ts`), and its
 * counting walk (`join_count.ts`).
 *
 * @module
 */

import { coveringOffsets, lineUp, trigramCode } from "./grams.ts";
import { countJoin, JOIN_READ_STEPS, readAheadFor } from "./join_count.ts";
import { BaseLister, heldByOther, type IndexParts, type QueryPlan } from "./lister_base.ts";
import type { Posting } from "./posting.ts";
import { PostingCursor } from "./posting_cursor.ts";

/**
 * Steps a name read costs: it touches a string somewhere on the heap, where a posting step reads
 * arrays (measured: ~7× a step on a million names with cold caches, `JOIN_READ_STEPS`).
 */
const READ_STEPS = JOIN_READ_STEPS;

/**
 * A lead of at most this many entries, beside a covering posting more than `FAR_DENSER` times
 * larger, is not joined: each of its names is read instead. Seeking a few names in a posting of
 * tens of thousands of entries (`ant` of `plant-07` at a million names) gallops over its chunks'
 * labels, a cache miss each, where reading a name is one or two; the walk stays small (8 steps a
 * name: at most ~1,100 steps, far below the default cap).
 */
const READ_ALL_LEAD = 128;
const FAR_DENSER = 32;

/** The matching names of a query of 3 or more units, in order. */
export class TrigramLister extends BaseLister {
  readonly #cursors: PostingCursor[] = [];
  // The query offsets of the trigrams joined, and the cursor of each one's posting.
  readonly #offsets: readonly number[];
  readonly #positionCursors: PostingCursor[] = [];
  // The masks of the current candidate, per joined offset.
  readonly #masks: Int32Array;
  // The view's searched form of each name and its length (the index does not change meanwhile).
  readonly #keys: readonly string[];
  readonly #keyLength: Uint16Array;
  // Names read to confirm a match the masks could not decide (or every candidate's: `#readAll`).
  #reads = 0;
  readonly #readAll: boolean;
  // How far each cursor is read ahead by id (`readAheadFor`).
  #ahead: number[] = [];
  #sole = 0;

  constructor(parts: IndexParts, plan: QueryPlan) {
    super(parts, plan);
    this.#keys = parts.byName ? parts.table.names : parts.table.keys;
    this.#keyLength = parts.byName ? parts.table.nameLength : parts.table.keyLength;
    const key = plan.key;
    const postings: Posting[] = [];
    let rarest = 0;
    for (let offset = 0; offset + 3 <= key.length; offset++) {
      const posting = parts.trigrams.get(trigramCode(key, offset));
      if (posting === undefined) {
        this.stopped = "end"; // a trigram no name has: nothing matches
        this.#offsets = [];
        this.#masks = new Int32Array(0);
        this.#readAll = false;
        return;
      }
      postings.push(posting);
      if (posting.size < postings[rarest].size) rarest = offset;
    }
    // Joining the trigrams that cover the query is enough: their masks decide a match.
    const covering = coveringOffsets(key.length, rarest);
    const leadSize = postings[rarest].size;
    this.#readAll = key.length > 3 && leadSize <= READ_ALL_LEAD &&
      covering.some((offset) => postings[offset].size > FAR_DENSER * leadSize);
    this.#offsets = this.#readAll ? [rarest] : covering;
    this.#masks = new Int32Array(this.#offsets.length);
    const byPosting = new Map<Posting, PostingCursor>();
    for (const offset of this.#offsets) {
      let cursor = byPosting.get(postings[offset]);
      if (cursor === undefined) {
        cursor = new PostingCursor(postings[offset], parts.table.ord, plan.afterLabel);
        byPosting.set(postings[offset], cursor);
        this.#cursors.push(cursor);
      }
      this.#positionCursors.push(cursor);
    }
    // The rarest trigram leads; the others only confirm.
    this.#cursors.sort((a, b) => a.postingSize - b.postingSize);
    // A denser posting is read further ahead by id before it is sought by label (`join_count.ts`).
    this.#ahead = this.#cursors.map((cursor) => readAheadFor(leadSize, cursor.postingSize));
  }

  get soleCount(): number {
    return this.#sole;
  }

  get steps(): number {
    let steps = this.#reads * READ_STEPS;
    for (const cursor of this.#cursors) steps += cursor.steps;
    return steps;
  }

  next(): string | undefined {
    if (this.stopped) return undefined;
    const cursors = this.#cursors;
    const lead = cursors[0];
    const maxSteps = this.plan.maxSteps;
    while (lead.id !== -1) {
      if (this.moved && this.steps > maxSteps) return this.stop("cap");
      this.moved = true;
      const id = lead.id;
      let aligned = true;
      for (let i = 1; i < cursors.length; i++) {
        const other = cursors[i];
        other.seekId(id, lead.label, this.#ahead[i]);
        if (other.id === id) continue;
        if (other.id === -1) return this.stop("end");
        lead.seek(other.label); // no name between the two labels has every trigram
        aligned = false;
        break;
      }
      if (!aligned) continue;
      const matches = this.#contains(id);
      lead.advance();
      if (matches && heldByOther(this.table, id, this.plan.asker)) return this.table.names[id];
    }
    return this.stop("end");
  }

  countRest(): number {
    if (this.stopped) return 0;
    const cursors = this.#cursors;
    const table = this.table;
    const counted = countJoin(
      {
        cursors,
        positions: this.#positions(),
        offsets: this.#offsets,
        key: this.plan.key,
        keys: this.#keys,
        keyLength: this.#keyLength,
        ord: table.ord,
        active: table.active,
        activeXor: table.activeXor,
        asker: this.plan.asker,
        soleOf: this.plan.soleOf ?? 0,
        readAll: this.#readAll,
      },
      this.steps,
      this.plan.maxSteps,
      this.moved,
    );
    cursors[0].steps += counted.ownSteps;
    this.#reads += counted.reads;
    this.#sole += counted.sole;
    this.moved = counted.moved;
    this.stopped = counted.stopped;
    return counted.count;
  }

  // For each joined offset, the index of its posting's cursor in the join order.
  #positions(): Int32Array {
    const positions = new Int32Array(this.#positionCursors.length);
    for (let k = 0; k < positions.length; k++) {
      positions[k] = this.#cursors.indexOf(this.#positionCursors[k]);
    }
    return positions;
  }

  protected frontier(): number {
    return this.#cursors[0]?.id ?? -1;
  }

  #contains(id: number): boolean {
    const positions = this.#positionCursors;
    const key = this.plan.key;
    if (this.#readAll) {
      this.#reads++;
      return this.#keys[id].includes(key);
    }
    if (key.length === 3) return true; // a 3-unit query is its trigram
    const masks = this.#masks;
    for (let k = 0; k < positions.length; k++) masks[k] = positions[k].mask;
    const verdict = lineUp(masks, this.#offsets, this.#keyLength[id], key.length);
    if (verdict !== "read") return verdict === "match";
    this.#reads++;
    return this.#keys[id].includes(key);
  }
}
