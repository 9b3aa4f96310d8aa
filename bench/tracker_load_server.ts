/**
 * The tracker for `bench/tracker_sealed.ts`: the real server with flood limits lifted (the bench
 * measures the tracker's cost per request, not its flood cut-off). Prints `listening on PORT`.
 * Arguments: the credentials file.
 */

import { loadCredentials } from "../lib/tracker/credentials.ts";
import { startTracker } from "../lib/tracker/server.ts";

const credentials = await loadCredentials(Deno.args[0]);
const controller = new AbortController();
const unlimited = { perSecond: 1e9, burst: 1e9 };
const tracker = startTracker({
  hostname: "127.0.0.1",
  port: 0,
  credentials,
  signal: controller.signal,
  rate: unlimited,
  hostRate: unlimited,
  logDatagrams: false,
});
console.log(`listening on 127.0.0.1:${tracker.address.port}`);
Deno.addSignalListener("SIGTERM", () => controller.abort());
await tracker.finished;
