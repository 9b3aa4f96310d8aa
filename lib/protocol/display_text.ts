/**
 * Text from the network made safe to show: a tracker's or an uploader's words, a user name, a file
 * name. A terminal obeys escape sequences (ESC, CSI, OSC — they retitle the window, move the cursor,
 * or on some terminals write files), and bidi overrides and isolates reorder what is shown, so a
 * stranger's text could rewrite the screen or pass `txt.exe` off as `exe.txt`. Every such character
 * is removed where text leaves the program for a terminal or a log, with no exception (not even tab
 * or newline: a line of the peer is one line).
 *
 * @module
 */

// C0 controls and DEL, C1 controls, bidi embeddings and overrides (U+202A–U+202E) and isolates
// (U+2066–U+2069). Matching control characters is this expression's whole point.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` without control characters (C0, DEL, C1) or bidi overrides and isolates, and with any lone
 * surrogate replaced by U+FFFD.
 *
 * @example
 * ```ts
 * import { displayText } from "./display_text.ts";
 * console.assert(displayText("busy\x1b]0;pwned\x07 \u202edone") === "busy]0;pwned done");
 * console.assert(displayText("日本語.txt") === "日本語.txt");
 * ```
 */
export function displayText(text: string): string {
  return text.toWellFormed().replace(UNSAFE, "");
}
