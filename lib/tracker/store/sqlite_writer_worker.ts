/**
 * The SQLite writer: a worker with its own connection to the tracker's database that writes
 * the write-behind batches, so a batch on a large table (tens of milliseconds for a thousand
 * changes at random keys) never stalls the tracker's datagram loop. Same process, so SQLite's
 * in-process locking and the tracker's `flock` cover both connections.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { DatabaseSync } from "node:sqlite";
import { type BatchStatements, prepareBatchStatements, writeBatch } from "./sqlite_batch.ts";
import {
  carry,
  type WriterReply,
  type WriterRequest,
  type WriterStart,
} from "./sqlite_writer_protocol.ts";

const start = JSON.parse(self.name) as WriterStart;
let connection: { db: DatabaseSync; statements: BatchStatements } | undefined;

// Opened at the first batch, and again after a failure, so a file that is briefly unwritable
// fails that batch (retried by the write-behind) instead of the worker.
function open(): { db: DatabaseSync; statements: BatchStatements } {
  if (connection) return connection;
  // timeout 0 as on the tracker's connection: a batch that meets another program's write lock
  // fails and is retried later.
  const db = new DatabaseSync(start.file, { timeout: 0 });
  try {
    db.exec("PRAGMA synchronous = NORMAL");
    if (start.maxBytes !== undefined) {
      const pageSize = Number(db.prepare("PRAGMA page_size").get()?.page_size);
      db.exec(`PRAGMA max_page_count = ${Math.max(1, Math.floor(start.maxBytes / pageSize))}`);
    }
    connection = { db, statements: prepareBatchStatements(db) };
    return connection;
  } catch (error) {
    db.close();
    throw error;
  }
}

function reply(message: WriterReply): void {
  self.postMessage(message);
}

self.onmessage = (event: MessageEvent<WriterRequest>) => {
  const request = event.data;
  if (request.kind === "close") {
    connection?.db.close();
    connection = undefined;
    reply({ kind: "closed" });
    self.close();
    return;
  }
  try {
    const { db, statements } = open();
    writeBatch(db, statements, request.batch);
    reply({ kind: "written", id: request.id });
  } catch (error) {
    reply({ kind: "failed", id: request.id, error: carry(error) });
  }
};
