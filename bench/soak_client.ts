/**
 * One process of `bench/session_soak.ts`'s clients (a process holds at most 10,000 sockets
 * here: the descriptor limit is 20,000). Arguments: tracker port, first session index, count,
 * seconds. Logs its sessions in over v1 with a window of requests in flight, heartbeats each
 * one every second (spread over the second), and at the end asks each `lpf`: a session the
 * tracker expired answers `ERR`. Prints one JSON line.
 */

import { V1Client } from "./v1_client.ts";
import { heartbeat } from "./mixed_load.ts";

const [portText, firstText, countText, secondsText] = Deno.args;
const PORT = Number(portText);
const FIRST = Number(firstText);
const COUNT = Number(countText);
const SECONDS = Number(secondsText);
const WINDOW = 64;
// Retries: loss is not what is measured here.
const ATTEMPTS = 3;
const tracker: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: PORT };

async function inWindows(sessions: V1Client[], task: (session: V1Client) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: WINDOW }, async () => {
    while (next < sessions.length) await task(sessions[next++]);
  }));
}

const sessions = Array.from(
  { length: COUNT },
  (_, i) => new V1Client(`user${String(FIRST + i).padStart(5, "0")}`, FIRST + i, tracker),
);
const loggedIn: V1Client[] = [];
let refused = 0;
// Heartbeats start with the first login: a logged-in session must beat while the rest log in.
const stopHeartbeats = heartbeat(() => loggedIn);
const loginStarted = performance.now();
await inWindows(sessions, async (session) => {
  const answer = await session.ask(`auth ${session.user} ${session.user}-pw`, ATTEMPTS);
  if (answer !== "OK") {
    refused++;
    return;
  }
  loggedIn.push(session);
  session.send(`TCP ${session.host} 7000`).catch(() => {});
});
const loginSeconds = (performance.now() - loginStarted) / 1000;
console.error(`client ${FIRST}: ${loggedIn.length} logged in in ${loginSeconds.toFixed(1)} s`);
console.log(JSON.stringify({ event: "loggedIn", count: loggedIn.length }));
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
let expired = 0;
let unanswered = 0;
await inWindows(loggedIn, async (session) => {
  const answer = await session.ask("lpf", ATTEMPTS);
  if (answer === undefined) unanswered++;
  else if (answer === "ERR") expired++;
});
const longestTickGapMs = stopHeartbeats();
for (const session of sessions) session.close();
console.log(JSON.stringify({
  event: "done",
  sessions: COUNT,
  loggedIn: loggedIn.length,
  refused,
  loginSeconds,
  expired,
  unanswered,
  longestTickGapMs,
}));
