/**
 * Keeps a file-size limit (`ulimit -f`, systemd's `LimitFSIZE=`) from killing the tracker. Past
 * the limit the kernel sends SIGXFSZ, whose default action ends the process on the spot, as
 * SIGKILL would: the queued changes are lost and a service manager restarts it into the same
 * wall. With the signal caught, the write fails with EFBIG instead, and the store treats it like
 * a full disk (kept queued, retried, logged). Caught while any SQLite store is open.
 *
 * @module
 */

let holders = 0;
const ignore = () => {};

/**
 * Catches SIGXFSZ until the returned function is called (each call once).
 *
 * @example
 * ```ts
 * import { holdFileSizeSignal } from "./file_size_signal.ts";
 * const release = holdFileSizeSignal();
 * release();
 * ```
 */
export function holdFileSizeSignal(): () => void {
  if (Deno.build.os === "windows") return () => {};
  if (holders++ === 0) Deno.addSignalListener("SIGXFSZ", ignore);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) Deno.removeSignalListener("SIGXFSZ", ignore);
  };
}
