/**
 * A publication store that lives and dies with the process: for tests and for `--store memory`,
 * where forgetting publications on restart is the point.
 *
 * @module
 */

import {
  checkMeta,
  type LoadAllOptions,
  type PublicationMeta,
  type PublicationStore,
  type PublicationVisitor,
  type StoreStats,
} from "./store.ts";
import { byCodeUnit } from "../sorted_view.ts";

/**
 * Keeps publications in a map; every change applies at once.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "./memory_store.ts";
 * const store = new MemoryStore();
 * store.publish("alice", "a.txt", { size: 3, sha256: "ab".repeat(32) });
 * const seen: string[] = [];
 * await store.loadAll((user, name) => seen.push(`${user}/${name}`));
 * console.assert(seen[0] === "alice/a.txt");
 * await store.close();
 * ```
 */
export class MemoryStore implements PublicationStore {
  readonly #files = new Map<string, Map<string, PublicationMeta | undefined>>();
  #written = 0;
  #closed = false;

  get stats(): StoreStats {
    return {
      pending: 0,
      written: this.#written,
      transactions: 0,
      coalesced: 0,
      failures: 0,
      dropped: 0,
    };
  }

  loadAll(visit: PublicationVisitor, options: LoadAllOptions = {}): Promise<number> {
    this.#checkOpen();
    // Nothing here takes long enough to be stopped half-way: only a stop that came before.
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    let count = 0;
    // Sorted like the SQLite store's order, so callers see one behaviour whichever store runs.
    for (const user of [...this.#files.keys()].sort(byCodeUnit)) {
      const files = this.#files.get(user)!;
      for (const name of [...files.keys()].sort(byCodeUnit)) {
        visit(user, name, files.get(name));
        count++;
      }
    }
    return Promise.resolve(count);
  }

  publish(user: string, name: string, meta?: PublicationMeta): void {
    this.#checkOpen();
    checkMeta(meta);
    let files = this.#files.get(user);
    if (files === undefined) {
      files = new Map();
      this.#files.set(user, files);
    }
    files.set(name, meta === undefined ? undefined : { size: meta.size, sha256: meta.sha256 });
    this.#written++;
  }

  unpublish(user: string, name: string): void {
    this.#checkOpen();
    const files = this.#files.get(user);
    if (files?.delete(name) && files.size === 0) this.#files.delete(user);
    this.#written++;
  }

  removeUser(user: string): void {
    this.#checkOpen();
    this.#files.delete(user);
    this.#written++;
  }

  flush(): Promise<void> {
    this.#checkOpen();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error("memory: the publication store is closed");
  }
}
