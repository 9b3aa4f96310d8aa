/**
 * Writing text to standard output or error from the terminal classes, ignoring a reader that
 * went away.
 *
 * @module
 */

import { type SyncWriter, writeAllSync } from "../../util/mod.ts";

const encoder = new TextEncoder();

/** Writes `text`, ignoring a reader that went away: there is no one left to tell. */
export function writeText(writer: SyncWriter, text: string): void {
  try {
    writeAllSync(writer, encoder.encode(text));
  } catch {
    // Closed pipe: the output has nowhere to go.
  }
}
