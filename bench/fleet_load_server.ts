/**
 * A fleet member for `bench/fleet.ts`: the real server joined to a fleet on the Redis given,
 * with flood limits lifted (the bench measures cost per request, not the flood cut-off).
 * Prints `listening on PORT`. Arguments: the credentials file, the Redis URL.
 */

import { loadCredentials } from "../lib/tracker/credentials.ts";
import { joinFleet } from "../lib/tracker/fleet/mod.ts";
import { bindTrackerSocket, startTracker } from "../lib/tracker/server.ts";

const credentials = await loadCredentials(Deno.args[0]);
const socket = bindTrackerSocket("127.0.0.1", 0);
const { port } = socket.addr as Deno.NetAddr;
const fleet = await joinFleet({
  url: Deno.args[1],
  name: `127.0.0.1:${port}`,
  logger: { log: (event) => event.level === "error" && console.error(event.message) },
  now: () => performance.now(),
  isKnown: (user) => credentials.has(user),
});
const controller = new AbortController();
const unlimited = { perSecond: 1e9, burst: 1e9 };
const tracker = startTracker({
  hostname: "127.0.0.1",
  port,
  socket,
  credentials,
  signal: controller.signal,
  rate: unlimited,
  hostRate: unlimited,
  logDatagrams: false,
  state: fleet.state,
});
console.log(`listening on 127.0.0.1:${port}`);
Deno.addSignalListener("SIGTERM", () => controller.abort());
await tracker.finished;
await fleet.leave();
