/**
 * The command line being typed, as a pure state machine over {@linkcode Key}s: insert and erase
 * at the cursor, move by character, by word and to either end, kill to either end or a word
 * back or forward, walk
 * the {@linkcode History} with Up and Down (the line being typed is kept while walking), and
 * complete with Tab through an injected {@linkcode Completer}. What the terminal must do next —
 * run a line, cancel, end input, list candidates, or redraw — is the returned
 * {@linkcode EditorEffect}; drawing is the terminal's job.
 *
 * A character here is what the user sees as one (`text_columns.ts`): Backspace erases an accented
 * letter typed as `e` and a combining accent whole, as it erases a flag or a skin-toned emoji.
 * The line never holds what {@linkcode displayText} would hide (control characters, bidi
 * overrides), whether typed, pasted, completed or recalled: a character the user cannot see
 * would go out with the command and throw the cursor out of place.
 *
 * @module
 */

import { commonPrefix, type Completer } from "./completion.ts";
import type { History } from "./history.ts";
import type { Key } from "./keys.ts";
import { displayText } from "../../protocol/display_text.ts";
import { clusters } from "./text_columns.ts";

/** What a key press asks of the terminal. */
export type EditorEffect =
  /** The line changed (or not): draw it again. */
  | { readonly kind: "redraw" }
  /** Enter: run `line`; the editor is empty again. */
  | { readonly kind: "submit"; readonly line: string }
  /** Ctrl-C: `text` was typed (and is now cleared), or the line was already empty. */
  | { readonly kind: "interrupt"; readonly text: string }
  /** Ctrl-D on an empty line: end of input. */
  | { readonly kind: "eof" }
  /** Tab with several candidates and nothing they share to add: show them. */
  | { readonly kind: "list"; readonly candidates: readonly string[] };

/**
 * One line of input with a cursor.
 *
 * @example
 * ```ts
 * import { LineEditor } from "./line_editor.ts";
 * import { History } from "./history.ts";
 * const editor = new LineEditor(new History(["lap"]));
 * editor.press({ kind: "up" });
 * console.assert(editor.text === "lap");
 * const effect = editor.press({ kind: "enter" });
 * console.assert(effect.kind === "submit" && effect.line === "lap" && editor.text === "");
 * ```
 */
export class LineEditor {
  // Characters as seen (grapheme clusters), so the cursor never splits one.
  #chars: string[] = [];
  #cursor = 0;
  // Where Up/Down stand in the history; `undefined`: on the line being typed (so a line added
  // to the history meanwhile is the first one Up finds).
  #walk: number | undefined;
  #draft: string[] = [];
  completer: Completer | undefined;

  constructor(readonly history: History, completer?: Completer) {
    this.completer = completer;
  }

  /** The whole line. */
  get text(): string {
    return this.#chars.join("");
  }

  /** The line before the cursor. */
  get beforeCursor(): string {
    return this.#chars.slice(0, this.#cursor).join("");
  }

  /** The line as characters seen (grapheme clusters), for drawing it. */
  get chars(): readonly string[] {
    return this.#chars;
  }

  /** Where the cursor stands, in {@linkcode LineEditor.chars}. */
  get cursor(): number {
    return this.#cursor;
  }

  /** Characters after the cursor. */
  get charsAfterCursor(): number {
    return this.#chars.length - this.#cursor;
  }

  /** Applies one key. */
  press(key: Key): EditorEffect {
    switch (key.kind) {
      case "text":
        this.#insert(key.text);
        break;
      case "enter": {
        const line = this.text;
        this.#reset();
        return { kind: "submit", line };
      }
      case "interrupt": {
        const text = this.text;
        this.#reset();
        return { kind: "interrupt", text };
      }
      case "eof":
        if (this.#chars.length === 0) return { kind: "eof" };
        this.#chars.splice(this.#cursor, 1);
        break;
      case "delete":
        this.#chars.splice(this.#cursor, 1);
        break;
      case "backspace":
        if (this.#cursor > 0) this.#chars.splice(--this.#cursor, 1);
        break;
      case "left":
        this.#cursor = Math.max(0, this.#cursor - 1);
        break;
      case "right":
        this.#cursor = Math.min(this.#chars.length, this.#cursor + 1);
        break;
      case "home":
        this.#cursor = 0;
        break;
      case "end":
        this.#cursor = this.#chars.length;
        break;
      case "killToEnd":
        this.#chars.splice(this.#cursor);
        break;
      case "killToStart":
        this.#chars.splice(0, this.#cursor);
        this.#cursor = 0;
        break;
      case "killWord": {
        let start = this.#cursor;
        while (start > 0 && this.#chars[start - 1] === " ") start--;
        while (start > 0 && this.#chars[start - 1] !== " ") start--;
        this.#chars.splice(start, this.#cursor - start);
        this.#cursor = start;
        break;
      }
      case "wordLeft":
        this.#cursor = this.#wordBack();
        break;
      case "wordRight":
        this.#cursor = this.#wordForward();
        break;
      case "killWordBack": {
        const start = this.#wordBack();
        this.#chars.splice(start, this.#cursor - start);
        this.#cursor = start;
        break;
      }
      case "killWordForward":
        this.#chars.splice(this.#cursor, this.#wordForward() - this.#cursor);
        break;
      case "up":
      case "down":
        this.#walkHistory(key.kind === "up" ? -1 : 1);
        break;
      case "tab":
        return this.#complete();
      case "redraw":
        break;
    }
    return { kind: "redraw" };
  }

  /** Empties the line (its text is kept nowhere) and leaves the history walk. */
  #reset(): void {
    this.#chars = [];
    this.#cursor = 0;
    this.#draft = [];
    this.#walk = undefined;
  }

  /**
   * Puts `text` (what displayText keeps of it) at the cursor. Only the characters beside the
   * cursor are cut again with it, since what is inserted may join them (a combining accent after
   * its letter): cutting the whole line at each read made a pasted 256 KiB line take seconds.
   */
  #insert(text: string): void {
    const clean = displayText(text);
    if (clean === "") return;
    const next = this.#chars[this.#cursor];
    if (PRINTABLE_ASCII.test(clean) && (next === undefined || PRINTABLE_ASCII.test(next))) {
      // Nothing to join: each character is one (the common case, and every long paste of ASCII).
      this.#splice(this.#cursor, this.#cursor, clean.split(""), clean.length);
      return;
    }
    const from = Math.max(0, this.#cursor - 1);
    const to = Math.min(this.#chars.length, this.#cursor + 1);
    const before = this.#chars.slice(from, this.#cursor).join("") + clean;
    const local = clusters(before + this.#chars.slice(this.#cursor, to).join(""));
    let length = 0;
    let taken = 0;
    while (taken < local.length && length + local[taken].length <= before.length) {
      length += local[taken++].length;
    }
    this.#splice(from, to, local, taken);
  }

  /** Puts `chars` in place of `from`…`to`; the cursor after the first `taken` of them. */
  #splice(from: number, to: number, chars: readonly string[], taken: number): void {
    this.#chars.splice(from, to - from);
    // In place, as copying the line at each read made a long paste slow; in slices, as
    // splice(...chars) with a whole paste would overflow the argument list.
    for (let i = 0; i < chars.length; i += SPLICE_SLICE) {
      this.#chars.splice(from + i, 0, ...chars.slice(i, i + SPLICE_SLICE));
    }
    this.#cursor = from + taken;
  }

  // Words for Alt-B/F/D and Alt-Backspace are runs of letters and digits, as in readline.
  #wordBack(): number {
    let at = this.#cursor;
    while (at > 0 && !isWordChar(this.#chars[at - 1])) at--;
    while (at > 0 && isWordChar(this.#chars[at - 1])) at--;
    return at;
  }

  #wordForward(): number {
    let at = this.#cursor;
    while (at < this.#chars.length && !isWordChar(this.#chars[at])) at++;
    while (at < this.#chars.length && isWordChar(this.#chars[at])) at++;
    return at;
  }

  #walkHistory(step: -1 | 1): void {
    const { entries } = this.history;
    const at = this.#walk ?? entries.length;
    const to = Math.min(entries.length, Math.max(0, at + step));
    if (to === at) return;
    if (this.#walk === undefined) this.#draft = this.#chars;
    this.#walk = to === entries.length ? undefined : to;
    // A history file is text anyone with the account may edit: cleaned like typed text.
    this.#chars = to === entries.length ? this.#draft : clusters(displayText(entries[to]));
    this.#cursor = this.#chars.length;
  }

  #complete(): EditorEffect {
    if (this.completer === undefined) return { kind: "redraw" };
    const before = this.beforeCursor;
    const { start, candidates } = this.completer(this.text, before.length);
    if (candidates.length === 0) return { kind: "redraw" };
    const typed = before.slice(start);
    const replacement = candidates.length === 1 ? `${candidates[0]} ` : commonPrefix(candidates);
    if (replacement.length <= typed.length) return { kind: "list", candidates };
    // `start` counts UTF-16 units of the text before the cursor.
    const after = this.#chars.slice(this.#cursor).join("");
    this.#chars = clusters(before.slice(0, start));
    this.#cursor = this.#chars.length;
    this.#chars.push(...clusters(after));
    this.#insert(replacement);
    return { kind: "redraw" };
  }
}

const WORD_CHAR = /^[\p{L}\p{N}]/u;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const SPLICE_SLICE = 8192;

function isWordChar(char: string): boolean {
  return WORD_CHAR.test(char);
}
