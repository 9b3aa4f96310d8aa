/**
 * In-process uploaders ("seeders") and stand-in servers for the data-channel tests: every server
 * binds port 0 on loopback and is closed by the test that opened it.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Holder } from "../../lib/protocol/mod.ts";
import { fileDigest } from "../../lib/peer/share/mod.ts";
import {
  downloadFromHolders,
  type DownloadFromHoldersOptions,
  type HoldersDownloadResult,
  type TransferProgress,
} from "../../lib/peer/download/mod.ts";
import {
  type PublishedFile,
  startUploadServer,
  type UploadServer,
  type UploadServerOptions,
} from "../../lib/peer/upload/mod.ts";

/** A share folder served by a real uploader, publishing like a v2 `pub` does. */
export class Seeder {
  readonly published = new Map<string, PublishedFile>();
  readonly server: UploadServer;

  /** The fingerprint `holder()` pins, when the seeder serves TLS (`options.tls` an identity). */
  readonly #fingerprint: string | undefined;

  private constructor(
    readonly user: string,
    readonly dir: string,
    options: Partial<UploadServerOptions>,
  ) {
    this.#fingerprint = (options.tls as { fingerprint?: string } | undefined)?.fingerprint;
    this.server = startUploadServer({
      hostname: "127.0.0.1",
      dir,
      published: this.published,
      ...options,
    });
  }

  /** Starts a seeder with a fresh share folder. */
  static async start(user: string, options: Partial<UploadServerOptions> = {}): Promise<Seeder> {
    const dir = await Deno.makeTempDir({ prefix: `peersync-${user}-` });
    return new Seeder(user, dir, options);
  }

  /** Writes `content` as `name` and publishes it (size, digest and mtime). */
  async publish(name: string, content: Uint8Array): Promise<PublishedFile> {
    await Deno.writeFile(join(this.dir, name), content);
    const digest = await fileDigest(this.dir, name, this.server.digestCache);
    this.published.set(name, digest);
    return digest;
  }

  /** This seeder as the tracker would list it. */
  holder(file: string): Holder {
    const published = this.published.get(file);
    return {
      user: this.user,
      host: "127.0.0.1",
      port: this.server.addr.port,
      ...(published ? { size: published.size, sha256: published.sha256 } : {}),
      ...(this.server.tlsAddr && this.#fingerprint
        ? { tls: { port: this.server.tlsAddr.port, fingerprint: this.#fingerprint } }
        : {}),
    };
  }

  /** Stops serving (idempotent) and removes the folder. */
  async stop(): Promise<void> {
    await this.server.close();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** Starts `Seeder`s, and has each publish one file, for {@linkcode withSeeders}. */
export interface SeedersOptions<User extends string> {
  /** The seeders to start, by user name, each with its uploader's options. */
  readonly seeders: Readonly<Record<User, Partial<UploadServerOptions>>>;
  /** A file every seeder publishes before the test body runs. */
  readonly publish?: { readonly file: string; readonly content: Uint8Array };
}

/**
 * Runs `run` with the seeders `options` asks for (by user name) and an empty target folder, then
 * stops every seeder and removes every folder, whether `run` passed or threw.
 */
export async function withSeeders<User extends string>(
  options: SeedersOptions<User>,
  run: (seeders: Record<User, Seeder>, target: string) => Promise<void>,
): Promise<void> {
  const seeders = {} as Record<User, Seeder>;
  try {
    const entries = Object.entries(options.seeders) as [User, Partial<UploadServerOptions>][];
    for (const [user, serverOptions] of entries) {
      const seeder = seeders[user] = await Seeder.start(user, serverOptions);
      if (options.publish) await seeder.publish(options.publish.file, options.publish.content);
    }
    await withTarget((target) => run(seeders, target));
  } finally {
    await Promise.all(Object.values<Seeder>(seeders).map((seeder) => seeder.stop()));
  }
}

/** Runs `run` with a fresh, empty target folder and removes the folder afterwards. */
export async function withTarget(run: (target: string) => Promise<void>): Promise<void> {
  const target = await Deno.makeTempDir({ prefix: "peersync-target-" });
  try {
    await run(target);
  } finally {
    await Deno.remove(target, { recursive: true });
  }
}

/** When and how a test cuts a download off in the middle. */
export interface Cut {
  /** Asked on every progress report: whether the moment to cut has come. */
  readonly when: (progress: TransferProgress) => boolean;
  /** Cuts the transfer off (closes a holder, kills its process, cancels); called once. */
  readonly by: () => unknown;
}

/**
 * `downloadFromHolders(options)`, cut off by `cut.by` once `cut.when` holds. Settles as the
 * download does, so a test sees whether (and how) it survived the cut.
 */
export async function downloadWithCut(
  options: DownloadFromHoldersOptions,
  cut: Cut,
): Promise<HoldersDownloadResult> {
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => reach = resolve);
  const download = downloadFromHolders({
    ...options,
    onProgress: (progress) => cut.when(progress) && reach(),
  });
  // Handled now and awaited below: the download may well fail while the cut is still under way,
  // and one that ends before the moment comes must not leave the test waiting forever.
  await Promise.race([reached, download.then(() => {}, () => {})]);
  await cut.by();
  return await download;
}

/** A stand-in TCP server whose every connection is handled by `handle`. */
export class StandIn {
  readonly #listener: Deno.Listener;
  readonly #handled = new Set<Promise<void>>();
  readonly #conns = new Set<Deno.Conn>();
  readonly #loop: Promise<void>;
  connections = 0;

  constructor(handle: (conn: Deno.Conn) => Promise<void>) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#listener = listener;
    this.#loop = (async () => {
      for (;;) {
        let conn: Deno.Conn;
        try {
          conn = await listener.accept();
        } catch {
          return;
        }
        this.connections++;
        this.#conns.add(conn);
        const done = handle(conn).catch(() => {}).finally(() => {
          try {
            conn.close();
          } catch {
            // Closed by the handler.
          }
          this.#conns.delete(conn);
          this.#handled.delete(done);
        });
        this.#handled.add(done);
      }
    })();
  }

  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  /** A holder entry pointing here. */
  holder(user: string, expected?: { size: number; sha256: string }): Holder {
    return { user, host: "127.0.0.1", port: this.port, ...(expected ?? {}) };
  }

  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
    await this.#loop;
    while (this.#handled.size > 0) await Promise.allSettled([...this.#handled]);
  }
}

/** Reads one request line (up to `\n`) or, for a v1 request, the first read. */
export async function readRequestLine(conn: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(1024);
  let length = 0;
  while (length < buffer.length) {
    const read = await conn.read(buffer.subarray(length));
    if (read === null) break;
    length += read;
    if (
      buffer.subarray(0, length).includes(0x0a) ||
      !buffer.subarray(0, 4).every((b, i) => b === "PS2 ".charCodeAt(i))
    ) break;
  }
  return new TextDecoder().decode(buffer.subarray(0, length));
}

/** Writes all of `bytes`. */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

/** Every byte the peer sends until it closes. */
export async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(64 * 1024);
  let total = 0;
  for (;;) {
    const read = await conn.read(buffer);
    if (read === null) break;
    chunks.push(buffer.slice(0, read));
    total += read;
  }
  const whole = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.length;
  }
  return whole;
}

/** Sends `request` in one write to 127.0.0.1:`port` and returns every byte of the answer. */
export async function rawExchange(port: number, request: string | Uint8Array): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await writeAll(conn, typeof request === "string" ? new TextEncoder().encode(request) : request);
    return await readToEnd(conn);
  } finally {
    conn.close();
  }
}

/** One mebibyte, the unit the transfer tests size their files in. */
export const MiB = 1024 * 1024;

/** The SHA-256 of `bytes`, as a holder publishes it: 64 lowercase hex digits. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** `size` random bytes. */
export function randomBytes(size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536) {
    crypto.getRandomValues(data.subarray(offset, Math.min(size, offset + 65536)));
  }
  return data;
}

/** The names in `dir`. */
export function listDir(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
}
