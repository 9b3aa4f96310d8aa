/**
 * The keys a user presses, decoded from the raw bytes a terminal in raw mode sends: printable
 * text (UTF-8, possibly split across reads), control keys, and the escape sequences of arrows,
 * Home, End and Delete. Unknown sequences are dropped whole, so they never land in a command.
 * Pure: bytes in, keys out.
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
      if (this.#sequence !== undefined) {
        const key = this.#continueSequence(byte);
        if (key !== undefined) keys.push({ kind: key });
        continue;
      }
      if (byte === ESCAPE) {
        flush();
        this.#sequence = [];
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
      // Alt-<key> or a lone Escape: dropped.
      this.#sequence = undefined;
      return undefined;
    }
    // Parameters and intermediates run until a final byte in 0x40–0x7E.
    if (byte < 0x40 || byte > 0x7e) {
      // A sequence longer than any key's is garbage: stop collecting it.
      if (sequence.length > 16) this.#sequence = undefined;
      else sequence.push(byte);
      return undefined;
    }
    this.#sequence = undefined;
    const final = String.fromCharCode(byte);
    const parameters = String.fromCharCode(...sequence.slice(1));
    if (final === "~") return TILDE[parameters];
    // `ESC [ 1 ; 5 C` (Ctrl-Right) and the like: the key without its modifier.
    if (parameters === "" || /^1(;\d+)?$/.test(parameters)) return FINAL[final];
    return undefined;
  }
}
