/**
 * Words of a command line, so that names with spaces can be typed: `pub "my report.pdf"`,
 * `pub 'my report.pdf'` or `pub my\ report.pdf`; and the way a name is shown so that it can be
 * typed back (`"my report.pdf"`). Pure.
 *
 * The rules stay close to what every earlier name meant, since a name may hold quotes and
 * backslashes' neighbours: only an ASCII space or tab separates words; a quote opens a quoted
 * word only at the start of a word (`it's.txt` is one plain word); inside double quotes `\"` and
 * `\\` stand for `"` and `\`; inside single quotes nothing is special; outside quotes a backslash
 * escapes only a space, a tab, a quote or a backslash (`a\b` stays `a\b`, refused later as a
 * path separator).
 *
 * @module
 */

/** Why a line cannot be split into words. */
export type WordsProblem = "unclosed quote" | "text after a closing quote";

/** The result of {@linkcode splitWords}. */
export type SplitWords =
  | { readonly ok: true; readonly words: readonly string[]; readonly quoted: boolean }
  | { readonly ok: false; readonly problem: WordsProblem };

const BLANK = /[ \t]/;
const ESCAPABLE = /[ \t"'\\]/;

/**
 * Splits a command line into words. `quoted` tells whether any quoting or escape was used (a v1
 * session refuses a quoted name: v1 cannot carry spaces).
 *
 * @example
 * ```ts
 * import { splitWords } from "./words.ts";
 * const split = splitWords(`get "my report.pdf"`);
 * console.assert(split.ok && split.words[1] === "my report.pdf");
 * const escaped = splitWords("get my\\ report.pdf");
 * console.assert(escaped.ok && escaped.words[1] === "my report.pdf");
 * ```
 */
export function splitWords(line: string): SplitWords {
  const words: string[] = [];
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    if (BLANK.test(line[i])) {
      i++;
      continue;
    }
    const quote = line[i];
    let word = "";
    if (quote === '"' || quote === "'") {
      quoted = true;
      i++;
      for (;;) {
        if (i >= line.length) return { ok: false, problem: "unclosed quote" };
        const char = line[i];
        if (char === quote) break;
        if (quote === '"' && char === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) {
          word += line[i + 1];
          i += 2;
          continue;
        }
        word += char;
        i++;
      }
      i++; // the closing quote
      if (i < line.length && !BLANK.test(line[i])) {
        return { ok: false, problem: "text after a closing quote" };
      }
    } else {
      while (i < line.length && !BLANK.test(line[i])) {
        if (line[i] === "\\" && i + 1 < line.length && ESCAPABLE.test(line[i + 1])) {
          quoted = true;
          word += line[i + 1];
          i += 2;
          continue;
        }
        word += line[i];
        i++;
      }
    }
    words.push(word);
  }
  return { ok: true, words, quoted };
}

/**
 * A name as the shell shows it: as it is, or in double quotes (with `"` and `\` escaped) when it
 * holds a space or starts with a quote, so that what is shown can be typed back.
 *
 * @example
 * ```ts
 * import { showName } from "./words.ts";
 * console.assert(showName("notes.txt") === "notes.txt");
 * console.assert(showName("my report.pdf") === '"my report.pdf"');
 * ```
 */
export function showName(name: string): string {
  if (!name.includes(" ") && !name.startsWith('"') && !name.startsWith("'")) return name;
  return `"${name.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

/** The word being typed at the end of a line, as {@linkcode wordAtEnd} reads it. */
export interface WordAtEnd {
  /** Where its typed form starts in the line (at its opening quote, if any). */
  readonly start: number;
  /** What it means so far, quotes and escapes undone. */
  readonly text: string;
  /** The quote it was opened with, or `undefined` for a plain word. */
  readonly quote: '"' | "'" | undefined;
  /** How many whole words come before it. */
  readonly wordsBefore: number;
}

/**
 * The last word of `line` read by the same rules as {@linkcode splitWords}, unfinished quote
 * and all, for Tab completion; after a blank it is an empty word at the end. `undefined` when
 * the line cannot be read (text right after a closing quote).
 *
 * @example
 * ```ts
 * import { wordAtEnd } from "./words.ts";
 * const word = wordAtEnd(`get "my re`);
 * console.assert(word?.start === 4 && word.text === "my re" && word.quote === '"');
 * ```
 */
export function wordAtEnd(line: string): WordAtEnd | undefined {
  let wordsBefore = 0;
  let i = 0;
  for (;;) {
    while (i < line.length && BLANK.test(line[i])) i++;
    const start = i;
    if (i >= line.length) return { start, text: "", quote: undefined, wordsBefore };
    const opening = line[i];
    const quote = opening === '"' || opening === "'" ? opening : undefined;
    let text = "";
    if (quote !== undefined) {
      i++;
      while (i < line.length && line[i] !== quote) {
        if (quote === '"' && line[i] === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) {
          text += line[i + 1];
          i += 2;
          continue;
        }
        // A lone backslash at the end may be the start of an escape: not part of the text yet.
        if (quote === '"' && line[i] === "\\" && i + 1 === line.length) break;
        text += line[i];
        i++;
      }
      if (i >= line.length - 1) return { start, text, quote, wordsBefore };
      i++; // the closing quote
      if (!BLANK.test(line[i])) return undefined;
    } else {
      while (i < line.length && !BLANK.test(line[i])) {
        if (line[i] === "\\" && ESCAPABLE.test(line[i + 1] ?? "")) {
          text += line[i + 1];
          i += 2;
          continue;
        }
        if (line[i] === "\\" && i + 1 === line.length) break;
        text += line[i];
        i++;
      }
      if (i >= line.length - 1 && !BLANK.test(line[i] ?? "")) {
        return { start, text, quote, wordsBefore };
      }
    }
    wordsBefore++;
  }
}

/**
 * `name` typed so that {@linkcode splitWords} reads it back as one word: inside `quote` (closed
 * unless `open`), or with backslashes before blanks, backslashes and a leading quote. Each
 * character is typed the same way wherever it stands (but for a leading quote), so the typed
 * forms of two names share the typed form of their common start, which Tab inserts.
 *
 * @example
 * ```ts
 * import { typeName } from "./words.ts";
 * console.assert(typeName("my report.pdf", undefined) === "my\\ report.pdf");
 * console.assert(typeName("my report.pdf", '"') === '"my report.pdf"');
 * ```
 */
export function typeName(name: string, quote: '"' | "'" | undefined): string {
  // Single quotes hold anything but a single quote; such a name goes in double quotes instead.
  const inQuote = quote === "'" && name.includes("'") ? '"' : quote;
  if (inQuote === "'") return `'${name}'`;
  if (inQuote === '"') return `"${name.replace(/["\\]/g, (char) => `\\${char}`)}"`;
  return name.replace(/[ \t\\]/g, (char) => `\\${char}`).replace(/^["']/, (char) => `\\${char}`);
}
