/**
 * Which byte ranges of a part file are known complete, and the note that keeps them beside it
 * while a download has holes (several ranges fetched at once, or a resume of such a download).
 * A resume then fetches only the holes instead of everything after the first one. Pure.
 *
 * The note is one line of JSON: `{"size":<file size>,"done":[[start,end],…]}`, ranges half-open,
 * sorted, disjoint and not touching. A note from before ranges were kept is a bare number: the
 * length of the complete prefix.
 *
 * @module
 */

/** Bytes `[start, end)`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** More ranges than this in a note is not something we wrote: the note is ignored. */
export const MAX_NOTED_RANGES = 10_000;

/**
 * Sorts and merges `ranges` (dropping empty ones) into disjoint ranges that do not touch.
 *
 * @example
 * ```ts
 * import { mergeRanges } from "./resume_note.ts";
 * const merged = mergeRanges([{ start: 5, end: 9 }, { start: 0, end: 5 }, { start: 12, end: 12 }]);
 * console.assert(JSON.stringify(merged) === '[{"start":0,"end":9}]');
 * ```
 */
export function mergeRanges(ranges: Iterable<ByteRange>): ByteRange[] {
  const sorted = [...ranges].filter((range) => range.end > range.start)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const { start, end } of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && start <= last.end) last.end = Math.max(last.end, end);
    else merged.push({ start, end });
  }
  return merged;
}

/**
 * The parts of `[0, size)` that `done` (merged) does not cover, in order.
 *
 * @example
 * ```ts
 * import { missingRanges } from "./resume_note.ts";
 * const missing = missingRanges([{ start: 2, end: 4 }], 6);
 * console.assert(JSON.stringify(missing) === '[{"start":0,"end":2},{"start":4,"end":6}]');
 * ```
 */
export function missingRanges(done: readonly ByteRange[], size: number): ByteRange[] {
  const missing: ByteRange[] = [];
  let position = 0;
  for (const { start, end } of done) {
    if (start > position) missing.push({ start: position, end: Math.min(start, size) });
    position = Math.max(position, end);
  }
  if (position < size) missing.push({ start: position, end: size });
  return missing;
}

/** The total length of merged `ranges`. */
export function coveredBytes(ranges: readonly ByteRange[]): number {
  return ranges.reduce((sum, range) => sum + range.end - range.start, 0);
}

/** The note's text for `done` (merged) of a file of `size` bytes. */
export function encodeResumeNote(done: readonly ByteRange[], size: number): string {
  return `${JSON.stringify({ size, done: done.map(({ start, end }) => [start, end]) })}\n`;
}

/**
 * The complete ranges a note claims, trusted only as far as they are consistent: every range must
 * lie within `[0, min(size, length))` where `length` is the part file's current length. Anything
 * else — another size, garbage, overlapping or unsorted ranges, too many of them — gives
 * `undefined`, and the caller trusts none of the file.
 *
 * @example
 * ```ts
 * import { decodeResumeNote } from "./resume_note.ts";
 * const done = decodeResumeNote('{"size":10,"done":[[0,4],[6,8]]}', 10, 10);
 * console.assert(done?.length === 2 && done[1].start === 6);
 * console.assert(decodeResumeNote("4", 10, 10)?.[0].end === 4);
 * console.assert(decodeResumeNote('{"size":11,"done":[]}', 10, 10) === undefined);
 * ```
 */
export function decodeResumeNote(
  text: string,
  size: number,
  length: number,
): ByteRange[] | undefined {
  const limit = Math.min(size, length);
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    // A note from before ranges were kept: the complete prefix.
    const prefix = Number(trimmed);
    if (!Number.isSafeInteger(prefix)) return undefined;
    return prefix > 0 ? [{ start: 0, end: Math.min(prefix, limit) }] : [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { size: notedSize, done } = parsed as { size?: unknown; done?: unknown };
  if (notedSize !== size || !Array.isArray(done) || done.length > MAX_NOTED_RANGES) {
    return undefined;
  }
  const ranges: ByteRange[] = [];
  let previousEnd = -1;
  for (const entry of done) {
    if (!Array.isArray(entry) || entry.length !== 2) return undefined;
    const [start, end] = entry;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return undefined;
    if (start <= previousEnd || start >= end || end > limit) return undefined;
    ranges.push({ start, end });
    previousEnd = end;
  }
  return ranges;
}
