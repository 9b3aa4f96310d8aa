/**
 * One process of `bench/session_soak.ts`'s clients (a process holds at most 10,000 sockets
 * here: the descriptor limit is 20,000). Arguments: tracker port, first session index, count,
 * seconds. Logs its sessions in over v1 with a window of requests in flight, heartbeats each
 * one every second (spread over the second), and at the end asks each `lpf`: a session the
 * tracker expired answers `ERR`. Prints one JSON line.
 */

const [portText, firstText, countText, secondsText] = Deno.args;
const PORT = Number(portText);
const FIRST = Number(firstText);
const COUNT = Number(countText);
const SECONDS = Number(secondsText);
const HOSTS = 64;
const WINDOW = 64;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const tracker: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: PORT };
const HBT = encoder.encode("HBT");

class Session {
  readonly socket: Deno.DatagramConn;
  readonly host: string;
  #waiting: ((reply: string | undefined) => void) | undefined;

  constructor(readonly user: string, index: number) {
    this.host = `127.0.0.${2 + (index % HOSTS)}`;
    this.socket = Deno.listenDatagram({ transport: "udp", hostname: this.host, port: 0 });
    this.#read();
  }

  async #read() {
    try {
      for await (const [datagram] of this.socket) {
        const waiting = this.#waiting;
        this.#waiting = undefined;
        waiting?.(decoder.decode(datagram));
      }
    } catch {
      // closed
    }
  }

  send(datagram: Uint8Array): void {
    this.socket.send(datagram, tracker).catch(() => {});
  }

  /** Sends `text` and waits for one reply, retrying twice (loss is not what is measured). */
  async ask(text: string): Promise<string | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const reply = new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 1000);
        this.#waiting = (answer) => {
          clearTimeout(timer);
          resolve(answer);
        };
      });
      this.send(encoder.encode(text));
      const answer = await reply;
      if (answer !== undefined) return answer;
    }
    return undefined;
  }
}

async function inWindows(sessions: Session[], task: (session: Session) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: WINDOW }, async () => {
    while (next < sessions.length) await task(sessions[next++]);
  }));
}

const sessions = Array.from(
  { length: COUNT },
  (_, i) => new Session(`user${String(FIRST + i).padStart(5, "0")}`, FIRST + i),
);
const loggedIn: Session[] = [];
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
    loggedIn[beat++ % loggedIn.length].send(HBT);
    sentThisSecond++;
  }
}, 5);
const loginStarted = performance.now();
await inWindows(sessions, async (session) => {
  const answer = await session.ask(`auth ${session.user} ${session.user}-pw`);
  if (answer !== "OK") {
    refused++;
    return;
  }
  loggedIn.push(session);
  session.send(encoder.encode(`TCP ${session.host} 7000`));
});
const loginSeconds = (performance.now() - loginStarted) / 1000;
console.error(`client ${FIRST}: ${loggedIn.length} logged in in ${loginSeconds.toFixed(1)} s`);
console.log(JSON.stringify({ event: "loggedIn", count: loggedIn.length }));
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
let expired = 0;
let unanswered = 0;
await inWindows(loggedIn, async (session) => {
  const answer = await session.ask("lpf");
  if (answer === undefined) unanswered++;
  else if (answer === "ERR") expired++;
});
clearInterval(heartbeat);
for (const session of sessions) session.socket.close();
console.log(JSON.stringify({
  event: "done",
  sessions: COUNT,
  loggedIn: loggedIn.length,
  refused,
  loginSeconds,
  expired,
  unanswered,
}));
