/**
 * What the peer's terminal code learns from its environment: a variable it may read
 * (`NO_COLOR`, `TERM`) and the terminal's width.
 *
 * @module
 */

/**
 * An environment variable (`NO_COLOR`, `TERM`), read only when the process may read it: asking
 * for a permission it lacks would stop the peer at a permission prompt.
 */
export function environmentVariable(name: string): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
      return "";
    }
    return Deno.env.get(name);
  } catch {
    return "";
  }
}

/** The terminal's width; 80 when it cannot be told. */
export function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}
