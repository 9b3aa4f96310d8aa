/**
 * Where the tracker keeps what must outlive its process: users' publications (user, name, and
 * for v2 the size and SHA-256). A {@linkcode PublicationStore} is loaded once at start
 * (`loadAll`) and then told of every change (`publish`, `unpublish`, `removeUser`); those calls
 * only queue the change in memory, coalescing repeated changes to one publication, and the store
 * writes the queue as one transaction every 50 ms or as soon as 1,000 changes wait, so the UDP
 * loop never waits on a disk per datagram. The price is that a process killed outright (SIGKILL,
 * a crash) may lose the changes of its last ~100 ms; the SIGTERM path calls `flush()` and
 * `close()` and loses nothing. A write that fails (full disk, file deleted) keeps its changes
 * queued and retried, and is reported through `onError` with a typed error. Two stores:
 * {@linkcode SqliteStore} (the default: one SQLite file in WAL mode, locked against a second
 * tracker, refusing a damaged, foreign or newer file with one clear line) and
 * {@linkcode MemoryStore} (tests, `--store memory`).
 *
 * @example
 * ```ts
 * import { SqliteStore } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const store = SqliteStore.open(`${dir}/peersync-tracker.db`, {
 *   onError: (error) => console.error(error.message),
 * });
 * store.publish("alice", "notes.txt", { size: 12, sha256: "0f".repeat(32) });
 * store.publish("bob", "old.txt"); // a v1 publication: no size or digest
 * await store.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

export * from "./store.ts";
export * from "./errors.ts";
export { MemoryStore } from "./memory_store.ts";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite_store.ts";
export { type Scheduler, WRITE_BEHIND_DEFAULTS, type WriteBehindTuning } from "./write_behind.ts";
