/**
 * The few colours of the interactive terminal — a bold prompt, failures in red — and when they
 * are allowed: only on a terminal and only without `NO_COLOR` (https://no-color.org). Pipes and
 * files never get an escape sequence. Pure: the caller says whether colour is on.
 *
 * @module
 */

/** How a printed line is meant. */
export type Tone = "plain" | "failure";

/** Text styles, or none of them when `enabled` is false. */
export class Style {
  constructor(readonly enabled: boolean) {}

  /**
   * Whether an output with `isTerminal` may get colours, given the environment variable lookup
   * `env`.
   *
   * @example
   * ```ts
   * import { Style } from "./style.ts";
   * console.assert(!Style.allowed(true, (name) => name === "NO_COLOR" ? "" : undefined));
   * console.assert(Style.allowed(true, () => undefined) && !Style.allowed(false, () => undefined));
   * ```
   */
  static allowed(isTerminal: boolean, env: (name: string) => string | undefined): boolean {
    // no-color.org: present at all, even empty, means no colour.
    return isTerminal && env("NO_COLOR") === undefined;
  }

  /** `text` in bold. */
  bold(text: string): string {
    return this.enabled ? `\x1b[1m${text}\x1b[22m` : text;
  }

  /**
   * `text` as `tone` asks.
   *
   * @example
   * ```ts
   * import { Style } from "./style.ts";
   * console.assert(new Style(true).tone("no", "failure") === "\x1b[31mno\x1b[39m");
   * console.assert(new Style(false).tone("no", "failure") === "no");
   * ```
   */
  tone(text: string, tone: Tone): string {
    return this.enabled && tone === "failure" ? `\x1b[31m${text}\x1b[39m` : text;
  }
}
