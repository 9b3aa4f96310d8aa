/**
 * Turns what `node:sqlite` and Deno's file calls throw into the store's typed errors, by SQLite
 * result code and Deno error class, never by matching message text.
 *
 * @module
 */

import {
  StoreCorruptError,
  StoreUnavailableError,
  StoreWriteError,
  type StoreWriteReason,
} from "./errors.ts";
import { errorText } from "../../util/mod.ts";

// Primary SQLite result codes (https://sqlite.org/rescode.html); node:sqlite reports extended
// codes, whose low byte is the primary one.
const SQLITE_PERM = 3;
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_AUTH = 23;
const SQLITE_NOTADB = 26;

/** The primary SQLite result code of an error thrown by `node:sqlite`, if it carries one. */
export function sqliteCode(error: unknown): number | undefined {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === "number" ? code & 0xff : undefined;
}

function describe(error: unknown): string {
  const text = (error as { errstr?: unknown } | null)?.errstr;
  if (typeof text === "string") return text;
  return errorText(error).split("\n")[0];
}

/** An error met while opening, configuring or first writing the database file. */
export function openFailure(
  file: string,
  error: unknown,
): StoreCorruptError | StoreUnavailableError {
  if (error instanceof StoreCorruptError || error instanceof StoreUnavailableError) return error;
  const corrupt = corruptFailure(file, error);
  if (corrupt) return corrupt;
  const detail = describe(error);
  switch (sqliteCode(error)) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return new StoreUnavailableError(
        file,
        "locked",
        `another program holds the database's lock (${detail})`,
      );
    case SQLITE_READONLY:
      return new StoreUnavailableError(file, "readOnly", `cannot write (${detail})`);
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return new StoreUnavailableError(file, "permission", `access denied (${detail})`);
  }
  if (error instanceof Deno.errors.NotCapable) {
    return new StoreUnavailableError(
      file,
      "permission",
      "Deno was not allowed to use it: run with --allow-read and --allow-write for this file",
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new StoreUnavailableError(
      file,
      "permission",
      "permission denied: the tracker needs to read and write the file and create files " +
        "beside it",
    );
  }
  if (error instanceof Deno.errors.NotFound) {
    return new StoreUnavailableError(file, "notFound", "its directory does not exist");
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return new StoreUnavailableError(
      file,
      "cannotOpen",
      "is a directory: --db names the database file itself (e.g. DIR/peersync-tracker.db)",
    );
  }
  if ((error as { code?: unknown }).code === "EROFS") {
    return new StoreUnavailableError(file, "readOnly", `cannot write (${detail})`);
  }
  return new StoreUnavailableError(file, "cannotOpen", `cannot open (${detail})`);
}

/** A damaged or foreign file, when `error` says so. */
export function corruptFailure(file: string, error: unknown): StoreCorruptError | undefined {
  switch (sqliteCode(error)) {
    case SQLITE_NOTADB:
      return new StoreCorruptError(
        file,
        "notDatabase",
        `not an SQLite database (${describe(error)}); move it away or restore a backup`,
      );
    case SQLITE_CORRUPT:
      return new StoreCorruptError(
        file,
        "malformed",
        `the database is damaged (${describe(error)}); restore a backup or move it away`,
      );
  }
  return undefined;
}

/** A failed batch write of `pending` changes. */
export function writeFailure(file: string, pending: number, error: unknown): StoreWriteError {
  if (error instanceof StoreWriteError) return error;
  return new StoreWriteError(file, writeReason(error), pending, describe(error));
}

function writeReason(error: unknown): StoreWriteReason {
  switch (sqliteCode(error)) {
    case SQLITE_FULL:
      return "full";
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return "io";
    case SQLITE_READONLY:
      return "readOnly";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "busy";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return "corrupt";
  }
  return "other";
}
