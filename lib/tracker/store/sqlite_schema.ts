/**
 * The SQLite file's schema and its versions. `PRAGMA application_id` marks the file as
 * PeerSync's and `PRAGMA user_version` says which schema it holds; opening applies the
 * migrations from that version up to {@linkcode SCHEMA_VERSION} in one transaction, and refuses a
 * file from a newer PeerSync or from another program rather than guess.
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";
import { StoreCorruptError } from "./errors.ts";

/** "PStr" in ASCII: marks a PeerSync tracker database (`PRAGMA application_id`). */
export const APPLICATION_ID = 0x50537472;

/**
 * `MIGRATIONS[v]` takes a database from schema version `v` to `v + 1`. Only ever append: a
 * released migration is never edited, since files out there were made by it.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: publications keyed by (user, name). WITHOUT ROWID keeps each row in the key's own b-tree
  // (no second index), and a user's rows together, so a user's removal and the load per user
  // read neighbouring pages. size and sha256 are both NULL for a v1 publication.
  `CREATE TABLE publication (
     user   TEXT NOT NULL,
     name   TEXT NOT NULL,
     size   INTEGER CHECK (size IS NULL OR size >= 0),
     sha256 TEXT,
     PRIMARY KEY (user, name),
     CHECK ((size IS NULL) = (sha256 IS NULL))
   ) WITHOUT ROWID`,
];

/** The schema version this tracker writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function pragmaNumber(db: DatabaseSync, name: string): number {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown> | undefined;
  return Number(row?.[name] ?? 0);
}

/**
 * Reads which schema `db` holds, without writing anything: throws {@linkcode StoreCorruptError}
 * for a file of a newer PeerSync or of another program, so such a file is never touched (not
 * even switched to WAL mode). SQLite's own errors (not a database, damaged) pass through.
 */
export function checkSchema(db: DatabaseSync, file: string): number {
  const applicationId = pragmaNumber(db, "application_id");
  const version = pragmaNumber(db, "user_version");
  if (version > SCHEMA_VERSION) {
    throw new StoreCorruptError(
      file,
      "newerSchema",
      `written by a newer PeerSync (schema version ${version}; this tracker knows up to ` +
        `${SCHEMA_VERSION}); refusing to touch it`,
    );
  }
  if (applicationId !== APPLICATION_ID) {
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all().map((row) => String(row.name));
    if (applicationId !== 0 || version !== 0 || tables.length > 0) {
      const what = applicationId !== 0
        ? `application id 0x${applicationId.toString(16)}`
        : `tables ${tables.slice(0, 3).join(", ")}${tables.length > 3 ? ", …" : ""}`;
      throw new StoreCorruptError(
        file,
        "foreign",
        `an SQLite database of another program (${what}); refusing to touch it`,
      );
    }
  }
  return version;
}

/**
 * Brings `db` from `version` (as {@linkcode checkSchema} found it) to
 * {@linkcode SCHEMA_VERSION} in one transaction, writing even when it is there already, so a
 * file that cannot be written fails now and not at the first publication.
 */
export function migrate(db: DatabaseSync, version: number): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    for (let step = version; step < SCHEMA_VERSION; step++) db.exec(MIGRATIONS[step]);
    db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec("COMMIT");
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}
