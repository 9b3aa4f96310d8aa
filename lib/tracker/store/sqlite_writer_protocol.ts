/**
 * The messages between the tracker's thread and its SQLite writer worker
 * (`sqlite_writer_worker.ts`), and how a SQLite error crosses between them with the fields the
 * store's error mapping reads (`errcode`, `errstr`, `code`).
 *
 * @module
 */

import type { BatchUser } from "./sqlite_batch.ts";

/** What the writer is told. */
export type WriterRequest =
  | { readonly kind: "write"; readonly id: number; readonly batch: readonly BatchUser[] }
  | { readonly kind: "close" };

/** What the writer answers. */
export type WriterReply =
  | { readonly kind: "written"; readonly id: number }
  | { readonly kind: "failed"; readonly id: number; readonly error: CarriedError }
  | { readonly kind: "closed" };

/** The parts of an error that survive a structured clone and that the store's mapping reads. */
export interface CarriedError {
  readonly message: string;
  readonly errcode?: number;
  readonly errstr?: string;
  readonly code?: string;
}

/** What the worker is started with (its name carries it, so it can open before any message). */
export interface WriterStart {
  readonly file: string;
  readonly maxBytes?: number;
}

/** `error` reduced to a {@linkcode CarriedError}. */
export function carry(error: unknown): CarriedError {
  const fields = (error ?? {}) as { errcode?: unknown; errstr?: unknown; code?: unknown };
  return {
    message: error instanceof Error ? error.message : String(error),
    errcode: typeof fields.errcode === "number" ? fields.errcode : undefined,
    errstr: typeof fields.errstr === "string" ? fields.errstr : undefined,
    code: typeof fields.code === "string" ? fields.code : undefined,
  };
}

/** An `Error` with the carried fields back on it. */
export function uncarry(carried: CarriedError): Error {
  return Object.assign(new Error(carried.message), {
    errcode: carried.errcode,
    errstr: carried.errstr,
    code: carried.code,
  });
}
