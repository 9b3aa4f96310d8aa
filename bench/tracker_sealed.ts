/**
 * `deno run -A bench/tracker_sealed.ts [SECONDS] [--lap-only]`: the tracker's reply rate with sealed v2
 * datagrams next to the same load unsealed, in one run (alternating, so the machine's drift hits
 * all), sealed by a tracker on OpenSSL through FFI and by one on `node:crypto`, and the cost of a v1 `auth` against verifiers of 4096 and 1,000,000 PBKDF2 rounds with
 * another session's `lap` round trip measured meanwhile. Beside replies/s it prints the tracker
 * process's CPU time per reply (from /proc): the bench's own client shares the 2 cores, so replies/s
 * also measure the client, while CPU per reply is the tracker's cost alone.
 */

import { deriveVerifier, formatVerifier, newSalt } from "../lib/protocol/scram.ts";
import process from "node:process";
import { Program } from "../tests/support/programs.ts";
import { cpuSeconds } from "./proc_usage.ts";
import { SealedClient } from "../tests/support/sealed_client.ts";
import { UdpProbe } from "../tests/support/udp_probe.ts";

// `--lap-only` skips the v1 AUTH part (the 1M-round verifier takes seconds to make).
const LAP_ONLY = Deno.args.includes("--lap-only");
const SECONDS = Number(Deno.args.find((arg) => !arg.startsWith("--")) ?? "2");
const IN_FLIGHT = 16;
const USERS = ["alice", "bob", "carol", "dave"];

const dir = await Deno.makeTempDir({ prefix: "peersync-bench-" });
const fast = formatVerifier(await deriveVerifier("fast-pw", newSalt(), 4096));
const slow = LAP_ONLY
  ? fast
  : formatVerifier(await deriveVerifier("slow-pw", newSalt(), 1_000_000));
await Deno.writeTextFile(
  `${dir}/credentials.txt`,
  USERS.map((user) => `${user} ${user}-pw\n`).join("") + `fast ${fast}\nslow ${slow}\nlapper x\n`,
);
// The unsealed rounds must be served, not refused (`ERR token`), to be the same load before sealing.
// Two trackers: one seals with what `auto` picks (OpenSSL through FFI when it loads), one with
// node:crypto; the unsealed rounds go to the first.
const server = new Program("bench/tracker_load_server.ts", [
  `${dir}/credentials.txt`,
  "--accept-unsealed",
]);
const [, portText, autoGcm] = await server.stdout.waitFor(/listening on [^ ]+:(\d+) \(([^)]+)\)/);
const port = Number(portText);
const nodeServer = new Program("bench/tracker_load_server.ts", [
  `${dir}/credentials.txt`,
  "--accept-unsealed",
  "--sealing=node",
]);
const nodePort = Number((await nodeServer.stdout.waitFor(/listening on [^ ]+:(\d+)/))[1]);
type Mode = "clear" | "ffi" | "node";
const MODES: readonly Mode[] = autoGcm === "openssl-ffi"
  ? ["clear", "ffi", "node"]
  : ["clear", "node"];
if (autoGcm !== "openssl-ffi") console.log("OpenSSL through FFI not available: node:crypto only");
const portOf = (mode: Mode) => mode === "node" ? nodePort : port;
const pidOf = (mode: Mode) => mode === "node" ? nodeServer.pid : server.pid;

/**
 * Keeps IN_FLIGHT requests outstanding per session for SECONDS, from bare sockets bound to the
 * sessions' ports (the tracker knows a session by its address): the probes time every receive,
 * which made this process cost about as much per reply as the tracker, so the bench measured
 * itself. Returns replies per second and the CPU microseconds per reply of the tracker and of
 * this process.
 */
async function load(
  mode: Mode,
  clients: readonly { readonly port: number; readonly datagrams: readonly Uint8Array[] }[],
) {
  const tracker: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: portOf(mode) };
  const sockets = clients.map((client) =>
    Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: client.port })
  );
  const answered = clients.map(() => 0);
  const cpuBefore = cpuSeconds(pidOf(mode));
  const ownBefore = process.cpuUsage();
  const stop = performance.now() + SECONDS * 1000;
  const loops = sockets.map(async (socket, index) => {
    const datagrams = clients[index].datagrams;
    let next = 0;
    const send = () => {
      socket.send(datagrams[next++ % datagrams.length], tracker).catch(() => {});
    };
    for (let i = 0; i < IN_FLIGHT; i++) send();
    // A lost datagram shrinks the window; one that stopped moving is topped up.
    let seen = 0;
    const refill = setInterval(() => {
      if (answered[index] === seen) send();
      seen = answered[index];
    }, 50);
    try {
      for await (const _ of socket) {
        if (performance.now() >= stop) break;
        answered[index]++;
        send();
      }
    } catch {
      // Closed.
    } finally {
      clearInterval(refill);
    }
  });
  // A loop ends at its first reply after the clock stops; a tracker that stopped answering
  // would leave it waiting, so the sockets are closed then.
  const closeAll = () => {
    for (const socket of sockets) {
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    }
  };
  const watchdog = setTimeout(closeAll, SECONDS * 1000 + 5000);
  await Promise.all(loops);
  clearTimeout(watchdog);
  const own = process.cpuUsage(ownBefore);
  const cpuMicros = (cpuSeconds(pidOf(mode)) - cpuBefore) * 1e6;
  closeAll();
  const replies = answered.reduce((a, b) => a + b, 0);
  return {
    rate: replies / SECONDS,
    cpuPerReply: cpuMicros / Math.max(1, replies),
    clientCpuPerReply: (own.user + own.system) / Math.max(1, replies),
  };
}

async function authCost() {
  const lapper = new UdpProbe(port);
  await lapper.ask("auth lapper x");
  for (const [user, rounds] of [["fast", 4096], ["slow", 1_000_000]] as const) {
    const guessers = Array.from({ length: 8 }, () => new UdpProbe(port));
    try {
      const started = performance.now();
      const answered = Promise.all(guessers.map(async (guesser) => {
        await guesser.send(`auth ${user} wrong`);
        await guesser.receive(20_000);
        return performance.now() - started;
      }));
      let worstLap = 0;
      let laps = 0;
      let done = false;
      answered.then(() => done = true);
      while (!done) {
        const lapStarted = performance.now();
        await lapper.ask("lap", 2000);
        worstLap = Math.max(worstLap, performance.now() - lapStarted);
        laps++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const times = (await answered).sort((a, b) => a - b);
      console.log(
        `v1 AUTH, ${rounds} rounds, 8 at once: first answered in ${times[0].toFixed(1)} ms, ` +
          `last in ${times[7].toFixed(1)} ms (at most 4 checked at once, the rest ERR at once); ` +
          `another session's lap meanwhile: ${laps} answered, worst ${worstLap.toFixed(1)} ms`,
      );
    } finally {
      await Promise.all(guessers.map((guesser) => guesser.close()));
    }
  }
  await lapper.close();
}

try {
  // Fresh sessions per round: request ids and counters are single use.
  const rates: Record<Mode, number[]> = { clear: [], ffi: [], node: [] };
  const cpu: Record<Mode, number[]> = { clear: [], ffi: [], node: [] };
  const clientCpu: Record<Mode, number[]> = { clear: [], ffi: [], node: [] };
  // Rounds in rotating order (each cycle starts one later), since the machine drifts; ratios are
  // taken within a cycle.
  const CYCLES = 4;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    for (let j = 0; j < MODES.length; j++) {
      const mode = MODES[(cycle + j) % MODES.length];
      const trackerPort = portOf(mode);
      const clients = USERS.map(() => new SealedClient({ trackerPort }));
      let sessions: { port: number; datagrams: Uint8Array[]; bye: Uint8Array }[] = [];
      try {
        for (const [i, client] of clients.entries()) {
          await client.login(USERS[i], `${USERS[i]}-pw`);
        }
        // Prepared before the clock starts, so the client's own sealing is not timed.
        sessions = clients.map((client) => ({
          port: client.port,
          datagrams: Array.from({ length: 40_000 }, (_, i) => {
            const plaintext = client.plaintext({ verb: "LAP", offset: 0 }, 1000 + i);
            return mode === "clear" ? plaintext : client.seal(plaintext);
          }),
          bye: client.seal(client.plaintext({ verb: "BYE" }, 4_000_000)),
        }));
      } finally {
        await Promise.all(clients.map((client) => client.close()));
      }
      const measured = await load(mode, sessions);
      rates[mode].push(measured.rate);
      cpu[mode].push(measured.cpuPerReply);
      clientCpu[mode].push(measured.clientCpuPerReply);
      // Each session ends, so the next round's logins from new ports are not refused as `live`.
      for (const session of sessions) {
        const probe = new SealedClient({ trackerPort, port: session.port });
        await probe.send(session.bye);
        await probe.receive(500);
        await probe.close();
      }
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  // One stray round (another process's burst) moves a mean; the median of the cycles holds.
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  const list = (values: number[], digits: number) =>
    values.map((v) => v.toFixed(digits)).join(", ");
  console.log(
    `LAP, ${USERS.length} sessions × ${IN_FLIGHT} in flight, ${CYCLES} rotating cycles: unsealed ${
      mean(rates.clear).toFixed(0)
    } replies/s (${list(rates.clear, 0)}), tracker CPU ${mean(cpu.clear).toFixed(1)} µs a reply (${
      list(cpu.clear, 1)
    }), this client ${mean(clientCpu.clear).toFixed(1)} µs`,
  );
  for (const mode of MODES) {
    if (mode === "clear") continue;
    const rateRatios = rates[mode].map((r, i) => r / rates.clear[i]);
    const cpuRatios = cpu[mode].map((c, i) => cpu.clear[i] / c);
    console.log(
      `  sealed with ${mode === "ffi" ? "OpenSSL through FFI" : "node:crypto"}: ${
        mean(rates[mode]).toFixed(0)
      } replies/s (${list(rates[mode], 0)}), per cycle ${list(rateRatios, 2)} of unsealed ` +
        `(median ${median(rateRatios).toFixed(2)}×); tracker CPU ${
          mean(cpu[mode]).toFixed(1)
        } µs a reply (${list(cpu[mode], 1)}): unsealed/sealed per cycle ${
          list(cpuRatios, 2)
        } (median ${median(cpuRatios).toFixed(2)}×); this client ${
          mean(clientCpu[mode]).toFixed(1)
        } µs`,
    );
  }

  // v1 AUTH against verifiers, with another session's lap measured meanwhile.
  if (!LAP_ONLY) await authCost();
} finally {
  await server.stop();
  await nodeServer.stop();
  await Deno.remove(dir, { recursive: true });
}
