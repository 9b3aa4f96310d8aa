/**
 * Byte-array helpers, named as in Deno's standard library (`@std/bytes`, which cannot be fetched
 * on our machines).
 *
 * @module
 */

/**
 * One array holding every byte of `parts`, in order.
 *
 * @example
 * ```ts
 * import { concat } from "./bytes.ts";
 * const whole = concat([new Uint8Array([1, 2]), new Uint8Array([3])]);
 * console.assert(whole.join() === "1,2,3");
 * ```
 */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}
