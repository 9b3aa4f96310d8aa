/**
 * The n-grams the name index is built from, over UTF-16 code units (the units `String.includes`
 * compares, so a name contains a query exactly when the index says so):
 *
 * - every trigram of a key, with a 32-bit mask of the positions it starts at (modulo 32), which
 *   lets a longer query be matched from the postings alone, without reading the name;
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

const trigramScratch = new Map<number, number>();

/**
 * Calls `visit` once per distinct trigram of `key` with its position mask: bit `p % 32` is set
 * for every position `p` it starts at.
 */
export function forEachTrigram(key: string, visit: (code: number, mask: number) => void): void {
  const scratch = trigramScratch;
  scratch.clear();
  for (let i = 0; i + 3 <= key.length; i++) {
    const code = trigramCode(key, i);
    scratch.set(code, (scratch.get(code) ?? 0) | (1 << (i & 31)));
  }
  for (const [code, mask] of scratch) visit(code, mask);
  scratch.clear();
}

const shortScratch = new Set<number>();

/** Calls `visit` once per distinct unigram and bigram code of `key`. */
export function forEachShortGram(key: string, visit: (code: number) => void): void {
  const scratch = shortScratch;
  scratch.clear();
  for (let i = 0; i < key.length; i++) {
    scratch.add(key.charCodeAt(i));
    if (i + 1 < key.length) scratch.add((key.charCodeAt(i) + 1) * 65536 + key.charCodeAt(i + 1));
  }
  for (const code of scratch) visit(code);
  scratch.clear();
}

/** Keys up to this many code units have every trigram position in its own mask bit. */
export const EXACT_MASK_KEY_LENGTH = 34;

/** Rotates a 32-bit mask right by `by` (0–31). */
export function rotateRight(mask: number, by: number): number {
  return (mask >>> by) | (mask << (32 - by));
}

/**
 * The start positions (as mask bits) at which a query of `length` units can lie wholly within a
 * key of at most {@linkcode EXACT_MASK_KEY_LENGTH} units: its last trigram must start by 31.
 */
export function exactStarts(length: number): number {
  const last = length - 3;
  if (last > 31) return 0;
  return last === 0 ? -1 : (1 << (32 - last)) - 1;
}

/**
 * Folds a name or a query for case-insensitive search: NFC, then upper case, then lower case
 * (so "ß" and "SS" meet at "ss"), then NFC again. Not Unicode's full case folding, but close,
 * and the same function is applied to names and queries, which is what matters.
 */
export function foldCaseNfc(text: string): string {
  return text.normalize("NFC").toUpperCase().toLowerCase().normalize("NFC");
}
