/**
 * `deno run -A bench/tracker_sealed_core.ts [ROUNDS]`: the tracker's own cost per sealed `LAP`
 * next to the same request unsealed, without sockets: `DatagramRouter.handle` on prepared
 * datagrams, alternating rounds in one run, sealed once with `node:crypto` and once with OpenSSL
 * through FFI (when libcrypto loads). The socket bench (`bench/tracker_sealed.ts`) adds the
 * runtime's datagram cost, which swings 2× between runs on a shared machine; this one isolates
 * what sealing adds to the tracker's loop. It also times, in the same run, one bare `node:crypto`
 * AES-256-GCM open and seal of the same sizes in a tight loop (both implementations): the floor that framing cannot go
 * below (docs/performance.md, "Sealed datagrams").
 */

import { deriveSessionKeys, encodeV2Request, sealDatagram } from "../lib/protocol/mod.ts";
import { type Gcm, nodeGcm } from "../lib/protocol/gcm.ts";
import { loadOpensslGcm } from "../lib/protocol/openssl_gcm.ts";
import { setDefaultGcm } from "../lib/protocol/sealed.ts";
import { decodeV2Reply } from "../lib/protocol/mod.ts";
import { decodeBase64, deriveClientKeysSync, newNonce } from "../lib/protocol/scram.ts";
import { answerChallenge } from "../lib/protocol/scram_answer.ts";
import { parseCredentials } from "../lib/tracker/credentials.ts";
import { DatagramRouter } from "../lib/tracker/datagram_router.ts";
import process from "node:process";

const ROUNDS = Number(Deno.args[0] ?? "6");
const openssl = loadOpensslGcm();
if (!openssl.ok) console.log(`OpenSSL through FFI not available: ${JSON.stringify(openssl.why)}`);
type Mode = "clear" | "node" | "ffi";
const MODES: readonly Mode[] = openssl.ok ? ["clear", "node", "ffi"] : ["clear", "node"];
const GCM: Record<Exclude<Mode, "clear">, Gcm> = {
  node: nodeGcm,
  ffi: openssl.ok ? openssl.gcm : nodeGcm,
};
const PER_ROUND = 20_000;
const USERS = ["alice", "bob", "carol", "dave"];

function routerFor(acceptUnsealed: boolean) {
  const credentials = parseCredentials(USERS.map((u) => `${u} ${u}-pw\n`).join(""), "bench");
  const unlimited = { perSecond: 1e9, burst: 1e9 };
  return new DatagramRouter({
    credentials,
    now: () => performance.now(),
    rate: unlimited,
    hostRate: unlimited,
    acceptUnsealed,
    iterations: 4096,
  });
}

interface Client {
  readonly from: { hostname: string; port: number };
  readonly token: string;
  readonly requestKey: Uint8Array;
}

function login(router: DatagramRouter, user: string, port: number): Client {
  const from = { hostname: "127.0.0.1", port };
  const ask = (id: number, body: Parameters<typeof encodeV2Request>[0]["body"]) => {
    const outcome = router.handle(encodeV2Request({ id, body }), from);
    const decoded = decodeV2Reply(outcome.reply!);
    if (!decoded.ok) throw new Error("bad reply");
    return decoded.reply.body;
  };
  const clientNonce = newNonce();
  const challenge = ask(1, { verb: "LOGIN", user, clientNonce });
  if (challenge.status !== "CHALLENGE") throw new Error(JSON.stringify(challenge));
  const salt = decodeBase64(challenge.salt) as Uint8Array;
  const keys = deriveClientKeysSync(`${user}-pw`, salt, challenge.iterations);
  const { message, proof } = answerChallenge({ keys, user, clientNonce, salt, challenge });
  const welcome = ask(2, { verb: "PROOF", nonce: challenge.nonce, proof });
  if (welcome.status !== "WELCOME") throw new Error(JSON.stringify(welcome));
  return {
    from,
    token: welcome.token,
    requestKey: deriveSessionKeys(keys.storedKey, message).request,
  };
}

function round(mode: Mode, round: number): number {
  const sealed = mode !== "clear";
  // The router's session keys take the default GCM when login makes them.
  setDefaultGcm(mode === "clear" ? nodeGcm : GCM[mode]);
  const router = routerFor(!sealed);
  const clients = USERS.map((user, i) => login(router, user, 40_000 + i));
  const prepared = Array.from({ length: PER_ROUND }, (_, i) => {
    const client = clients[i % clients.length];
    const plaintext = encodeV2Request({
      id: 1000 + Math.floor(i / clients.length),
      token: client.token,
      body: { verb: "LAP", offset: 0 },
    });
    const datagram = sealed
      ? sealDatagram({
        key: client.requestKey,
        direction: "request",
        token: client.token,
        counter: Math.floor(i / clients.length),
        plaintext,
      })
      : plaintext;
    return { datagram, from: client.from };
  });
  // CPU time of this thread, not wall time: other work on the shared cores does not count.
  const started = process.cpuUsage();
  let replies = 0;
  for (const { datagram, from } of prepared) {
    if (router.handle(datagram, from).reply) replies++;
  }
  const used = process.cpuUsage(started);
  const elapsed = (used.user + used.system) / 1000;
  if (replies !== PER_ROUND) throw new Error(`round ${round}: ${replies} replies`);
  return (elapsed * 1000) / PER_ROUND;
}

/** CPU µs of one bare open (of a sealed LAP) and one bare seal (of a reply of `replyBytes`). */
function bareCipherPair(gcm: Gcm, replyBytes: number): number {
  const key = new Uint8Array(32).fill(7);
  const nonce = new Uint8Array(12);
  const header = new Uint8Array(45);
  const reply = new Uint8Array(replyBytes);
  const token = "0123456789abcdef0123456789abcdef";
  const requests = Array.from({ length: PER_ROUND }, (_, i) =>
    sealDatagram({
      key,
      direction: "request",
      token,
      counter: i,
      plaintext: encodeV2Request({ id: 1000 + i, token, body: { verb: "LAP", offset: 0 } }),
      gcm,
    }));
  const started = process.cpuUsage();
  for (const datagram of requests) {
    nonce.set([0x50, 0x53, 0x32, 0x51]);
    nonce.set(datagram.subarray(37, 45), 4);
    const tagStart = datagram.length - 16;
    const opened = gcm.open(
      key,
      nonce,
      datagram.subarray(0, 45),
      datagram.subarray(45, tagStart),
      datagram.subarray(tagStart),
    );
    if (opened === undefined) throw new Error("a bare open failed");
    gcm.seal(key, nonce, header, reply);
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / PER_ROUND;
}

const costs: Record<Mode, number[]> = { clear: [], node: [], ffi: [] };
const bare: Record<Exclude<Mode, "clear">, number[]> = { node: [], ffi: [] };
for (const mode of MODES) round(mode, -1); // warm up
for (let i = 0; i < ROUNDS; i++) {
  // Rotated order, so no mode always runs first or last.
  const order = MODES.map((_, j) => MODES[(i + j) % MODES.length]);
  for (const mode of order) costs[mode].push(round(mode, i));
  // A LAP reply to 3 other users is about 40 bytes of plaintext.
  for (const mode of MODES) if (mode !== "clear") bare[mode].push(bareCipherPair(GCM[mode], 40));
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const clear = median(costs.clear);
console.log(
  `router.handle LAP, CPU time per request (medians of ${ROUNDS} rounds): unsealed ${
    clear.toFixed(2)
  } µs`,
);
for (const mode of MODES) {
  if (mode === "clear") continue;
  const ratios = costs.clear.map((c, i) => c / costs[mode][i]);
  console.log(
    `  sealed with ${GCM[mode].name}: ${median(costs[mode]).toFixed(2)} µs (+${
      (median(costs[mode]) - clear).toFixed(2)
    } µs); unsealed/sealed per round ${Math.min(...ratios).toFixed(2)}–${
      Math.max(...ratios).toFixed(2)
    } (median ${median(ratios).toFixed(2)}×); a bare open + seal in a tight loop: ${
      median(bare[mode]).toFixed(2)
    } µs`,
  );
}
