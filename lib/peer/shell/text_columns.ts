/**
 * How much room text takes on a terminal: the characters a user sees as one (grapheme clusters:
 * `e` with a combining accent, an emoji with its modifiers) and the columns each takes — two for
 * East Asian wide and fullwidth characters and for emoji shown as pictures, none for a mark that
 * combines with the character before it, one otherwise. The line editor moves and erases by
 * cluster, and the prompt and the status line are laid out by column: counting code points put
 * the cursor in the wrong place after a CJK name and let a line wrap that was meant to fit. Pure.
 *
 * @module
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * `text` cut into the characters a user sees (grapheme clusters).
 *
 * @example
 * ```ts
 * import { clusters } from "./text_columns.ts";
 * console.assert(clusters("e\u0301a").length === 2);
 * ```
 */
export function clusters(text: string): string[] {
  return Array.from(segmenter.segment(text), (part) => part.segment);
}

// East Asian Wide (W) and Fullwidth (F) ranges of Unicode 15, merged where adjacent; emoji are
// told by their own property below. JavaScript has no property for East Asian Width.
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f200, 0x1f2ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F/u;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\u1160-\u11ff]/u;

function isWide(codePoint: number): boolean {
  for (const [from, to] of WIDE) {
    if (codePoint < from) return false;
    if (codePoint <= to) return true;
  }
  return false;
}

/**
 * The columns one cluster takes: 0, 1 or 2.
 *
 * @example
 * ```ts
 * import { clusterColumns } from "./text_columns.ts";
 * console.assert(clusterColumns("日") === 2 && clusterColumns("a") === 1);
 * console.assert(clusterColumns("\u0301") === 0 && clusterColumns("👍🏽") === 2);
 * ```
 */
export function clusterColumns(cluster: string): number {
  if (cluster === "") return 0;
  if (EMOJI.test(cluster)) return 2;
  if (ZERO_WIDTH.test(cluster)) return 0;
  return isWide(cluster.codePointAt(0)!) ? 2 : 1;
}

/**
 * The columns `text` takes on one line.
 *
 * @example
 * ```ts
 * import { columns } from "./text_columns.ts";
 * console.assert(columns("pub 日本.txt") === 12);
 * ```
 */
export function columns(text: string): number {
  let total = 0;
  for (const cluster of clusters(text)) total += clusterColumns(cluster);
  return total;
}

/**
 * The longest start of `text` that fits in `width` columns (a wide character that would
 * straddle the edge is left out whole).
 *
 * @example
 * ```ts
 * import { fitColumns } from "./text_columns.ts";
 * console.assert(fitColumns("日本語", 5) === "日本");
 * console.assert(fitColumns("abc", 5) === "abc");
 * ```
 */
export function fitColumns(text: string, width: number): string {
  let used = 0;
  let end = 0;
  for (const cluster of clusters(text)) {
    used += clusterColumns(cluster);
    if (used > width) break;
    end += cluster.length;
  }
  return text.slice(0, end);
}
