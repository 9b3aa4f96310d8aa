/**
 * One write-behind batch as plain data, and how it is written in one SQLite transaction. The
 * batch crosses from the tracker's thread to the writer's (`sqlite_writer.ts`) by structured
 * clone, so it is arrays of strings and numbers rather than the queue's maps.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { WriteQueue } from "./write_queue.ts";

/** One change: `[name, null]` withdraws it; `[name, size, sha256]` (nulls for v1) publishes it. */
export type BatchChange = readonly [string, null] | readonly [string, number | null, string | null];

/** One user's changes: delete every stored publication first when `removeAll`, then `changes`. */
export interface BatchUser {
  readonly user: string;
  readonly removeAll: boolean;
  readonly changes: readonly BatchChange[];
}

/** The queue's changes as plain data, in the queue's order. */
export function batchFrom(queue: WriteQueue): BatchUser[] {
  const users: BatchUser[] = [];
  for (const [user, pending] of queue.users()) {
    const changes: BatchChange[] = [];
    for (const [name, change] of pending.changes) {
      changes.push(
        change.kind === "unpublish"
          ? [name, null]
          : [name, change.meta?.size ?? null, change.meta?.sha256 ?? null],
      );
    }
    users.push({ user, removeAll: pending.removeAll, changes });
  }
  return users;
}

/** The statements a batch needs, prepared once per connection. */
export interface BatchStatements {
  readonly upsert: StatementSync;
  readonly deleteOne: StatementSync;
  readonly deleteUser: StatementSync;
}

/** Prepares {@linkcode BatchStatements} on `db`. */
export function prepareBatchStatements(db: DatabaseSync): BatchStatements {
  return {
    upsert: db.prepare(
      "INSERT OR REPLACE INTO publication (user, name, size, sha256) VALUES (?, ?, ?, ?)",
    ),
    deleteOne: db.prepare("DELETE FROM publication WHERE user = ? AND name = ?"),
    deleteUser: db.prepare("DELETE FROM publication WHERE user = ?"),
  };
}

/** Writes `batch` all or nothing; throws SQLite's error after rolling back. */
export function writeBatch(
  db: DatabaseSync,
  statements: BatchStatements,
  batch: readonly BatchUser[],
): void {
  const { upsert, deleteOne, deleteUser } = statements;
  try {
    db.exec("BEGIN IMMEDIATE");
    for (const { user, removeAll, changes } of batch) {
      if (removeAll) deleteUser.run(user);
      for (const change of changes) {
        if (change.length === 2) deleteOne.run(user, change[0]);
        else upsert.run(user, change[0], change[1], change[2]);
      }
    }
    db.exec("COMMIT");
  } catch (error) {
    // SQLite rolls some failures back itself (a full disk, an I/O error); the rest here.
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}
