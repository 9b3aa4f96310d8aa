/**
 * One process of `bench/session_soak.ts`'s clients (a process holds at most 10,000 sockets
 * here: the descriptor limit is 20,000). Arguments: tracker port, first session index, count,
 * seconds. Logs its sessions in over v1 with a window of requests in flight, heartbeats each
 * one every second (spread over the second), and at the end asks each `lpf`: a session the
 * tracker expired answers `ERR`. Prints one JSON line.
 */

import { V1Client } from "./v1_client.ts";

const [portText, firstText, countText, secondsText] = Deno.args;
const PORT = Number(portText);
const FIRST = Number(firstText);
const COUNT = Number(countText);
const SECONDS = Number(secondsText);
const WINDOW = 64;
// Retries: loss is not what is measured here.
const ATTEMPTS = 3;
const tracker: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: PORT };
const HBT = new TextEncoder().encode("HBT");

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
let beat = 0;
// Spread over the second, as peers' own timers spread them (a burst of thousands at once would
// only measure the kernel's receive buffer, about 256 datagrams by default). Each tick sends what
// is due by the clock, not a fixed slice, so a busy client whose timer fires late still beats
// every session once a second.
let sentThisSecond = 0;
let secondStarted = performance.now();
const heartbeat = setInterval(() => {
  const now = performance.now();
  if (now - secondStarted >= 1000) {
    secondStarted += 1000 * Math.floor((now - secondStarted) / 1000);
    sentThisSecond = 0;
  }
  const due = Math.floor(((now - secondStarted) / 1000) * loggedIn.length) - sentThisSecond;
  for (let i = 0; i < due && loggedIn.length > 0; i++) {
    loggedIn[beat++ % loggedIn.length].send(HBT).catch(() => {});
    sentThisSecond++;
  }
}, 5);
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
clearInterval(heartbeat);
for (const session of sessions) session.close();
console.log(JSON.stringify({
  event: "done",
  sessions: COUNT,
  loggedIn: loggedIn.length,
  refused,
  loginSeconds,
  expired,
  unanswered,
}));
