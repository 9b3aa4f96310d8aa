/**
 * The keys a user presses, decoded from the raw bytes a terminal in raw mode sends: printable
 * text (UTF-8, possibly split across reads), control keys, the escape sequences of arrows,
 * Home, End and Delete, and the word keys of readline: Alt-B / Alt-F and Ctrl- or Alt-Left /
 * Right move by word, Alt-D and Alt-Backspace erase one. Unknown sequences, Alt with any other
 * key included, are dropped whole, so they never land in a command. Pure: bytes in, keys out.
 *
 * @module
 */

/** One key press (or a run of typed or pasted text). */
export type Key =
  | { readonly kind: "text"; readonly text: string }
  | {
    readonly kind:
      | "enter"
      | "interrupt"
      | "eof"
      | "backspace"
      | "delete"
      | "tab"
      | "left"
      | "right"
      | "home"
      | "end"
      | "up"
      | "down"
      | "killToEnd"
      | "killToStart"
      | "killWord"
      | "wordLeft"
      | "wordRight"
      | "killWordBack"
      | "killWordForward"
      | "redraw";
  };

type Named = Exclude<Key, { kind: "text" }>["kind"];

const CONTROL: { readonly [byte: number]: Named } = {
  0x01: "home", // Ctrl-A
  0x02: "left", // Ctrl-B
  0x03: "interrupt", // Ctrl-C
  0x04: "eof", // Ctrl-D (the editor deletes forward when the line is not empty)
  0x05: "end", // Ctrl-E
  0x06: "right", // Ctrl-F
  0x08: "backspace", // Ctrl-H
  0x09: "tab",
  0x0b: "killToEnd", // Ctrl-K
  0x0c: "redraw", // Ctrl-L
  0x0e: "down", // Ctrl-N
  0x10: "up", // Ctrl-P
  0x15: "killToStart", // Ctrl-U
  0x17: "killWord", // Ctrl-W
  0x7f: "backspace",
};

/** Final bytes of `ESC [ …` and `ESC O …` sequences that mean a key. */
const FINAL: { readonly [final: string]: Named } = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
};

/** `ESC [ n ~` sequences. */
const TILDE: { readonly [parameter: string]: Named } = {
  "1": "home",
  "7": "home",
  "4": "end",
  "8": "end",
  "3": "delete",
};

/** `ESC <byte>`: the Alt (Meta) keys that mean something. */
const ALT: { readonly [byte: number]: Named } = {
  0x62: "wordLeft", // Alt-B
  0x66: "wordRight", // Alt-F
  0x64: "killWordForward", // Alt-D
  0x7f: "killWordBack", // Alt-Backspace
  0x08: "killWordBack", // Alt-Ctrl-H
};

/** What Left and Right mean with Ctrl or Alt held: a word at a time. */
const BY_WORD: { readonly [key: string]: Named } = { left: "wordLeft", right: "wordRight" };

const ESCAPE = 0x1b;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Turns raw terminal bytes into {@linkcode Key}s, keeping an unfinished escape sequence or
 * UTF-8 character for the next call. Enter is CR, LF or CR LF (pasted text may carry either).
 *
 * @example
 * ```ts
 * import { KeyDecoder } from "./keys.ts";
 * const keys = new KeyDecoder().decode(new TextEncoder().encode("lap\r\x1b[A"));
 * console.assert(keys.map((key) => key.kind).join() === "text,enter,up");
 * ```
 */
export class KeyDecoder {
  readonly #text = new TextDecoder();
  // Bytes of an escape sequence begun but not finished.
  #sequence: number[] | undefined;
  // `ESC ESC`: the sequence that follows is a key with Alt held (rxvt, xterm without
  // modifyCursorKeys), not text.
  #alt = false;
  // Continuation bytes still to drop of a UTF-8 character typed with Alt (Alt-é).
  #altTail = 0;
  #afterCr = false;

  /** The keys in `bytes`. */
  decode(bytes: Uint8Array): Key[] {
    const keys: Key[] = [];
    let run: number[] = [];
    const flush = () => {
      if (run.length === 0) return;
      const text = this.#text.decode(new Uint8Array(run), { stream: true });
      run = [];
      if (text !== "") keys.push({ kind: "text", text });
    };
    for (const byte of bytes) {
      const afterCr = this.#afterCr;
      this.#afterCr = byte === CR;
      if (this.#altTail > 0 && byte >= 0x80 && byte < 0xc0) {
        this.#altTail--;
        continue;
      }
      this.#altTail = 0;
      if (this.#sequence !== undefined) {
        const key = this.#continueSequence(byte);
        if (key !== undefined) keys.push({ kind: key });
        continue;
      }
      if (byte === ESCAPE) {
        flush();
        this.#sequence = [];
        this.#alt = false;
        continue;
      }
      if (byte === CR || byte === LF) {
        flush();
        if (byte === LF && afterCr) continue;
        keys.push({ kind: "enter" });
        continue;
      }
      if (byte < 0x20 || byte === 0x7f) {
        flush();
        const key = CONTROL[byte];
        if (key !== undefined) keys.push({ kind: key });
        continue;
      }
      run.push(byte);
    }
    flush();
    return keys;
  }

  /** Takes one byte of an escape sequence; the key once it is complete and known. */
  #continueSequence(byte: number): Named | undefined {
    const sequence = this.#sequence!;
    if (sequence.length === 0) {
      if (byte === 0x5b || byte === 0x4f) {
        sequence.push(byte);
        return undefined;
      }
      if (byte === ESCAPE && !this.#alt) {
        this.#alt = true;
        return undefined;
      }
      // Alt-<key>: the word keys, or dropped with a lone Escape.
      this.#sequence = undefined;
      const alt = this.#alt;
      this.#alt = false;
      // The rest of a multi-byte character would otherwise come out as U+FFFD text.
      this.#altTail = byte >= 0xf0 ? 3 : byte >= 0xe0 ? 2 : byte >= 0xc0 ? 1 : 0;
      return alt ? undefined : ALT[byte];
    }
    // Parameters and intermediates run until a final byte in 0x40–0x7E.
    if (byte < 0x40 || byte > 0x7e) {
      // A sequence longer than any key's is garbage: stop collecting it.
      if (sequence.length > 16) this.#sequence = undefined;
      else sequence.push(byte);
      return undefined;
    }
    this.#sequence = undefined;
    const alt = this.#alt;
    this.#alt = false;
    const final = String.fromCharCode(byte);
    const parameters = String.fromCharCode(...sequence.slice(1));
    // `ESC [ 3 ; 5 ~` (Ctrl-Delete) and the like: the key without its modifier.
    if (final === "~") return TILDE[parameters.replace(/;\d+$/, "")];
    const modifier = /^1;(\d+)$/.exec(parameters);
    if (parameters !== "" && modifier === null) return undefined;
    const key = FINAL[final];
    // `ESC [ 1 ; 5 C` (Ctrl-Right), `ESC [ 1 ; 3 C` (Alt-Right), `ESC ESC [ C`: a word right.
    // The modifier is 1 + a bit mask: 1 Shift, 2 Alt, 4 Ctrl.
    const byWord = alt || (modifier !== null && ((Number(modifier[1]) - 1) & 6) !== 0);
    if (key !== undefined && byWord) return BY_WORD[key] ?? key;
    return key;
  }
}
