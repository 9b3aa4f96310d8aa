/**
 * The counting walk of a trigram join: how many names from where the join's cursors stand have
 * every trigram of a query, masks lined up, and count for the asker — without giving the names
 * one by one. A kept count's first walk (`broad_counts.ts`) is the cost left of a broad `sch`
 * (issue 11), so this is the join's inner loop written for it:
 *
 * - positions live in local variables and the chunks are read directly, not through a cursor
 *   object per step;
 * - a confirming posting is read ahead by **id** for the lead's name (a few entries, read in
 *   order) before it is sought by label: the trigrams of a query are mostly in the same names,
 *   so the id is usually there, and no label — a read scattered over a table of a million
 *   labels — is read for it, nor for the lead. How far: about twice the entries the posting has
 *   per entry of the lead (4 to 32), since a posting ten times denser than the lead (`9.1` and
 *   `080` in `9.1080p`) holds the id ~10 entries on, and a seek by label there reads ~5 labels
 *   one after another, each a cache miss at a million names;
 * - the matches only the `soleOf` user holds are tallied apart (`sole`), so a count for everyone
 *   (a kept count) also gives the asker's without scanning its own keys;
 * - a match lying in the first 16 positions of a name is decided from the masks alone, without
 *   reading the name's length (the first 16 mask bits are positions 0–15 in every key, see
 *   `positionBit`).
 *
 * Steps are counted as the listing counts them (one per entry stepped onto, a seek by what it
 * reads — `seekCost`, `missCost` in `posting_cursor.ts` — eight per name read), so the step cap bounds
 * both the same way.
 *
 * @module
 */

import { lineUp } from "./grams.ts";
import { ENTRY_ID_BITS, ENTRY_ID_MASK } from "./posting.ts";
import type { PostingCursor } from "./posting_cursor.ts";

/**
 * Steps one name read costs (as the listing's `READ_STEPS`): an `includes` over a string somewhere
 * on the heap, ~300–360 ns at a million names with cold caches against ~45 ns a step (was 4 steps).
 */
export const JOIN_READ_STEPS = 8;

/** Entries of a confirming posting read for the lead's id before seeking by label, at least... */
const READ_AHEAD = 4;
/** ...and at most (reading further cost more than it saved in walks of the bench's mix). */
const MAX_READ_AHEAD = 32;

/**
 * Entries of a posting of `otherSize` read ahead for the id of a lead of `leadSize` entries:
 * twice as many as it has per lead entry, within 4–32.
 */
export function readAheadFor(leadSize: number, otherSize: number): number {
  const perLead = Math.ceil((2 * otherSize) / Math.max(1, leadSize));
  return Math.min(MAX_READ_AHEAD, Math.max(READ_AHEAD, perLead));
}

/** The head of every mask: positions 0–15 of any key. */
const HEAD_BITS = 0xffff;

// Scratch for the walk's positions and masks, reused (a typed array made per walk costs more
// than a short walk); grown for a query joining more trigrams than any before.
let scratch = new Int32Array(4 * 16);
const pairMasks = new Int32Array(2);

function scratchFor(joined: number): Int32Array {
  if (scratch.length < 4 * joined) scratch = new Int32Array(8 * joined);
  return scratch;
}

/** What a counting walk reads. */
export interface JoinWalk {
  /** One cursor per distinct posting joined, the rarest (the lead) first. */
  readonly cursors: readonly PostingCursor[];
  /** For each joined query offset, the index in `cursors` of its trigram's posting. */
  readonly positions: Int32Array;
  /** The joined query offsets (`coveringOffsets`). */
  readonly offsets: readonly number[];
  /** The query, in searched form (4 units or more). */
  readonly key: string;
  /** The searched form of every name, its length, and the table's per-name columns. */
  readonly keys: readonly string[];
  readonly keyLength: Uint16Array;
  readonly ord: Float64Array;
  readonly active: Int32Array;
  readonly activeXor: Int32Array;
  /** The asker's number, whose sole holdings do not count; 0 for none. */
  readonly asker: number;
  /** A user whose sole holdings among the matches are tallied in `sole`; 0 for none. */
  readonly soleOf: number;
  /** Every candidate's name is read (the lead alone is joined: see `name_query.ts`). */
  readonly readAll?: boolean;
}

/** Where a counting walk ended. */
export interface JoinCounted {
  readonly count: number;
  /** Matches whose only active holder is `soleOf` (0 when `soleOf` is 0). */
  readonly sole: number;
  /** Steps taken, beside those the cursors counted themselves (their seeks by label). */
  readonly ownSteps: number;
  /** Names read to confirm a match the masks could not decide. */
  readonly reads: number;
  /** "end": no further match; "cap": the steps passed `maxSteps` (the cursors stand on the frontier). */
  readonly stopped: "end" | "cap";
  /** Whether the walk has moved (`moved`, or a name was looked at). */
  readonly moved: boolean;
}

/**
 * Counts the matches from where `walk.cursors` stand, moving them on; stops once `steps`
 * (the walk's steps so far, counted on) passes `maxSteps`, checked before each name, and only
 * after the first when `moved` is false (so every resumed walk gets somewhere).
 */
export function countJoin(
  walk: JoinWalk,
  steps: number,
  maxSteps: number,
  moved: boolean,
): JoinCounted {
  if (walk.cursors.length === 2 && walk.offsets.length === 2 && walk.readAll !== true) {
    return countPair(walk, steps, maxSteps, moved);
  }
  const { cursors, positions, offsets, key, keyLength, ord, active, activeXor, asker, soleOf } =
    walk;
  const joined = cursors.length;
  const readAll = walk.readAll === true;
  const lead = cursors[0];
  const leadPosting = lead.posting;
  const leadChunks = leadPosting.chunks;
  const leadCounts = leadPosting.counts;
  let lc = lead.chunkIndex;
  let li = lead.entryIndex;
  // Per joined posting j: its chunk at [j], its entry at [joined + j], its mask at [2 * joined + j],
  // how far it is read ahead at [3 * joined + j].
  const at = scratchFor(joined);
  const entryAt = joined;
  const maskAt = 2 * joined;
  const aheadAt = 3 * joined;
  for (let j = 1; j < joined; j++) {
    at[j] = cursors[j].chunkIndex;
    at[entryAt + j] = cursors[j].entryIndex;
    at[aheadAt + j] = readAheadFor(leadPosting.size, cursors[j].postingSize);
  }
  const lined = new Int32Array(offsets.length);
  const queryLength = key.length;
  let count = 0;
  let sole = 0;
  let ownSteps = 0;
  let reads = 0;
  let stopped: "end" | "cap" = "end";
  walk: while (lc < leadChunks.length) {
    if (moved && steps > maxSteps) {
      stopped = "cap";
      break;
    }
    moved = true;
    const entry = leadChunks[lc][li];
    const id = entry & ENTRY_ID_MASK;
    at[maskAt] = leadPosting.maskOf(entry);
    let aligned = true;
    for (let j = 1; j < joined; j++) {
      const cursor = cursors[j];
      const { chunks, counts } = cursor.posting;
      let c = at[j];
      let i = at[entryAt + j];
      if (c >= chunks.length) break walk; // a trigram has no name further on: no match either
      let found = false;
      for (let read = 0, ahead = at[aheadAt + j]; read <= ahead; read++) {
        const other = chunks[c][i];
        if ((other & ENTRY_ID_MASK) === id) {
          found = true;
          at[maskAt + j] = cursor.posting.maskOf(other);
          break;
        }
        if (++i === counts[c]) {
          if (++c === chunks.length) break;
          i = 0;
        }
      }
      if (found) {
        if (c !== at[j] || i !== at[entryAt + j]) {
          ownSteps++;
          steps++;
          at[j] = c;
          at[entryAt + j] = i;
        }
        continue;
      }
      // Not close ahead: seek by label, as a cursor does (labels read from here on).
      cursor.place(at[j], at[entryAt + j]);
      const before = cursor.steps;
      cursor.seekAfterMiss(ord[id], at[aheadAt + j]);
      steps += cursor.steps - before;
      at[j] = cursor.chunkIndex;
      at[entryAt + j] = cursor.entryIndex;
      if (cursor.id === id) {
        at[maskAt + j] = cursor.mask;
        continue;
      }
      if (cursor.id === -1) break walk;
      // No name between the two labels has every trigram: the lead jumps to the other's.
      lead.place(lc, li);
      const leadBefore = lead.steps;
      lead.seek(cursor.label);
      steps += lead.steps - leadBefore;
      lc = lead.chunkIndex;
      li = lead.entryIndex;
      aligned = false;
      break;
    }
    if (!aligned) continue;
    let matches = true;
    if (readAll) {
      reads++;
      steps += JOIN_READ_STEPS;
      matches = walk.keys[id].includes(key);
    } else if (queryLength > 3) {
      let head = -1;
      for (let k = 0; k < lined.length; k++) {
        lined[k] = at[maskAt + positions[k]];
        head &= (lined[k] & HEAD_BITS) >>> offsets[k];
      }
      if (head === 0) {
        const verdict = lineUp(lined, offsets, keyLength[id], queryLength);
        if (verdict === "read") {
          reads++;
          steps += JOIN_READ_STEPS;
          matches = walk.keys[id].includes(key);
        } else matches = verdict === "match";
      }
    }
    if (matches) {
      const holders = active[id];
      // With one active holder the XOR is that holder's number (never 0): read it only to tell
      // the asker apart.
      if (holders > 1 || (holders === 1 && (asker === 0 || activeXor[id] !== asker))) count++;
      if (holders === 1 && soleOf !== 0 && activeXor[id] === soleOf) sole++;
    }
    ownSteps++;
    steps++;
    if (++li === leadCounts[lc]) {
      lc++;
      li = 0;
    }
  }
  lead.place(lc, li);
  for (let j = 1; j < joined; j++) cursors[j].place(at[j], at[entryAt + j]);
  return { count, sole, ownSteps, reads, stopped, moved };
}

/**
 * `countJoin` for two trigrams, each its own posting (queries of 4–6 units, most of them): the
 * same walk with both positions and chunks in local variables.
 */
function countPair(walk: JoinWalk, steps: number, maxSteps: number, moved: boolean): JoinCounted {
  const { cursors, positions, offsets, key, keyLength, ord, active, activeXor, asker, soleOf } =
    walk;
  const lead = cursors[0];
  const other = cursors[1];
  const leadPosting = lead.posting;
  const otherPosting = other.posting;
  const leadChunks = leadPosting.chunks;
  const leadCounts = leadPosting.counts;
  const otherChunks = otherPosting.chunks;
  const otherCounts = otherPosting.counts;
  // The query offset of each one's trigram.
  const leadOffset = offsets[positions[0] === 0 ? 0 : 1];
  const otherOffset = offsets[positions[0] === 0 ? 1 : 0];
  const lined = pairMasks;
  const ahead = readAheadFor(leadPosting.size, otherPosting.size);
  const leadSlot = positions[0] === 0 ? 0 : 1;
  let lc = lead.chunkIndex;
  let li = lead.entryIndex;
  let oc = other.chunkIndex;
  let oi = other.entryIndex;
  let count = 0;
  let sole = 0;
  let ownSteps = 0;
  let reads = 0;
  let stopped: "end" | "cap" = "end";
  if (lc < leadChunks.length && oc < otherChunks.length) {
    let leadChunk = leadChunks[lc];
    let leadCount = leadCounts[lc];
    let otherChunk = otherChunks[oc];
    let otherCount = otherCounts[oc];
    for (;;) {
      if (moved && steps > maxSteps) {
        stopped = "cap";
        break;
      }
      moved = true;
      const entry = leadChunk[li];
      const id = entry & ENTRY_ID_MASK;
      // Read the other posting ahead for the id.
      let c = oc;
      let i = oi;
      let chunk = otherChunk;
      let used = otherCount;
      let found = false;
      let otherEntry = 0;
      for (let read = 0; read <= ahead; read++) {
        const candidate = chunk[i];
        if ((candidate & ENTRY_ID_MASK) === id) {
          found = true;
          otherEntry = candidate;
          break;
        }
        if (++i === used) {
          if (++c === otherChunks.length) break;
          chunk = otherChunks[c];
          used = otherCounts[c];
          i = 0;
        }
      }
      if (found) {
        if (i !== oi || c !== oc) {
          ownSteps++;
          steps++;
          oc = c;
          oi = i;
          otherChunk = chunk;
          otherCount = used;
        }
      } else {
        // Not close ahead: seek by label, as a cursor does.
        other.place(oc, oi);
        const before = other.steps;
        other.seekAfterMiss(ord[id], ahead);
        steps += other.steps - before;
        oc = other.chunkIndex;
        oi = other.entryIndex;
        if (other.id === -1) break;
        otherChunk = otherChunks[oc];
        otherCount = otherCounts[oc];
        if (other.id !== id) {
          // No name between the two labels has both trigrams: the lead jumps to the other's.
          lead.place(lc, li);
          const leadBefore = lead.steps;
          lead.seek(other.label);
          steps += lead.steps - leadBefore;
          lc = lead.chunkIndex;
          li = lead.entryIndex;
          if (lc === leadChunks.length) break;
          leadChunk = leadChunks[lc];
          leadCount = leadCounts[lc];
          continue;
        }
        otherEntry = otherChunk[oi];
      }
      const leadTag = entry >>> ENTRY_ID_BITS;
      const otherTag = otherEntry >>> ENTRY_ID_BITS;
      const leadMask = leadTag < 32 ? 1 << leadTag : leadPosting.maskOf(entry);
      const otherMask = otherTag < 32 ? 1 << otherTag : otherPosting.maskOf(otherEntry);
      let matches = (((leadMask & HEAD_BITS) >>> leadOffset) &
        ((otherMask & HEAD_BITS) >>> otherOffset)) !== 0;
      if (!matches) {
        lined[leadSlot] = leadMask;
        lined[1 - leadSlot] = otherMask;
        const verdict = lineUp(lined, offsets, keyLength[id], key.length);
        if (verdict === "read") {
          reads++;
          steps += JOIN_READ_STEPS;
          matches = walk.keys[id].includes(key);
        } else matches = verdict === "match";
      }
      if (matches) {
        const holders = active[id];
        if (holders > 1 || (holders === 1 && (asker === 0 || activeXor[id] !== asker))) count++;
        if (holders === 1 && soleOf !== 0 && activeXor[id] === soleOf) sole++;
      }
      ownSteps++;
      steps++;
      if (++li === leadCount) {
        if (++lc === leadChunks.length) break;
        leadChunk = leadChunks[lc];
        leadCount = leadCounts[lc];
        li = 0;
      }
    }
  }
  lead.place(lc, li);
  other.place(oc, oi);
  return { count, sole, ownSteps, reads, stopped, moved };
}
