/**
 * The n-grams the name index is built from, over UTF-16 code units (the units `String.includes`
 * compares, so a name contains a query exactly when the index says so):
 *
 * - every trigram of a key, with a 32-bit mask of the positions it starts at (see
 *   {@linkcode positionBit}), which lets a longer query be matched from the postings alone,
 *   without reading the name;
 * - every distinct unigram and bigram, which only feed counters (queries of 1–2 code units).
 *
 * Grams are numbers, not strings, so extracting them allocates nothing per gram.
 *
 * @module
 */

/** The code of the trigram at `index` of `text` (below 2^48, exact in a double). */
export function trigramCode(text: string, index: number): number {
  return (text.charCodeAt(index) * 65536 + text.charCodeAt(index + 1)) * 65536 +
    text.charCodeAt(index + 2);
}

/** The code of a 1- or 2-unit query, distinct from every other short gram's. */
export function shortGramCode(text: string): number {
  return text.length === 1
    ? text.charCodeAt(0)
    : (text.charCodeAt(0) + 1) * 65536 + text.charCodeAt(1);
}

/** The three characters of a trigram code. */
export function trigramText(code: number): string {
  return String.fromCharCode(
    Math.floor(code / 4294967296),
    Math.floor(code / 65536) % 65536,
    code % 65536,
  );
}

/** The distinct short-gram codes a trigram contains: its units and its two bigrams. */
export function shortGramsOfTrigram(code: number): number[] {
  const text = trigramText(code);
  const codes = new Set<number>();
  for (let i = 0; i < 3; i++) codes.add(shortGramCode(text[i]));
  codes.add(shortGramCode(text.slice(0, 2)));
  codes.add(shortGramCode(text.slice(1, 3)));
  return [...codes];
}

// Per-key scratch: grams are sorted in a typed array to find the distinct ones, which allocates
// nothing (a Map of doubles would box every key).
let scratch = new Float64Array(1024);

function scratchFor(length: number): Float64Array {
  if (scratch.length < length) scratch = new Float64Array(length * 2);
  return scratch.subarray(0, length);
}

/**
 * Calls `visit` once per distinct trigram of `key` with its position mask (one bit per position
 * it starts at, see {@linkcode positionBit}).
 */
export function forEachTrigram(key: string, visit: (code: number, mask: number) => void): void {
  const count = key.length - 2;
  if (count <= 0) return;
  const grams = scratchFor(count);
  for (let i = 0; i < count; i++) grams[i] = trigramCode(key, i) * 32 + positionBit(key.length, i);
  grams.sort();
  let code = Math.floor(grams[0] / 32);
  let mask = 0;
  for (let i = 0; i < count; i++) {
    const next = Math.floor(grams[i] / 32);
    if (next !== code) {
      visit(code, mask);
      code = next;
      mask = 0;
    }
    mask |= 1 << (grams[i] % 32);
  }
  visit(code, mask);
}

/** Calls `visit` once per distinct unigram and bigram code of `key`. */
export function forEachShortGram(key: string, visit: (code: number) => void): void {
  const length = key.length;
  if (length === 0) return;
  const grams = scratchFor(length * 2 - 1);
  for (let i = 0; i < length; i++) {
    grams[i * 2] = key.charCodeAt(i);
    if (i + 1 < length) grams[i * 2 + 1] = (key.charCodeAt(i) + 1) * 65536 + key.charCodeAt(i + 1);
  }
  grams.sort();
  visit(grams[0]);
  for (let i = 1; i < grams.length; i++) if (grams[i] !== grams[i - 1]) visit(grams[i]);
}

/** Keys up to this many code units have every trigram position in its own mask bit. */
export const SHORT_KEY_LENGTH = 33;
const HEAD = 16; // positions 0–15 of a longer key
const TAIL = 15; // the last 15 trigram positions of a longer key
const MIDDLE_BIT = 31;

/**
 * The mask bit of a trigram starting at `position` in a key of `length` units. A key of up to
 * {@linkcode SHORT_KEY_LENGTH} units has a bit per position (0–30). A longer one keeps the first
 * 16 positions (bits 0–15), the last 15 counted from the end (bits 16–30), and one bit for
 * anywhere in between (31): a query at the start or the end of a long name, where extensions
 * and prefixes are, is still matched without reading the name.
 */
export function positionBit(length: number, position: number): number {
  if (length <= SHORT_KEY_LENGTH || position < HEAD) return position;
  const fromEnd = length - 3 - position;
  return fromEnd < TAIL ? HEAD + fromEnd : MIDDLE_BIT;
}

/** Whether a candidate's masks line up: it matches, it does not, or its name must be read. */
export type LineUp = "match" | "none" | "read";

/**
 * Whether a query of `queryLength` units lies somewhere in a key of `keyLength` units that has
 * its trigrams, given the key's masks of some of them: `masks[k]` for the query's trigram at
 * offset `offsets[k]`. The offsets must cover every unit of the query (each unit inside one of
 * those trigrams); then masks that line up are the query, found.
 */
export function lineUp(
  masks: ArrayLike<number>,
  offsets: ArrayLike<number>,
  keyLength: number,
  queryLength: number,
): LineUp {
  const last = queryLength - 3; // the largest offset; shifts by 32 or more would wrap
  if (keyLength <= SHORT_KEY_LENGTH) {
    if (queryLength > keyLength) return "none";
    let at = -1;
    for (let k = 0; k < masks.length; k++) at &= masks[k] >>> offsets[k];
    return at !== 0 ? "match" : "none";
  }
  if (last < HEAD) {
    let head = -1;
    for (let k = 0; k < masks.length; k++) head &= (masks[k] & 0xffff) >>> offsets[k];
    if (head !== 0) return "match";
  }
  if (last < TAIL) {
    let tail = -1;
    for (let k = 0; k < masks.length; k++) tail &= ((masks[k] >>> HEAD) & 0x7fff) << offsets[k];
    if (tail !== 0) return "match";
  }
  return "read";
}

/**
 * Offsets of the trigrams of a query of `length` units (at least 3) that cover each of its units:
 * every third from the start, the last, and `rarest` (the one a walk follows). Fewer trigrams to
 * join than the query has, and the masks of these still decide a match.
 */
export function coveringOffsets(length: number, rarest: number): number[] {
  const last = length - 3;
  const offsets = new Set<number>([rarest, last]);
  for (let offset = 0; offset < last; offset += 3) offsets.add(offset);
  return [...offsets].sort((a, b) => a - b);
}

/**
 * Folds a name or a query for case-insensitive search: NFC, then upper case, then lower case
 * (so "ß" and "SS" meet at "ss"), then NFC again. Not Unicode's full case folding, but close,
 * and the same function is applied to names and queries, which is what matters.
 */
export function foldCaseNfc(text: string): string {
  return text.normalize("NFC").toUpperCase().toLowerCase().normalize("NFC");
}
