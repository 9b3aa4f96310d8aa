/**
 * The tracker for `bench/tracker_sealed.ts` and `bench/tracker_mixed.ts`: the real server with
 * flood limits lifted (the benches measure the tracker's cost per request, not its flood
 * cut-off). Prints `listening on PORT`. Arguments: the credentials file, and optionally a SQLite
 * database file, which makes the tracker keep its publications there as `--store sqlite` does;
 * `--accept-unsealed` answers v2 requests sent in clear after login (the baseline of the sealed
 * bench); `--sealing=node` seals with node:crypto even when OpenSSL through FFI is available.
 */

import { installGcm } from "../lib/protocol/gcm_backend.ts";
import { loadCredentials } from "../lib/tracker/credentials.ts";
import { closePublicationStore, openPublicationStore } from "../lib/tracker/publication_store.ts";
import { startTracker } from "../lib/tracker/server.ts";
import { TrackerState } from "../lib/tracker/state.ts";

// `--accept-unsealed` serves v2 requests that come unsealed after login, as before sealing, so
// `bench/tracker_sealed.ts` compares sealed requests with the same requests served in clear.
const acceptUnsealed = Deno.args.includes("--accept-unsealed");
const sealing = installGcm(Deno.args.includes("--sealing=node") ? "node" : "auto");
const [credentialsFile, dbFile] = Deno.args.filter((arg) => !arg.startsWith("--"));
const credentials = await loadCredentials(credentialsFile);
const controller = new AbortController();
const unlimited = { perSecond: 1e9, burst: 1e9 };
const now = () => performance.now();
const opened = dbFile === undefined
  ? undefined
  : openPublicationStore({ kind: "sqlite", file: dbFile, logger: { log: () => {} }, now });
const tracker = startTracker({
  hostname: "127.0.0.1",
  port: 0,
  credentials,
  signal: controller.signal,
  rate: unlimited,
  hostRate: unlimited,
  logDatagrams: false,
  acceptUnsealed,
  now,
  state: opened && new TrackerState({ now, journal: opened.store }),
});
console.log(`listening on 127.0.0.1:${tracker.address.port} (${sealing.gcm.name})`);
Deno.addSignalListener("SIGTERM", () => controller.abort());
await tracker.finished;
if (opened) await closePublicationStore(opened, { log: () => {} });
