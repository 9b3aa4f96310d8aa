/**
 * Text files as editors save them.
 *
 * @module
 */

/**
 * `text` without a leading UTF-8 byte-order mark (Windows editors such as Notepad write one),
 * which is no part of the first line's content.
 *
 * @example
 * ```ts
 * import { withoutBom } from "./text_file.ts";
 * console.assert(withoutBom("\uFEFFalice pw") === "alice pw");
 * ```
 */
export function withoutBom(text: string): string {
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}
